// `lever train --config run.yaml`: a training job from one YAML file (lever/estimator/job_config.h) run on
// the estimator: checkpoints and resume in the model directory, Ctrl-C / SIGTERM stop after a checkpoint,
// progress and evaluation lines, tuner reports.
#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "console.h"
#include "lever/checkpoint/checkpoint_manager.h"
#include "lever/error.h"
#include "lever/estimator/bundle.h"
#include "lever/train/hypertune_reporter.h"
#include "lever/train/stop_signal.h"
#include "train_job.h"

namespace lever::cli {
namespace {

// Progress on the console and reports to a tuner: on a terminal a progress bar redrawn in place, otherwise a
// plain line every run.log_step_count_steps steps (at most one a second); a line per evaluation.
class JobProgress : public Hook {
 public:
  JobProgress(const TrainJobOutput& output, int64_t every_steps, HypertuneReporter tuner)
      : output_(output), every_steps_(every_steps), tuner_(std::move(tuner)) {}
  void Begin(Estimator& estimator) override { first_step_ = estimator.global_step(); }
  bool AfterStep(Estimator& /*estimator*/, const StepReport& r) override {
    if (output_.quiet) return false;
    if (output_.progress_bar) {
      bar_.Update(r.step, r.max_steps, r.loss, first_step_);
      return false;
    }
    const auto now = std::chrono::steady_clock::now();
    if (r.step % every_steps_ == 0 && now - last_line_ >= std::chrono::seconds(1)) {
      last_line_ = now;
      const double rate = r.seconds > 0 ? static_cast<double>(r.step - first_step_) / r.seconds : 0.0;
      fmt::print("step {}/{}  loss {:.4f}  {:.0f} steps/s{}\n", r.step, r.max_steps, r.loss, rate,
                 rate > 0 ? fmt::format("  ETA {:.1f}s", static_cast<double>(r.max_steps - r.step) / rate) : "");
      std::fflush(stdout);
    }
    return false;
  }
  bool AfterEvaluation(Estimator& /*estimator*/, const EvalReport& r) override {
    std::vector<std::pair<std::string, double>> metrics;
    for (const auto& [name, value] : r.metrics) {
      if (name != "global_step") metrics.emplace_back(name, value);
    }
    tuner_.Report(r.step, metrics);
    if (!output_.quiet) {
      bar_.Clear();
      fmt::print("eval at step {}:{}\n", r.step, MetricsText(r.metrics));
      std::fflush(stdout);
    }
    return false;
  }
  void End(Estimator& /*estimator*/) override { bar_.Clear(); }

