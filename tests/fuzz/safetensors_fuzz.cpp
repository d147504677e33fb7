// A checkpoint's tensors file (safetensors) in memory: DecodeSafetensors, which checkpoints and bundles
// load through.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "lever/error.h"
#include "lever/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    (void)lever::DecodeSafetensors(lever::fuzz::AsText(data, size), "<fuzz>");
  } catch (const lever::Error&) {
  }
  return 0;
}
