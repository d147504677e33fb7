// CSV with an inferred schema: InferSchema, then ReadTable under it (as `lever train --train-file`).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_input.h"
#include "lever/data/schema.h"
#include "lever/data/table.h"
#include "lever/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = lever::fuzz::WriteInput(lever::fuzz::AsText(data, size), "input.csv");
  try {
    const lever::InferredSchema inferred = lever::InferSchema(path);
    (void)inferred.ToYaml();
    lever::BadRowReport report;
    const lever::Table table = lever::ReadTable(path, inferred.schema, {}, {.skip = true, .max_skipped = 0}, &report);
    (void)lever::SummarizeTable(table);
  } catch (const lever::Error&) {
  }
  return 0;
}
