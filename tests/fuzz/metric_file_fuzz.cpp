// The tuner's metric file ($CLOUD_ML_HP_METRIC_FILE): MetricFileReader::Poll over the input, the tag
// "rmse", then the final value.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "lever/error.h"
#include "lever/tune/metric_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = lever::fuzz::WriteInput(lever::fuzz::AsText(data, size), "metrics.jsonl");
  try {
    lever::tune::MetricFileReader reader(path, "rmse");
    (void)reader.Poll();
    (void)reader.Final();
  } catch (const lever::Error&) {
  }
  return 0;
}
