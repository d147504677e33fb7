#pragma once
// result.json: what `lever train` writes at the end of a run into its job directory (--job-dir) or model
// directory (run.model_dir), one schema with and without a run config (docs/cli.md, "result.json"):
//
//   {"global_step": 3000, "steps": 3000, "train_seconds": 0.41,       the step the model is at; this run's
//                                                                      steps and seconds
//    <the final figures>: "loss", "accuracy", "auc", ... (a run config's head metrics on data.eval) or
//                         "train_loss", "test_loss", "train_accuracy", "test_accuracy", ... (--train-file)
//    "task": "binary", "classes": ["no", "yes"],                        when lever decided the labels
//    "early_stopping": {"holdout_rows", "best_step", "holdout_loss", "stopped_early"},   with a holdout
//    "convergence": {"converged", "change", "tolerance", "reason"},    when the run judged it
//    <extras>: "per_label" (multi-label), ...}
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lever/optim/convergence.h"
#include "lever/tensor/tensor.h"
#include "lever/train/holdout_stopping.h"

namespace lever {

struct RunResult {
  int64_t global_step = 0;
  int64_t steps = 0;
  double train_seconds = 0.0;
  std::vector<std::pair<std::string, double>> metrics;  // in the order written
  std::string task;                                     // empty: not decided (Playground data)
  std::vector<std::string> classes;
  Index holdout_rows = 0;  // with holdout.best_step >= 0: "early_stopping"
  HoldoutResult holdout;
  std::optional<Convergence> convergence;                            // its reason as the run words it
  nlohmann::ordered_json extras = nlohmann::ordered_json::object();  // appended last

  nlohmann::ordered_json ToJson() const;
  /// Writes ToJson() to `path` atomically (lever/io/atomic_file.h). Throws IoError.
  void Write(const std::string& path) const;
};

}  // namespace lever
