// `lever train --config run.yaml`: a training job from one YAML file (lever/estimator/job_config.h) run by
// the library (lever/estimator/job_runner.h); this file prints what it is about to train, the progress and
// evaluation lines, and the outcome. Ctrl-C / SIGTERM stop after a checkpoint.
#include "train_job.h"

#include <fmt/core.h>

#include <chrono>
#include <csignal>

#include "console.h"
#include "lever/estimator/job_runner.h"
#include "lever/train/stop_signal.h"

namespace lever::cli {
namespace {

// On a terminal a progress bar redrawn in place, otherwise a plain line every run.log_step_count_steps steps
// (at most one a second); a line per evaluation; before training, the data, columns and model.
class JobProgress : public JobObserver {
 public:
  explicit JobProgress(const TrainJobOutput& output) : output_(output) {}
  void OnStart(const Job& job, const Examples& /*train*/, const Examples& eval) override {
    every_steps_ = job.config.run.log_step_count_steps;
    if (output_.quiet) return;
    const JobConfig& c = job.config;
    fmt::print("data: {} ({} examples), eval {} ({} examples), label '{}': {} head\n", c.train, job.train.num_rows,
               c.eval, eval.size(), c.label, job.head->Name());
    fmt::print("{}\n", job.labels.explanation);
    for (const std::string& line : job.summary.Lines()) fmt::print("  {}\n", line);
    for (const std::string& line : job.column_notes) fmt::print("  {}\n", line);
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
    if (job.wide) describe("wide", *job.wide);
    if (job.deep) describe("deep", *job.deep);
    fmt::print("model: {}  steps {}  batch {}  seed {}{}\n", c.type, c.train_spec.max_steps, c.train_spec.batch_size,
               c.run.seed, c.run.model_dir.empty() ? "" : "  model_dir " + c.run.model_dir);
  }
  void Begin(Learner& learner) override { first_step_ = learner.global_step(); }
  bool AfterStep(Learner& /*learner*/, const StepReport& r) override {
    if (output_.quiet) return false;
    if (output_.progress_bar) {
      bar_.Update(r.step, r.max_steps, r.loss, first_step_);
      return false;
    }
    const auto now = std::chrono::steady_clock::now();
    if (r.step % every_steps_ == 0 && now - last_line_ >= std::chrono::seconds(1)) {
      last_line_ = now;
      const double seconds = r.seconds();
      const double rate = seconds > 0 ? static_cast<double>(r.step - first_step_) / seconds : 0.0;
      fmt::print("step {}/{}  loss {:.4f}  {:.0f} steps/s{}\n", r.step, r.max_steps, r.loss, rate,
                 rate > 0 ? fmt::format("  ETA {:.1f}s", static_cast<double>(r.max_steps - r.step) / rate) : "");
      Flush(stdout);
    }
    return false;
  }
  bool AfterEvaluation(Learner& /*learner*/, const EvalReport& r) override {
    if (!output_.quiet && r.name != "holdout") {
      bar_.Clear();
      fmt::print("eval at step {}:{}\n", r.step, MetricsText(r.metrics));
      Flush(stdout);
    }
    return false;
  }
  void End(Learner& /*learner*/) override { bar_.Clear(); }

 private:
  TrainJobOutput output_;
  int64_t every_steps_ = 1;
  ProgressBar bar_;
  int64_t first_step_ = 0;
  std::chrono::steady_clock::time_point last_line_{};
};

}  // namespace

int RunTrainJob(const std::string& config_path, const std::vector<std::string>& overrides, const std::string& job_dir,
                const TrainJobOutput& output) {
  const bool quiet = output.quiet;
  Job job = PrepareJob(LoadJobConfigWithDir(config_path, overrides, job_dir));
  StopSignalHandler stop;
  JobRunOptions options;
  options.stop_requested = [&stop] { return stop.requested(); };
  const JobResult r = RunJob(job, options, std::make_shared<JobProgress>(output));
  const TrainOutcome& t = r.run.train;
  for (const std::string& problem : t.checkpoint_problems) fmt::print(stderr, "warning: skipped {}\n", problem);
  if (t.resumed_from_step >= 0 && !quiet) fmt::print("resumed from the checkpoint of step {}\n", t.resumed_from_step);
  if (t.interrupted) {
    fmt::print("stopped by {} at step {}; checkpoint {}. Run the same command to continue.\n",
               stop.signal_number() == SIGINT ? "Ctrl-C" : "SIGTERM", t.global_step, t.last_checkpoint);
    return 128 + stop.signal_number();  // 130 or 143, as a shell reports a process the signal ended
  }
  fmt::print("final: step {}{}\n", t.global_step, MetricsText(r.metrics));
  if (!quiet && t.steps > 0) {
    fmt::print("trained {} steps in {:.2f}s ({:.0f} steps/s, evaluations included)\n", t.steps, t.seconds,
               t.seconds > 0 ? static_cast<double>(t.steps) / t.seconds : 0.0);
  }
  const HoldoutResult& held = t.holdout;
  if (held.best_step >= 0 && !quiet) {
    fmt::print(
        "early stopping: holdout loss {:.4f} at step {} ({} of the training rows held out); {} {}{}, the "
        "variables are step {}'s\n",
        held.holdout_loss, held.best_step, r.holdout_rows, held.stopped_early ? "stopped at step" : "ran all",
        t.global_step, held.stopped_early ? "" : " steps", held.best_step);
  }
  if (r.early_stopped) {
    fmt::print("early stopping: no improvement of {} for {} steps; restored the variables of step {}\n",
               job.config.early_stopping_metric, job.config.early_stopping_patience, r.best_step);
  }
  fmt::print("{}", r.doctor_text);
  if (!r.exported.empty() && !quiet) {
    fmt::print("exported {} bundle{}, the last {}\n", r.exported.size(), r.exported.size() == 1 ? "" : "s",
               r.exported.back());
  }
  return 0;
}

}  // namespace lever::cli
