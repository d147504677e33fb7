// `lever train`: flags into a TrainingRun (lever/train/training_run.h), or a run config into a job
// (train_job.h); the CLI prints what the library reports.
#include <fmt/core.h>

#include <cstdio>

#include "commands.h"
#include "console.h"
#include "flags.h"
#include "lever/error.h"
#include "lever/losses/registry.h"
#include "lever/nn/activation.h"
#include "lever/nn/initializer.h"
#include "lever/optim/schedule.h"
#include "lever/registry.h"
#include "lever/train/training_run.h"
#include "train_job.h"

namespace lever::cli {
namespace {

// The flags: a run's spec, and the texts that become lists.
struct TrainFlags {
  TrainingRunSpec spec;
  std::string features = "x1,x2", hidden = "8,8", label_vocabulary, na_values, boundaries, values, config;
  std::vector<std::string> optimizer_options;
  ScheduleSpec schedule;
  bool quiet = false, no_progress_bar = false;
};

int Run(TrainFlags& f) {
  TrainingRunSpec spec = f.spec;
  spec.data.features = SplitNames(f.features);
  if (!f.label_vocabulary.empty()) spec.data.label_vocabulary = SplitNames(f.label_vocabulary);
  if (!f.na_values.empty()) spec.data.na_values = SplitNames(f.na_values);
  spec.data.loss = spec.config.loss;
  spec.data.seed = spec.config.seed;
  spec.mlp.hidden = ParseLayerSizes(f.hidden);
  AddOptimizerOptions(f.optimizer_options, spec.config.optimizer);
  if (f.schedule.name != "constant") {
    ScheduleSpec s = f.schedule;
    s.learning_rate = spec.config.optimizer.learning_rate;
    for (const auto& b : f.boundaries.empty() ? std::vector<std::string>{} : SplitNames(f.boundaries))
      s.boundaries.push_back(static_cast<int64_t>(ParseNumber(b, "--boundaries")));
    for (const auto& v : f.values.empty() ? std::vector<std::string>{} : SplitNames(f.values))
      s.values.push_back(ParseNumber(v, "--values"));
    spec.config.optimizer.schedule = MakeSchedule(s);
  }
  TrainingRun run(spec);
  const TrainingData& data = run.data();
  const TrainConfig& c = run.config();
  ConsoleProgress progress(IsClassificationLoss(c.loss), !f.no_progress_bar && IsTerminal(stdout));
  if (!f.quiet) {
    fmt::print("{}data: {}\n", run.model().Summary(), data.description);
    if (!data.label_decision.empty()) fmt::print("{}\n", data.label_decision);
    for (const std::string& line : data.summary) fmt::print("  {}\n", line);
    fmt::print("loss: {}  optimizer: {}  batch {}  steps {}  seed {}\n", CanonicalLossName(c.loss),
               run.trainer().optimizer().Describe(), c.batch_size, c.max_steps, c.seed);
    run.trainer().AddHook(&progress);
  }
  const TrainingOutcome o = run.Run();
  fmt::print("{}", o.Text());
  Flush(stdout);
  if (!o.not_converged.empty()) fmt::print(stderr, "warning: {}\n", o.not_converged);
  return 0;
}

}  // namespace

Command RegisterTrain(CLI::App& app) {
  auto f = std::make_shared<TrainFlags>();
  CLI::App* cmd =
      app.add_subcommand("train", "Train a network on a built-in TensorFlow Playground dataset or a numeric CSV table");
  cmd->add_option("--dataset", f->spec.data.dataset,
                  "circle, xor, gauss, spiral (classification); plane, multigauss (regression)")
      ->capture_default_str();
  cmd->add_option("--train-file", f->spec.data.train_file,
                  "numeric CSV table to train on instead of a Playground dataset (header row; every column but --label "
                  "is a feature)");
  cmd->add_option("--test-file", f->spec.data.test_file,
                  "numeric CSV table to evaluate on (same columns as --train-file)");
  cmd->add_option("--schema", f->spec.data.schema,
                  "schema YAML declaring the column types of --train-file (default: inferred from it)");
  cmd->add_option("--na-values", f->na_values,
                  "comma-separated texts that mean missing (default: empty, NA, N/A, NaN, nan, null, NULL, ?); "
                  "missing feature values take the training mean");
  cmd->add_option("--label", f->spec.data.label,
                  "the label column of --train-file/--test-file (numbers or text): text or two values binary, 0..k-1 "
                  "(k <= 32) classes, else regression; several, a,b,c, for a multi-label task (each column two "
                  "values, one sigmoid output each); the decision is printed")
      ->capture_default_str();
  cmd->add_option("--task", f->spec.data.task,
                  "auto, binary, multi_class, regression or multi_label: overrides the decision from the labels")
      ->capture_default_str();
  cmd->add_option("--label-vocabulary", f->label_vocabulary,
                  "the classes in id order, comma-separated (e.g. no,yes); every training label must be one");
  cmd->add_option("--positive-class", f->spec.data.positive_class,
                  "binary: the class that is 1 (default: the second sorted value)");
  cmd->add_flag("--standardize,!--no-standardize", f->spec.data.standardize,
                "standardize CSV features with the training file's mean and standard deviation (default on)");
  cmd->add_option("--validation-split", f->spec.data.validation_split,
                  "CSV: the share of training rows held out for early stopping, in [0, 1) (0 = none)")
      ->capture_default_str();
  cmd->add_option("--patience", f->spec.patience,
                  "CSV: stop after this many holdout checks (one every steps / 100) without a lower holdout loss, "
                  "and keep the best check's weights (0 = no early stopping)")
      ->capture_default_str();
  cmd->add_option("--config", f->config,
                  "a run config (YAML: data, feature columns, estimator, train, eval, run); any key can then be "
                  "overridden with --key.path=value, e.g. --train.max_steps=500");
  cmd->allow_extras();
  cmd->add_option("--job-dir,--job_dir", f->spec.job_dir,
                  "directory for this run's eval.jsonl and result.json (a tuner gives one per trial)");
  cmd->add_option("--features", f->features, "comma-separated inputs: x1, x2, x1_sq, x2_sq, x1_x2, sin_x1, sin_x2")
      ->capture_default_str();
  cmd->add_option("--noise", f->spec.data.noise, "label noise on the Playground's 0-50 scale")->capture_default_str();
  cmd->add_option("--train-percent", f->spec.data.train_percent, "percent of points used for training (10-90)")
      ->capture_default_str();
  cmd->add_option("--samples", f->spec.data.samples, "points to generate (0 = Playground's 500 / 1200)")
      ->capture_default_str();
  cmd->add_option("--hidden,--hidden_units", f->hidden, "units per hidden layer, e.g. 8,8 (empty = linear model)")
      ->capture_default_str();
  cmd->add_option("--activation", f->spec.mlp.activation,
                  JoinNames(ActivationNames()) + " (leaky_relu, prelu, elu: [:alpha])")
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
  cmd->add_option("--lr-schedule", f->schedule.name, JoinNames(ScheduleNames()))->capture_default_str();
  cmd->add_option("--decay-steps", f->schedule.decay_steps, "exponential/cosine: steps per decay period");
  cmd->add_option("--decay-rate", f->schedule.decay_rate, "exponential: factor per decay period")
      ->capture_default_str();
  cmd->add_flag("--staircase", f->schedule.staircase, "exponential: decay in whole periods");
  cmd->add_option("--boundaries", f->boundaries, "step: comma-separated step boundaries");
  cmd->add_option("--values", f->values, "step: comma-separated rates, one more than boundaries");
  cmd->add_option("--alpha", f->schedule.alpha, "cosine: final rate as a fraction of the initial one");
  cmd->add_option("--warmup-steps", f->schedule.warmup_steps, "cosine: linear warm-up steps");
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
  cmd->add_flag("--quiet,-q", f->quiet, "print only the final result");
  cmd->add_flag("--no-progress-bar", f->no_progress_bar,
                "on a terminal, print only the evaluation lines (no bar redrawn in place between them)");
  return [f, cmd] {
    if (f->config.empty()) {
      if (!cmd->remaining().empty()) {
        throw ConfigError("unknown argument '" + cmd->remaining().front() +
                          "' (--key.path=value overrides need --config)");
      }
      return Run(*f);
    }
    return RunTrainJob(f->config, ConfigOverrides(cmd), f->spec.job_dir,
                       {.quiet = f->quiet, .progress_bar = !f->no_progress_bar && IsTerminal(stdout)});
  };
}

}  // namespace lever::cli
