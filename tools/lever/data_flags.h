#pragma once
// `lever train`'s data flags: a Playground dataset (--dataset, --features, --noise, ...) or a CSV table
// (--train-file, --label, --task, --validation-split, --patience, ...).
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "lever/train/training_run.h"

namespace lever::cli {

struct DataFlags {
  std::string features = "x1,x2", label_vocabulary, na_values;  // comma-separated lists
  std::vector<std::string> column_types;                        // --column-type name=type items

  /// Adds the flags to `cmd`, writing into `spec` (which must outlive parsing).
  void Add(CLI::App* cmd, TrainingRunSpec& spec);
  /// The lists into `spec.data`.
  void ApplyTo(TrainingRunSpec& spec) const;
};

}  // namespace lever::cli
