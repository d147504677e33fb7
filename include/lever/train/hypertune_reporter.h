#pragma once
// Reports metrics to a hyperparameter tuner the way cloudml-hypertune does: one JSON line per report,
// appended to the file named by the environment variable CLOUD_ML_HP_METRIC_FILE,
//
//   {"timestamp": 1795000000.25, "trial": "3", "global_step": "400", "accuracy": "0.9722", "loss": "0.0981"}
//
// (values as strings with full precision, like the Python package writes them; "trial" from
// CLOUD_ML_TRIAL_ID). `lever tune` and Cloud ML-style tuners read the file; a trainer run by hand, without
// the variable, reports nothing.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lever {

class HypertuneReporter {
 public:
  /// Reads CLOUD_ML_HP_METRIC_FILE and CLOUD_ML_TRIAL_ID; inactive when the first is unset or empty.
  static HypertuneReporter FromEnvironment();
  /// Reports to `path` (the parent directory is created); `trial` may be empty.
  HypertuneReporter(std::string path, std::string trial);
  HypertuneReporter() = default;

  bool active() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

  /// Appends one line with the step and every (tag, value). Throws IoError naming the file when it cannot
  /// be written (a tuner that cannot see results should not run blind).
  void Report(int64_t step, const std::vector<std::pair<std::string, double>>& metrics) const;

 private:
  std::string path_;
  std::string trial_;
};

}  // namespace lever
