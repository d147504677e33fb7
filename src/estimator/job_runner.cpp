#include "lever/estimator/job_runner.h"

#include <filesystem>
#include <utility>

#include "lever/checkpoint/checkpoint_manager.h"
#include "lever/data/labels.h"
#include "lever/doctor/record_file.h"
#include "lever/error.h"
#include "lever/estimator/bundle.h"
#include "lever/io/atomic_file.h"
#include "lever/io/dir_lock.h"
#include "lever/report/test_evaluation.h"
#include "lever/train/run_result.h"

namespace lever {
namespace {

// Reports every evaluation to the tuner, as cloudml-hypertune's report_hyperparameter_tuning_metric does.
class TunerHook : public Hook {
 public:
  explicit TunerHook(HypertuneReporter tuner) : tuner_(std::move(tuner)) {}
  bool AfterEvaluation(Learner& /*learner*/, const EvalReport& r) override {
    if (r.name == "holdout") return false;  // early stopping's checks: the tuner's metric is the evaluation's
    std::vector<std::pair<std::string, double>> metrics;
    for (const auto& [name, value] : r.metrics) {
      if (name != "global_step") metrics.emplace_back(name, value);
    }
    tuner_.Report(r.step, metrics);
    return false;
  }

 private:
  HypertuneReporter tuner_;
};

// One writer per model directory: a second run would interleave its checkpoints and logs with this one's.
// Holding the lock, what killed runs left (temporary files, half-written bundles) can go.
std::unique_ptr<DirLock> LockModelDir(const std::string& dir) {
  if (dir.empty()) return nullptr;
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw IoError("cannot create the model directory '" + dir + "': " + error.message());
  auto lock =
      std::make_unique<DirLock>(dir, "lever.lock", "another lever process is writing the model directory '" + dir + "'",
                                "wait for it to end, or stop it, or give this run another run.model_dir "
                                "(--job-dir)");
  RemoveStaleTemporaries(dir);
  for (const auto& strategy : std::filesystem::directory_iterator(std::filesystem::path(dir) / "export", error)) {
    if (strategy.is_directory(error))
      RemoveStaleTemporaries(strategy.path().string(), StaleTemporaries::kDirectoriesOnly);
  }
  return lock;
}

}  // namespace

JobConfig LoadJobConfigWithDir(const std::string& config_path, const std::vector<std::string>& overrides,
                               const std::string& job_dir) {
  JobConfig c = LoadJobConfig(config_path, overrides);
  if (!job_dir.empty()) c.run.model_dir = job_dir;
  return c;
}

Job LoadTrainedJob(const std::string& config_path, const std::vector<std::string>& overrides,
                   const std::string& job_dir) {
  JobConfig config = LoadJobConfigWithDir(config_path, overrides, job_dir);
  const std::string dir = config.run.model_dir;
  if (dir.empty()) {
    throw ConfigError(config_path + ": no run.model_dir (or --job-dir): there is no trained model to use");
  }
  if (!std::filesystem::is_directory(dir)) {
    throw ConfigError("no model directory " + dir + ": train first (lever train --config " + config_path + ")");
  }
  const CheckpointManager manager(dir);
  LatestCheckpoint latest = manager.LatestGood();
  if (!latest.checkpoint && !manager.Steps().empty()) {
    throw IoError("every checkpoint in " + dir + " is damaged" + latest.ProblemsText() +
                  ". Restore the files from a copy, or train again (move them out of the directory first)");
  }
  if (!latest.checkpoint) {
    throw ConfigError("no checkpoint in " + dir + latest.ProblemsText() + ": train first (lever train --config " +
                      config_path + ")");
  }
  Job job = PrepareJob(std::move(config));
  CheckJobState(job, latest.checkpoint->State(), manager.RecordPath(latest.checkpoint->step));
  job.checkpoint_step = latest.checkpoint->step;
  job.checkpoint_problems = std::move(latest.problems);
  return job;
}

namespace {

// What the doctor knows of a job: the run config's knobs (the statistics it samples while training).
DoctorFacts JobFacts(const Job& job, Index train_rows) {
  const JobConfig& c = job.config;
  DoctorFacts f;
  f.optimizer = c.optimizer;
  f.learning_rate = c.learning_rate;
  f.batch_size = c.train_spec.batch_size;
  f.max_steps = c.train_spec.max_steps;
  f.activation = c.activation;
  f.hidden.assign(c.hidden_units.begin(), c.hidden_units.end());
  f.l1 = c.l1;
  f.l2 = c.l2;
  f.dropout = c.dropout;
  f.clip_norm = c.train_spec.clip_norm;
  f.classification = job.labels.task != Task::kRegression;
  f.train_rows = train_rows;
  f.config_job = true;
  return f;
}

}  // namespace

JobResult RunJob(Job& job, const JobRunOptions& options, std::shared_ptr<JobObserver> observer) {
  const JobConfig& c = job.config;
  if (!c.export_strategy.empty() && c.run.model_dir.empty()) {
    throw ConfigError(c.source +
                      ": eval.export: bundles are written under the model directory; set run.model_dir "
                      "or pass --job-dir");
  }
  const std::unique_ptr<DirLock> lock = LockModelDir(c.run.model_dir);
  Examples train_examples = job.TrainExamples();
  const Examples eval_examples = job.Read(c.eval, true);

  TrainSpec spec = c.train_spec;
  // Early stopping on held-out training rows, unless the config stops on the evaluation file instead.
  Examples holdout;
  if (c.validation_split > 0.0 && c.early_stopping_metric.empty() && train_examples.size() >= kMinRowsToHoldOut) {
    auto [rest, held] = SplitHoldout(train_examples, c.validation_split, c.run.seed);
    train_examples = std::move(rest);
    holdout = std::move(held);
    spec.holdout = &holdout;
    spec.holdout_stopping.patience = c.patience;
  }
  if (options.stop_requested) spec.stop_requested = options.stop_requested;
  spec.hooks.push_back(std::make_shared<NanGuardHook>());
  spec.hooks.push_back(MakeJobStateHook(job));
  if (options.tuner.active()) spec.hooks.push_back(std::make_shared<TunerHook>(options.tuner));
  if (observer) spec.hooks.push_back(observer);
  std::shared_ptr<EarlyStoppingHook> early;
  if (!c.early_stopping_metric.empty()) {
    early = std::make_shared<EarlyStoppingHook>(
        c.early_stopping_metric,
        c.early_stopping_maximize ? EarlyStoppingHook::Goal::kMaximize : EarlyStoppingHook::Goal::kMinimize,
        c.early_stopping_patience, c.early_stopping_min_delta);
    spec.hooks.push_back(early);
  }
  EvalSpec eval_spec = c.eval_spec;
  std::shared_ptr<BundleExporter> exporter;
  if (!c.export_strategy.empty()) {
    exporter = std::make_shared<BundleExporter>(
        job, (std::filesystem::path(c.run.model_dir) / "export" / c.export_strategy).string(),
        ParseExportStrategy(c.export_strategy), c.export_metric, c.export_maximize, c.export_keep);
    eval_spec.exporters.push_back(exporter);
  }
  std::shared_ptr<Doctor> doctor;
  if (c.doctor) {
    doctor = std::make_shared<Doctor>(JobFacts(job, train_examples.size()));
    if (!c.run.model_dir.empty()) {
      doctor->SetRecordFile((std::filesystem::path(c.run.model_dir) / "doctor_record.json").string());
    }
    spec.hooks.insert(spec.hooks.begin(), doctor);  // before the NaN guard, so it sees the last loss
    spec.statistics_every = Doctor::StatisticsEvery(spec.max_steps);
  }
  if (observer) observer->OnStart(job, train_examples, eval_examples);

  JobResult result;
  result.holdout_rows = holdout.size();
  try {
    result.run = TrainAndEvaluate(*job.estimator, train_examples, eval_examples, spec, eval_spec);
  } catch (const DivergenceError& e) {
    if (!doctor) throw;
    const std::vector<Finding> findings = doctor->FinishDiverged(e.step(), c.run.model_dir);
    throw DivergenceError(e.message() + "\n" + FindingsText(findings, ""), e.step());
  }
  if (doctor) {  // an interrupted job's record too: it is no longer running, and `lever doctor` reads it
    doctor->SetInterrupted(result.run.train.interrupted);
    result.findings = doctor->Finish(c.run.model_dir);
    result.doctor_text = FindingsText(result.findings, doctor->HealthySummary());
  }
  if (exporter) result.exported = exporter->exported();
  if (result.run.train.interrupted) return result;
  result.metrics = result.run.final_evaluation().metrics;
  result.early_stopped = early && early->stopped();
  if (result.early_stopped) result.best_step = early->best_step();
  if (!c.run.model_dir.empty() && eval_examples.size() > 0) {
    // What `lever report` draws of the model on the evaluation rows (lever/report/test_evaluation.h).
    nlohmann::ordered_json evaluation = TestEvaluationJson(job.HeadKind(), job.estimator->Predict(eval_examples),
                                                           eval_examples.labels, job.labels.classes);
    evaluation["weights"] = WeightHistogramsJson(KernelsOf(job.estimator->Variables()));
    WriteFileAtomically((std::filesystem::path(c.run.model_dir) / "evaluation.json").string(),
                        evaluation.dump() + "\n");
  }
  if (!c.run.model_dir.empty()) {
    result.result_file = (std::filesystem::path(c.run.model_dir) / "result.json").string();
    WriteFileAtomically(result.result_file, JobResultJson(job, result.run, result.holdout_rows).dump(2) + "\n");
  }
  return result;
}

nlohmann::ordered_json JobResultJson(const Job& job, const TrainAndEvaluateResult& run, Index holdout_rows) {
  RunResult result;
  result.global_step = run.train.global_step;
  result.steps = run.train.steps;
  result.train_seconds = run.train.seconds;
  if (!run.evaluations.empty()) {
    for (const auto& [name, value] : run.final_evaluation().metrics) {
      if (name != "global_step") result.metrics.emplace_back(name, value);
    }
  }
  result.task = TaskName(job.labels.task);
  result.classes = job.labels.classes;
  result.holdout_rows = holdout_rows;
  result.holdout = run.train.holdout;
  return result.ToJson();
}

}  // namespace lever
