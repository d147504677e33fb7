#pragma once
// Tuning a C++ function in process, like Optuna's study.optimize: the same loop, storage, samplers and
// median rule as `lever tune` (study_runner.h), with the trainer replaced by a function.
//
//   lever::tune::SqliteStudyStorage storage("study.db");
//   auto result = lever::tune::Optimize(spec, [](const Assignment& x, TrialReporter& reporter) {
//     double loss = 0;
//     for (int epoch = 1; epoch <= 10; ++epoch) {
//       loss = TrainOneEpoch(x);                       // yours
//       if (reporter.Report(epoch, loss)) return loss;  // true: the study asks this trial to stop
//     }
//     return loss;
//   }, storage);
#include <atomic>
#include <functional>
#include <mutex>
#include <vector>

#include "lever/tune/study_runner.h"

namespace lever::tune {

/// Handed to the objective for one trial. Report and ShouldStop may be called from the objective's
/// thread while the study reads them from its own.
class TrialReporter {
 public:
  TrialReporter(int number, std::string job_dir) : number_(number), job_dir_(std::move(job_dir)) {}

  /// Records an intermediate value at `step` (as a trainer's metric-file line would). Returns
  /// ShouldStop().
  bool Report(int64_t step, double value);
  /// True once the study wants the trial to end (median rule or timeout): return promptly; the value
  /// returned then is ignored for a stopped trial, whose objective is its last report.
  bool ShouldStop() const { return stop_.load(); }
  int trial_number() const { return number_; }
  /// "" unless StudyOptions-level study_dir was given to Optimize.
  const std::string& job_dir() const { return job_dir_; }

  /// For the study: takes the reports since the last call; asks the trial to stop.
  std::vector<MetricPoint> TakeReports();
  void RequestStop() { stop_.store(true); }

 private:
  int number_;
  std::string job_dir_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<MetricPoint> pending_;
};

/// The objective: returns the trial's metric (to maximize or minimize as spec.goal says). An exception
/// fails the trial with its message; a non-finite return fails it too.
using Objective = std::function<double(const Assignment& assignment, TrialReporter& reporter)>;

/// Runs the study with `objective` called for each trial, up to spec.EffectiveParallelism() calls at
/// once on their own threads (so it must be thread-safe when maxParallelTrials > 1). spec.trainer is
/// ignored except timeout_seconds. With a non-empty `study_dir`, each trial gets
/// `study_dir`/trials/<number> (created) as its job_dir.
StudyResult Optimize(const StudySpec& spec, const Objective& objective, StudyStorage& storage,
                     const StudyOptions& options = {}, StudyObserver* observer = nullptr,
                     const std::string& study_dir = "");

}  // namespace lever::tune
