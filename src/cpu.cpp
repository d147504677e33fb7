// Every function here is compiled for the x86-64 baseline (target attribute), whatever LEVER_ARCH is, so
// that it runs on the CPUs it has to reject.
#include "lever/cpu.h"

#include <cstring>

namespace lever {
namespace {

struct Feature {
  const char* name;
  bool required;
};

#define LEVER_BASELINE __attribute__((target("arch=x86-64")))

// What the compiler was told it may use (the macros it defines for -march), in the order they appeared.
LEVER_BASELINE const Feature* Features() {
  // The preprocessor inside the table is beyond clang-format.
  // clang-format off
  static const Feature features[] = {
      {"sse4.2",
#ifdef __SSE4_2__
       true
#else
       false
#endif
      },
      {"popcnt",
#ifdef __POPCNT__
       true
#else
       false
#endif
      },
      {"avx",
#ifdef __AVX__
       true
#else
       false
#endif
      },
      {"avx2",
#ifdef __AVX2__
       true
#else
       false
#endif
      },
      {"fma",
#ifdef __FMA__
       true
#else
       false
#endif
      },
      {"bmi2",
#ifdef __BMI2__
       true
#else
       false
#endif
      },
      {"avx512f",
#ifdef __AVX512F__
       true
#else
       false
#endif
      },
      {nullptr, false}};
  // clang-format on
  return features;
}

LEVER_BASELINE bool Supports(const char* name) {
  __builtin_cpu_init();
  if (std::strcmp(name, "sse4.2") == 0) return __builtin_cpu_supports("sse4.2");
  if (std::strcmp(name, "popcnt") == 0) return __builtin_cpu_supports("popcnt");
  if (std::strcmp(name, "avx") == 0) return __builtin_cpu_supports("avx");
  if (std::strcmp(name, "avx2") == 0) return __builtin_cpu_supports("avx2");
  if (std::strcmp(name, "fma") == 0) return __builtin_cpu_supports("fma");
  if (std::strcmp(name, "bmi2") == 0) return __builtin_cpu_supports("bmi2");
  if (std::strcmp(name, "avx512f") == 0) return __builtin_cpu_supports("avx512f");
  return false;
}

// Appends the names for which keep(feature) holds, space-separated, into a static buffer.
template <class Keep>
LEVER_BASELINE const char* List(char* buffer, Keep keep) {
  buffer[0] = '\0';
  for (const Feature* f = Features(); f->name != nullptr; ++f) {
    if (!keep(*f)) continue;
    if (buffer[0] != '\0') std::strcat(buffer, " ");
    std::strcat(buffer, f->name);
  }
  return buffer;
}

}  // namespace

LEVER_BASELINE const char* MissingCpuFeatures() {
  static char buffer[128];
  return List(buffer, [](const Feature& f) LEVER_BASELINE { return f.required && !Supports(f.name); });
}

LEVER_BASELINE const char* RequiredCpuFeatures() {
  static char buffer[128];
  return List(buffer, [](const Feature& f) LEVER_BASELINE { return f.required; });
}

}  // namespace lever
