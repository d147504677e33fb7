// LIBSVM text in memory: the first byte picks the options (zero-based ids, class ids, skipping bad rows).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "lever/data/libsvm.h"
#include "lever/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t knobs = data[0];
  lever::LibsvmOptions options;
  options.zero_based = (knobs & 1) != 0;
  options.num_classes = (knobs & 2) != 0 ? (knobs >> 4) : 0;
  const lever::BadRowPolicy policy{.skip = (knobs & 4) != 0, .max_skipped = 0};
  try {
    (void)lever::ReadLibsvmBuffer(lever::fuzz::AsText(data + 1, size - 1), "<fuzz>", options, policy);
  } catch (const lever::Error&) {
  }
  return 0;
}
