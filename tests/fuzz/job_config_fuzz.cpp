// A run config (`lever train --config run.yaml`): LoadJobConfig.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "lever/error.h"
#include "lever/estimator/job_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = lever::fuzz::WriteInput(lever::fuzz::AsText(data, size), "run.yaml");
  try {
    (void)lever::LoadJobConfig(path);
  } catch (const lever::Error&) {
  }
  return 0;
}
