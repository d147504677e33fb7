#include "lever/names.h"

#include "lever/data/playground.h"
#include "lever/error.h"
#include "lever/estimator/canned.h"
#include "lever/estimator/head.h"
#include "lever/features/feature_column.h"
#include "lever/losses/registry.h"
#include "lever/nn/activation.h"
#include "lever/nn/initializer.h"
#include "lever/optim/registry.h"
#include "lever/optim/schedule.h"

namespace lever {

std::vector<NameTable> NameTables() {
  return {
      {"activations", "--activation; estimator.activation", ActivationEntries()},
      {"initializers", "--initializer", InitializerEntries()},
      {"losses", "--loss of lever train", LossEntries()},
      {"optimizers", "--optimizer of lever train and lever linear; estimator.optimizer, estimator.linear_optimizer",
       OptimizerEntries()},
      {"schedules", "--lr-schedule", ScheduleEntries()},
      {"heads", "estimator.head", HeadEntries()},
      {"model_types", "estimator.type", ModelTypeEntries()},
      {"column_kinds", "feature_columns, wide_columns and deep_columns in a run config or --columns YAML",
       FeatureColumnKindEntries()},
      {"datasets", "--dataset of lever train", PlaygroundDatasetEntries()},
      {"features", "--features of lever train on a Playground dataset", PlaygroundFeatureEntries()},
  };
}

NameTable FindNameTable(const std::string& kind) {
  std::vector<NameTable> tables = NameTables();
  for (NameTable& table : tables) {
    if (table.kind == kind) return std::move(table);
  }
  throw ConfigError("no table of names called '" + kind +
                    "'. Tables: " + JoinNames(tables, [](const NameTable& t) { return t.kind; }) + ".");
}

}  // namespace lever
