#pragma once
// Running a run config's job (lever/estimator/job.h) the way `lever train --config` does: checkpoints and
// resume in the model directory, a NaN guard, the job state in every checkpoint, early stopping and bundle
// exports as eval.early_stopping / eval.export say, every evaluation reported to a tuner
// (CLOUD_ML_HP_METRIC_FILE), and at the end <model_dir>/result.json. Progress leaves through an observer:
//
//   Job job = PrepareJob(LoadJobConfig("run.yaml"));
//   JobResult r = RunJob(job);                        // or RunJob(job, options, my_observer)
//   r.metrics.at("loss");
//
// and a trained job comes back for evaluation or prediction with LoadTrainedJob.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lever/doctor/doctor.h"
#include "lever/estimator/estimator.h"
#include "lever/estimator/job.h"
#include "lever/train/hypertune_reporter.h"

namespace lever {

/// LoadJobConfig(config_path, overrides) ("key.path=value" each); a non-empty `job_dir` replaces run.model_dir.
JobConfig LoadJobConfigWithDir(const std::string& config_path, const std::vector<std::string>& overrides,
                               const std::string& job_dir);

/// A trained job: the config (as LoadJobConfigWithDir), its columns refitted on data.train, checked against
/// the state its newest good checkpoint holds (CheckJobState); newer checkpoints skipped as unusable are
/// in Job::checkpoint_problems. Throws ConfigError when there is no model directory or checkpoint ("train
/// first"), IoError when every checkpoint there is damaged.
Job LoadTrainedJob(const std::string& config_path, const std::vector<std::string>& overrides,
                   const std::string& job_dir);

/// Sees a job run: a Hook on the training loop (every step and evaluation, the data.eval file's under its
/// EvalSpec name and early stopping's holdout checks as "holdout"; returning true stops training, as any
/// hook's does), told first what is about to be trained.
class JobObserver : public Hook {
 public:
  /// The job is prepared and its examples read; training starts next.
  virtual void OnStart(const Job& /*job*/, const Examples& /*train*/, const Examples& /*eval*/) {}
};

struct JobRunOptions {
  /// Asked between steps; true stops training after a checkpoint (lever/train/stop_signal.h: Ctrl-C, SIGTERM).
  std::function<bool()> stop_requested;
  /// Gets every evaluation's metrics (global_step left out); inactive when CLOUD_ML_HP_METRIC_FILE is unset.
  HypertuneReporter tuner = HypertuneReporter::FromEnvironment();
};

struct JobResult {
  TrainAndEvaluateResult run;  // run.train.interrupted: stopped by a request, no final evaluation
  /// The final evaluation's metrics (empty when interrupted).
  std::map<std::string, double> metrics;
  /// Early stopping (eval.early_stopping) ended training; the variables of best_step were restored.
  bool early_stopped = false;
  int64_t best_step = -1;
  /// Rows held out of the training file for early stopping (train.validation_split; 0: none) and where
  /// it left the variables (run.train.holdout).
  Index holdout_rows = 0;
  /// The bundles eval.export wrote, oldest first.
  std::vector<std::string> exported;
  /// The result.json written (empty without run.model_dir, or when interrupted).
  std::string result_file;
  /// With the doctor (doctor: true): its findings, knobs as config overrides, and the text `--doctor`
  /// prints; doctor.json and doctor_record.json go to run.model_dir.
  std::vector<Finding> findings;
  std::string doctor_text;
};

/// Trains `job` (from PrepareJob) on its training file (less train.validation_split of its rows, held out
/// for early stopping), evaluating on data.eval as its config says, and
/// writes <run.model_dir>/result.json atomically (JobResultJson). Holds the model directory's lock
/// (<run.model_dir>/lever.lock, lever/io/dir_lock.h) while it runs, and first removes the temporary files
/// and bundles killed runs left there. Throws ConfigError when eval.export is set without run.model_dir or
/// another process holds the lock (naming its pid), DivergenceError when the loss is not finite, IoError
/// when a file cannot be written; an interrupted run writes no result.json.
JobResult RunJob(Job& job, const JobRunOptions& options = {}, std::shared_ptr<JobObserver> observer = nullptr);

/// What result.json holds: {"global_step", "steps", "train_seconds", the final metrics..., "task",
/// "classes" for classification, and "early_stopping": {"holdout_rows", "best_step", "holdout_loss",
/// "stopped_early"} when `holdout_rows` were held out} (docs/cli.md).
nlohmann::ordered_json JobResultJson(const Job& job, const TrainAndEvaluateResult& run, Index holdout_rows = 0);

}  // namespace lever
