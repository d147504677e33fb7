// `lever train`: flags into a TrainingRun (lever/train/training_run.h), or a run config into a job
// (train_job.h); the CLI prints what the library reports.
#include <fmt/core.h>

#include <cstdio>

#include "commands.h"
#include "console.h"
#include "data_flags.h"
#include "flags.h"
#include "lever/error.h"
#include "lever/losses/registry.h"
#include "lever/nn/activation.h"
#include "lever/nn/initializer.h"
#include "lever/registry.h"
#include "lever/train/training_run.h"
#include "schedule_flags.h"
#include "train_job.h"

namespace lever::cli {
namespace {

// The flags: a run's spec, and the texts that become lists.
struct TrainFlags {
  TrainingRunSpec spec;
  DataFlags data;
  std::string hidden = "8,8", config;
  std::vector<std::string> optimizer_options;
  ScheduleFlags schedule;
  bool quiet = false, no_progress_bar = false;
};

int Run(TrainFlags& f, const CLI::App& cmd) {
  TrainingRunSpec spec = f.spec;
  f.data.ApplyTo(spec);
  const auto chose = [&cmd](const char* flag) { return cmd.get_option(flag)->count() > 0; };
  spec.mlp.hidden = ParseLayerSizes(f.hidden);
  spec.UseTableDefaults({.hidden = chose("--hidden"),
                         .activation = chose("--activation"),
                         .optimizer = chose("--optimizer"),
                         .learning_rate = chose("--learning-rate"),
                         .batch_size = chose("--batch-size"),
                         .steps = chose("--steps")});
  spec.data.loss = spec.config.loss;
  spec.data.seed = spec.config.seed;
  AddOptimizerOptions(f.optimizer_options, spec.config.optimizer);
  f.schedule.ApplyTo(spec.config.optimizer);
  TrainingRun run(spec);
  const TrainConfig& c = run.config();
  ConsoleProgress progress(IsClassificationLoss(c.loss), !f.no_progress_bar && IsTerminal(stdout));
  progress.ShowStatistics(f.spec.config.statistics_every > 0);  // not the doctor's own samples
  if (!f.quiet) {
    WriteToStdout(run.Header());
    run.trainer().AddHook(&progress);
  }
  const TrainingOutcome o = run.Run();
  fmt::print("{}{}", o.Text(), o.doctor_text);
  Flush(stdout);
  if (!o.not_converged.empty()) fmt::print(stderr, "warning: {}\n", o.not_converged);
  return 0;
}

}  // namespace

Command RegisterTrain(CLI::App& app) {
  auto f = std::make_shared<TrainFlags>();
  CLI::App* cmd =
      app.add_subcommand("train", "Train a network on a built-in TensorFlow Playground dataset or a numeric CSV table");
  f->data.Add(cmd, f->spec);
  cmd->add_option("--config", f->config,
                  "a run config (YAML: data, feature columns, estimator, train, eval, run); any key can then be "
                  "overridden with --key.path=value, e.g. --train.max_steps=500");
  cmd->allow_extras();
  cmd->add_option(
      "--job-dir,--job_dir", f->spec.job_dir,
      "directory for this run's run log (events.jsonl, eval/, TensorBoard files) and result.json (a tuner gives "
      "one per trial)");
  cmd->add_option("--hidden,--hidden_units", f->hidden,
                  "units per hidden layer, e.g. 8,8 (empty = linear model); a CSV table's default is 64,32, as in a "
                  "run config (so are --activation relu, --optimizer adagrad, --lr 0.05, --batch-size 32, --steps "
                  "1000)")
      ->capture_default_str();
  cmd->add_option("--activation", f->spec.mlp.activation,
                  JoinNames(ActivationNames()) + " (leaky_relu, prelu, elu: [:alpha]); a CSV table's default: relu")
      ->capture_default_str();
  cmd->add_option("--initializer", f->spec.mlp.initializer, JoinNames(InitializerNames()))->capture_default_str();
  cmd->add_option("--l1", f->spec.mlp.regularizer.l1, "L1 strength on every kernel (proximal: exact zeros)")
      ->capture_default_str();
  cmd->add_option("--l2", f->spec.mlp.regularizer.l2, "L2 strength on every kernel")->capture_default_str();
  cmd->add_option("--dropout", f->spec.mlp.dropout, "dropout rate after every hidden layer, [0, 1)")
      ->capture_default_str();
  cmd->add_flag("--batch-norm", f->spec.mlp.batch_norm, "batch normalization before every hidden activation");
  cmd->add_option("--loss", f->spec.config.loss, "auto, " + JoinNames(LossNames()) + " (softmax: sparse)")
      ->capture_default_str();
  cmd->add_option("--optimizer", f->spec.config.optimizer.name, JoinNames(OptimizerNames()))->capture_default_str();
  cmd->add_option("--learning-rate,--learning_rate,--lr", f->spec.config.optimizer.learning_rate,
                  "initial learning rate")
      ->capture_default_str();
  cmd->add_option("--opt", f->optimizer_options, "optimizer option key=value, repeatable (e.g. --opt beta1=0.95)");
  f->schedule.Add(cmd);
  cmd->add_option("--batch-size,--batch_size", f->spec.config.batch_size, "examples per step")->capture_default_str();
  cmd->add_option("--steps", f->spec.config.max_steps, "training steps (not epochs)")->capture_default_str();
  cmd->add_option("--seed", f->spec.config.seed, "seed for data, initialization, batching and dropout")
      ->capture_default_str();
  cmd->add_option("--clip-norm", f->spec.config.clip_norm, "clip gradients by global norm (0 = off)")
      ->capture_default_str();
  cmd->add_option("--clip-value", f->spec.config.clip_value, "clip each gradient element to [-v, v] (0 = off)")
      ->capture_default_str();
  cmd->add_option("--eval-every", f->spec.config.eval_every, "evaluate every N steps (0 = ten times per run)");
  cmd->add_option("--stats-every", f->spec.config.statistics_every,
                  "print gradient/weight/activation statistics every N steps (0 = off)");
  cmd->add_flag("--doctor", f->spec.doctor,
                "the training doctor: read the loss curves and gradient/activation statistics, and at the end say "
                "what is wrong and which knob to turn (with --job-dir: doctor.json); docs/doctor.md");
  cmd->add_flag("--quiet,-q", f->quiet, "print only the final result");
  cmd->add_flag("--no-progress-bar", f->no_progress_bar,
                "on a terminal, print only the evaluation lines (no bar redrawn in place between them)");
  return [f, cmd] {
    if (f->config.empty()) {
      if (!cmd->remaining().empty()) {
        throw ConfigError("unknown argument '" + cmd->remaining().front() +
                          "' (--key.path=value overrides need --config)");
      }
      return Run(*f, *cmd);
    }
    return RunTrainJob(f->config, ConfigOverrides(cmd), f->spec.job_dir,
                       {.quiet = f->quiet, .progress_bar = !f->no_progress_bar && IsTerminal(stdout)});
  };
}

}  // namespace lever::cli
