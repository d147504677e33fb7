// A feature-column YAML: ParseFeatureColumns (vocabulary files resolved in the scratch directory).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_input.h"
#include "lever/error.h"
#include "lever/features/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(lever::fuzz::AsText(data, size));
  try {
    (void)lever::ParseFeatureColumns(text, "<fuzz>", lever::fuzz::ScratchDirectory().string());
  } catch (const lever::Error&) {
  }
  return 0;
}