 private:
  TrainJobOutput output_;
  int64_t every_steps_;
  HypertuneReporter tuner_;
  ProgressBar bar_;
  int64_t first_step_ = 0;
  std::chrono::steady_clock::time_point last_line_{};
};

}  // namespace

JobConfig LoadJobConfigWithDir(const std::string& config_path, const std::vector<std::string>& overrides,
                               const std::string& job_dir) {
  JobConfig c = LoadJobConfig(config_path, overrides);
  if (!job_dir.empty()) c.run.model_dir = job_dir;
  return c;
}

Job LoadTrainedJob(const std::string& config_path, const std::vector<std::string>& overrides, const std::string& job_dir) {
  JobConfig config = LoadJobConfigWithDir(config_path, overrides, job_dir);
  const std::string dir = config.run.model_dir;
  if (dir.empty()) throw ConfigError(config_path + ": no run.model_dir (or --job-dir): there is no trained model to use");
  if (!std::filesystem::is_directory(dir)) {
    throw ConfigError("no model directory " + dir + ": train first (lever train --config " + config_path + ")");
  }
  LatestCheckpoint latest = CheckpointManager(dir).LatestGood();
  if (!latest.checkpoint) {
    throw ConfigError("no checkpoint in " + dir + latest.ProblemsText() + ": train first (lever train --config " +
                      config_path + ")");
  }
  Job job = PrepareJob(std::move(config));
  CheckJobState(job, latest.checkpoint->State(), CheckpointManager(dir).RecordPath(latest.checkpoint->step));
  return job;
}

int RunTrainJob(const std::string& config_path, const std::vector<std::string>& overrides, const std::string& job_dir,
                const TrainJobOutput& output) {
  const bool quiet = output.quiet;
  JobConfig config = LoadJobConfigWithDir(config_path, overrides, job_dir);
  if (!config.export_strategy.empty() && config.run.model_dir.empty()) {
    throw ConfigError(config.source + ": eval.export: bundles are written under the model directory; set run.model_dir "
                      "or pass --job-dir");
  }
  Job job = PrepareJob(std::move(config));
  const JobConfig& c = job.config;
  const Table& train = job.train;
  const Examples train_examples = job.TrainExamples();
  const Examples eval_examples = job.Read(c.eval, true);
  const HeadPtr& head = job.head;
  auto& wide = job.wide;
  auto& deep = job.deep;
  auto& estimator = job.estimator;
  const int64_t eval_rows = eval_examples.size();

  StopSignalHandler stop;
  TrainSpec spec = c.train_spec;
  spec.stop_requested = [&stop] { return stop.requested(); };
  spec.hooks.push_back(std::make_shared<NanGuardHook>());
  spec.hooks.push_back(MakeJobStateHook(job));
  spec.hooks.push_back(std::make_shared<JobProgress>(output, c.run.log_step_count_steps, HypertuneReporter::FromEnvironment()));
  std::shared_ptr<EarlyStoppingHook> early;
  if (!c.early_stopping_metric.empty()) {
    early = std::make_shared<EarlyStoppingHook>(
        c.early_stopping_metric, c.early_stopping_maximize ? EarlyStoppingHook::Goal::kMaximize : EarlyStoppingHook::Goal::kMinimize,
        c.early_stopping_patience, c.early_stopping_min_delta);
    spec.hooks.push_back(early);
  }
  if (!quiet) {
    fmt::print("data: {} ({} examples), eval {} ({} examples), label '{}': {} head\n", c.train, train.num_rows, c.eval,
               eval_rows, c.label, head->Name());
    fmt::print("{}\n", job.labels.explanation);
    for (const std::string& line : job.summary.Lines()) fmt::print("  {}\n", line);
    auto describe = [](const char* what, const FeatureSet& set) {
      const std::string text = set.Describe();
      if (set.columns().size() <= 12) {
        fmt::print("{} columns:\n{}", what, text);
        return;
      }
      // Many columns: the first few, then the count.
      size_t end = 0;
      for (int line = 0; line < 5; ++line) end = text.find('\n', end) + 1;
      fmt::print("{} columns ({} in all):\n{}  ...\n", what, set.columns().size(), text.substr(0, end));
    };
    if (wide) describe("wide", *wide);
    if (deep) describe("deep", *deep);
    fmt::print("model: {}  steps {}  batch {}  seed {}{}\n", c.type, spec.max_steps, spec.batch_size, c.run.seed,
               c.run.model_dir.empty() ? "" : "  model_dir " + c.run.model_dir);
  }
  EvalSpec eval_spec = c.eval_spec;
  std::shared_ptr<BundleExporter> exporter;
  if (!c.export_strategy.empty()) {
    exporter = std::make_shared<BundleExporter>(
        job, (std::filesystem::path(c.run.model_dir) / "export" / c.export_strategy).string(),
        ParseExportStrategy(c.export_strategy), c.export_metric, c.export_maximize, c.export_keep);
    eval_spec.exporters.push_back(exporter);
  }
  const TrainAndEvaluateResult r = TrainAndEvaluate(*estimator, train_examples, eval_examples, spec, eval_spec);
  for (const std::string& problem : r.train.checkpoint_problems) fmt::print(stderr, "warning: skipped {}\n", problem);
  if (r.train.resumed_from_step >= 0 && !quiet) fmt::print("resumed from the checkpoint of step {}\n", r.train.resumed_from_step);
  if (r.train.interrupted) {
    fmt::print("stopped by {} at step {}; checkpoint {}. Run the same command to continue.\n",
               stop.signal_number() == SIGINT ? "Ctrl-C" : "SIGTERM", r.train.global_step, r.train.last_checkpoint);
    return 0;
  }
  fmt::print("final: step {}{}\n", r.train.global_step, MetricsText(r.final_evaluation().metrics));
  if (!quiet && r.train.steps > 0) {
    fmt::print("trained {} steps in {:.2f}s ({:.0f} steps/s, evaluations included)\n", r.train.steps, r.train.seconds,
               r.train.seconds > 0 ? static_cast<double>(r.train.steps) / r.train.seconds : 0.0);
  }
  if (early && early->stopped()) {
    fmt::print("early stopping: no improvement of {} for {} steps; restored the variables of step {}\n",
               c.early_stopping_metric, c.early_stopping_patience, early->best_step());
  }
  if (exporter && !exporter->exported().empty() && !quiet) {
    fmt::print("exported {} bundle{}, the last {}\n", exporter->exported().size(), exporter->exported().size() == 1 ? "" : "s",
               exporter->exported().back());
  }
  if (!c.run.model_dir.empty()) {
    nlohmann::ordered_json result{{"global_step", r.train.global_step},
                                  {"steps", r.train.steps},
                                  {"train_seconds", r.train.seconds}};
    for (const auto& [name, value] : r.final_evaluation().metrics) result[name] = value;
    result["task"] = TaskName(job.labels.task);
    if (!job.labels.classes.empty()) result["classes"] = job.labels.classes;
    const std::string path = (std::filesystem::path(c.run.model_dir) / "result.json").string();
    std::ofstream out(path);
    out << result.dump(2) << '\n';
    if (!out) throw IoError("cannot write " + path);
  }
  return 0;
}

}  // namespace lever::cli
