// A tuning study spec (`lever tune study.yaml`): ParseStudySpec.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_input.h"
#include "lever/error.h"
#include "lever/tune/study_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(lever::fuzz::AsText(data, size));
  try {
    (void)lever::tune::ParseStudySpec(text, "<fuzz>", lever::fuzz::ScratchDirectory().string());
  } catch (const lever::Error&) {
  }
  return 0;
}
