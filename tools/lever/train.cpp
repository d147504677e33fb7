// `lever train`: parse knobs, build the data, model and trainer from the library, print progress.
#include <fmt/core.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "console.h"
#include "flags.h"
#include "train_job.h"
#include "lever/data/csv_dataset.h"
#include "lever/data/playground.h"
#include "lever/error.h"
#include "lever/losses/registry.h"
#include "lever/metrics/multilabel.h"
#include "lever/nn/initializer.h"
#include "lever/nn/mlp.h"
#include "lever/registry.h"
#include "lever/train/hypertune_reporter.h"
#include "lever/train/trainer.h"

namespace lever::cli {
namespace {

struct TrainFlags {
  std::string dataset = "spiral";
  std::string train_file, test_file, label = "label";
  std::string task = "auto", label_vocabulary, positive_class;
  std::string schema, na_values;
  bool standardize = true;
  double validation_split = 0.1;
  long patience = 30;
  std::string job_dir;
  std::string config;
  std::vector<std::string> extras;
  std::string features = "x1,x2";
  double noise = 0;          // Playground units, 0..50
  double train_percent = 50;  // Playground units, 10..90
  int samples = 0;
  std::string hidden = "8,8";
  std::string activation = "tanh";
  std::string initializer = "glorot_uniform";
  double l1 = 0, l2 = 0, dropout = 0;
  bool batch_norm = false;
  std::string loss = "auto";
  std::string optimizer = "adam";
  double learning_rate = 0.01;
  std::vector<std::string> optimizer_options;
  ScheduleSpec schedule;
  std::string boundaries, values;
  long batch_size = 10, steps = 3000, eval_every = 0, stats_every = 0;
  uint64_t seed = 1;
  double clip_norm = 0, clip_value = 0;
  bool quiet = false;
  bool no_progress_bar = false;
};

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// The examples to learn from and to test on, and how to describe them.
struct TrainData {
  Dataset train, test;
  Dataset holdout;  // CSV: training rows held out for early stopping (empty: none)
  bool classification = true;
  std::string default_loss;
  Index outputs = 1;
  std::string description;
  std::string label_decision;  // CSV: what the labels were read as, and why
  LabelEncoding labels;
  std::vector<std::string> summary;  // the data summary's lines (CSV tables)
};

TrainData PlaygroundTrainData(const TrainFlags& f) {
  PlaygroundSpec data_spec;
  data_spec.dataset = f.dataset;
  data_spec.features = Split(f.features);
  data_spec.noise = f.noise / 100.0;
  data_spec.train_ratio = f.train_percent / 100.0;
  data_spec.num_samples = f.samples;
  data_spec.seed = f.seed;
  if (!(f.noise >= 0 && f.noise <= 50)) throw ConfigError("--noise is the Playground's 0-50 scale, got " + fmt::format("{}", f.noise));
  if (!(f.train_percent >= 10 && f.train_percent <= 90)) {
    throw ConfigError("--train-percent must be in 10..90 (the Playground's ratio of training data), got " +
                      fmt::format("{}", f.train_percent));
  }
  PlaygroundData data = MakePlaygroundData(data_spec);
  TrainData d;
  d.classification = data.classification;
  d.default_loss = data.classification ? "sigmoid_cross_entropy" : "mean_squared_error";
  d.description = fmt::format("{} ({} train, {} test, noise {}), features {}", f.dataset, data.train.size(),
                              data.test.size(), f.noise, f.features);
  d.train = std::move(data.train);
  d.test = std::move(data.test);
  return d;
}

// A numeric CSV table: every column but --label is a feature; the labels decide the task.
TrainData FileTrainData(const TrainFlags& f) {
  if (f.test_file.empty()) {
    throw ConfigError("--train-file needs a --test-file to evaluate on (the held-out examples every reported "
                      "metric is measured on)");
  }
  CsvOptions csv;
  if (f.train_file.size() >= 4 && f.train_file.ends_with(".tsv")) csv.delimiter = '\t';
  const std::vector<std::string> na_values = f.na_values.empty() ? DefaultMissingValues() : Split(f.na_values);
  std::optional<Schema> declared;
  if (!f.schema.empty()) {
    declared = LoadSchema(f.schema);
    if (!f.na_values.empty()) declared->missing_values = na_values;
  }
  LabelOptions label_options;
  label_options.task = f.task;
  // A loss names the task when --task does not.
  const std::string loss = f.loss == "auto" ? "auto" : CanonicalLossName(f.loss);
  if (f.task == "auto" && loss != "auto") {
    label_options.task = loss == "sigmoid_cross_entropy"          ? "binary"
                         : loss == "sparse_softmax_cross_entropy" ? "multi_class"
                         : IsClassificationLoss(loss)             ? "auto"
                                                                  : "regression";
  }
  if (!f.label_vocabulary.empty()) label_options.vocabulary = Split(f.label_vocabulary);
  label_options.positive_class = f.positive_class;
  CsvDataset train =
      ReadCsvDataset(f.train_file, f.label, declared ? &*declared : nullptr, csv, {}, label_options, na_values);
  CsvDataset test = ReadCsvDataset(f.test_file, train, csv);
  // Missing values take the training mean, in the training and the test file alike.
  const Imputer imputer = Imputer::Fit(train.data);
  imputer.Apply(train.data.features);
  imputer.Apply(test.data.features);
  imputer.Describe(train.summary);
  if (f.standardize) {
    const Standardizer z = Standardizer::Fit(train.data.features);
    z.Apply(train.data.features);
    z.Apply(test.data.features);
  }
  TrainData d;
  d.labels = train.labels;
  d.classification = train.labels.task != Task::kRegression;
  d.default_loss = train.labels.DefaultLoss();
  d.outputs = train.labels.Outputs();
  d.label_decision = train.labels.explanation;
  d.description = fmt::format("{} ({} train, {} test), {} features{}", f.train_file, train.data.size(),
                              test.data.size(), train.data.num_features(), f.standardize ? " (standardized)" : "");
  d.summary = train.summary.Lines();
  if (!(f.validation_split >= 0.0 && f.validation_split < 1.0)) {
    throw ConfigError(fmt::format("--validation-split is a share of the training rows in [0, 1), got {}", f.validation_split));
  }
  if (f.patience < 0) throw ConfigError(fmt::format("--patience is a number of checks >= 0, got {}", f.patience));
  if (f.validation_split > 0.0 && f.patience > 0) {
    auto [rest, holdout] = SplitHoldout(train.data, f.validation_split, f.seed);
    d.train = std::move(rest);
    d.holdout = std::move(holdout);
  } else {
    d.train = std::move(train.data);
  }
  d.test = std::move(test.data);
  return d;
}

// Reports each evaluation to a tuner (CLOUD_ML_HP_METRIC_FILE) and to <job-dir>/eval.jsonl.
class RunReporter : public TrainingCallback {
 public:
  RunReporter(HypertuneReporter tuner, std::string eval_log) : tuner_(std::move(tuner)), eval_log_(std::move(eval_log)) {}
  bool OnEvaluation(const EvalInfo& info) override {
    const EvalMetrics& m = info.validation ? *info.validation : info.train;
    std::vector<std::pair<std::string, double>> metrics{{"loss", m.loss}};
    if (!std::isnan(m.accuracy)) metrics.emplace_back("accuracy", m.accuracy);
    tuner_.Report(info.step, metrics);
    if (!eval_log_.empty()) {
      nlohmann::ordered_json line{{"step", info.step}, {"wall_time", info.elapsed_seconds}, {"train_loss", info.train.loss}};
      if (!std::isnan(info.train.accuracy)) line["train_accuracy"] = info.train.accuracy;
      if (info.validation) {
        line["test_loss"] = info.validation->loss;
        if (!std::isnan(info.validation->accuracy)) line["test_accuracy"] = info.validation->accuracy;
      }
      std::ofstream out(eval_log_, std::ios::app);
      out << line.dump() << '\n';
      if (!out) throw IoError("cannot append to " + eval_log_);
    }
    return false;
  }

 private:
  HypertuneReporter tuner_;
  std::string eval_log_;
};

int Run(const TrainFlags& f) {
  const TrainData data = f.train_file.empty() ? PlaygroundTrainData(f) : FileTrainData(f);

  MlpSpec mlp;
  mlp.hidden = ParseLayerSizes(f.hidden);
  mlp.activation = f.activation;
  mlp.initializer = f.initializer;
  mlp.regularizer = {f.l1, f.l2};
  mlp.dropout = f.dropout;
  mlp.batch_norm = f.batch_norm;
  mlp.outputs = data.outputs;
  Sequential model = MakeMlp(mlp);

  TrainConfig config;
  config.loss = f.loss == "auto" ? data.default_loss : f.loss;
  config.batch_size = f.batch_size;
  config.max_steps = f.steps;
  config.seed = f.seed;
  config.clip_norm = f.clip_norm;
  config.clip_value = f.clip_value;
  config.eval_every = f.eval_every > 0 ? f.eval_every : std::max<long>(1, f.steps / 10);
  config.statistics_every = f.stats_every;
  config.optimizer.name = f.optimizer;
  config.optimizer.learning_rate = f.learning_rate;
  AddOptimizerOptions(f.optimizer_options, config.optimizer);
  if (f.schedule.name != "constant") {
    ScheduleSpec s = f.schedule;
    s.learning_rate = f.learning_rate;
    if (!f.boundaries.empty()) {
      for (const auto& b : Split(f.boundaries)) s.boundaries.push_back(static_cast<int64_t>(ParseNumber(b, "--boundaries")));
    }
    if (!f.values.empty()) {
      for (const auto& v : Split(f.values)) s.values.push_back(ParseNumber(v, "--values"));
    }
    config.optimizer.schedule = MakeSchedule(s);
  }
  config.Validate();
  model.Build(data.train.num_features(), f.seed);
  Trainer trainer(model, config);
  const bool classification = IsClassificationLoss(config.loss);
  ConsoleProgress progress(classification, !f.no_progress_bar && IsTerminal(stdout));
  std::string eval_log;
  if (!f.job_dir.empty()) {
    std::error_code error;
    std::filesystem::create_directories(f.job_dir, error);
    if (error) throw IoError("cannot create the job directory " + f.job_dir + ": " + error.message());
    eval_log = (std::filesystem::path(f.job_dir) / "eval.jsonl").string();
    std::filesystem::remove(eval_log, error);  // a rerun in the same directory starts a fresh log
  }
  RunReporter reporter(HypertuneReporter::FromEnvironment(), eval_log);
  trainer.AddCallback(&reporter);
  if (data.holdout.size() > 0) trainer.SetEarlyStopping(data.holdout, {.patience = f.patience});
  if (!f.quiet) {
    fmt::print("{}", model.Summary());
    fmt::print("data: {}\n", data.description);
    if (!data.label_decision.empty()) fmt::print("{}\n", data.label_decision);
    for (const std::string& line : data.summary) fmt::print("  {}\n", line);
    fmt::print("loss: {}  optimizer: {}  batch {}  steps {}  seed {}\n", CanonicalLossName(config.loss),
               trainer.optimizer().Describe(), config.batch_size, config.max_steps, config.seed);
    trainer.AddCallback(&progress);
  }
  const TrainResult r = trainer.Train(data.train, &data.test);
  // Multi-label: per-label figures on the test file (accuracy above is per (example, label) pair).
  const bool multi_label = data.labels.task == Task::kMultiLabel;
  const auto labels_metrics = multi_label ? MultiLabelMetrics(trainer.Predict(data.test.features), data.test.labels,
                                                              data.labels.classes)
                                          : std::map<std::string, double>{};
  fmt::print("final: train loss {:.4f}  test loss {:.4f}", r.train.loss, r.validation->loss);
  if (classification) fmt::print("  train accuracy {:.4f}  test accuracy {:.4f}", r.train.accuracy, r.validation->accuracy);
  if (multi_label) {
    fmt::print("\n       test: mean AUC {:.4f}  subset accuracy {:.4f}\n      ", labels_metrics.at("auc"),
               labels_metrics.at("accuracy"));
    for (const std::string& name : data.labels.classes) {
      fmt::print(" {}: AUC {:.4f} accuracy {:.4f};", name, labels_metrics.at("auc/" + name),
                 labels_metrics.at("accuracy/" + name));
    }
  }
  fmt::print("\n       {} steps in {:.2f}s ({:.0f} steps/s)  regularization loss {:.4f}  nonzero weights {}/{}\n", r.steps,
             r.training_seconds, r.steps_per_second, r.regularization_loss, r.nonzero_weights, r.kernel_weights);
  if (r.best_step >= 0) {
    fmt::print("       early stopping: holdout loss {:.4f} at step {} ({} of the training rows held out); {}\n",
               r.holdout_loss, r.best_step, data.holdout.size(),
               r.stopped_early ? fmt::format("stopped at step {}, the weights are step {}'s", r.steps, r.best_step)
                               : fmt::format("ran all {} steps, the weights are step {}'s", r.steps, r.best_step));
  }
  const std::string not_converged =
      r.convergence.converged ? "" : fmt::format("not converged: the training loss still fell {:.1f}% over the last "
                                                 "tenth of {} steps (more than {:.0f}%); raise --steps or --learning-rate",
                                                 100.0 * r.convergence.change, r.convergence.iterations,
                                                 100.0 * r.convergence.tolerance);
  std::fflush(stdout);
  if (!not_converged.empty()) fmt::print(stderr, "warning: {}\n", not_converged);
  if (!f.job_dir.empty()) {
    nlohmann::ordered_json result{{"steps", r.steps},
                                  {"loss", CanonicalLossName(config.loss)},
                                  {"train_loss", r.train.loss},
                                  {"test_loss", r.validation->loss},
                                  {"training_seconds", r.training_seconds},
                                  {"regularization_loss", r.regularization_loss},
                                  {"nonzero_weights", r.nonzero_weights},
                                  {"kernel_weights", r.kernel_weights}};
    if (!data.label_decision.empty()) {
      result["task"] = TaskName(data.labels.task);
      if (!data.labels.classes.empty()) result["classes"] = data.labels.classes;
    }
    if (r.best_step >= 0) {
      result["early_stopping"] = {{"holdout_rows", data.holdout.size()},
                                  {"best_step", r.best_step},
                                  {"holdout_loss", r.holdout_loss},
                                  {"stopped_early", r.stopped_early}};
    }
    result["convergence"] = {{"converged", r.convergence.converged},
                             {"change", r.convergence.change},
                             {"tolerance", r.convergence.tolerance},
                             {"reason", not_converged}};
    if (classification) {
      result["train_accuracy"] = r.train.accuracy;
      result["test_accuracy"] = r.validation->accuracy;
    }
    if (multi_label) {
      result["test_auc"] = labels_metrics.at("auc");
      result["test_subset_accuracy"] = labels_metrics.at("accuracy");
      nlohmann::ordered_json per_label = nlohmann::ordered_json::object();
      for (const std::string& name : data.labels.classes) {
        per_label[name] = {{"auc", labels_metrics.at("auc/" + name)}, {"accuracy", labels_metrics.at("accuracy/" + name)}};
      }
      result["per_label"] = per_label;
    }
    const std::string path = (std::filesystem::path(f.job_dir) / "result.json").string();
    std::ofstream out(path);
    out << result.dump(2) << '\n';
    if (!out) throw IoError("cannot write " + path);
  }
  return 0;
}

}  // namespace

Command RegisterTrain(CLI::App& app) {
  auto f = std::make_shared<TrainFlags>();
  CLI::App* cmd = app.add_subcommand("train", "Train a network on a built-in TensorFlow Playground dataset or a numeric CSV table");
  cmd->add_option("--dataset", f->dataset, "circle, xor, gauss, spiral (classification); plane, multigauss (regression)")
      ->capture_default_str();
  cmd->add_option("--train-file", f->train_file, "numeric CSV table to train on instead of a Playground dataset (header row; every column but --label is a feature)");
  cmd->add_option("--test-file", f->test_file, "numeric CSV table to evaluate on (same columns as --train-file)");
  cmd->add_option("--schema", f->schema, "schema YAML declaring the column types of --train-file (default: inferred from it)");
  cmd->add_option("--na-values", f->na_values,
                  "comma-separated texts that mean missing (default: empty, NA, N/A, NaN, nan, null, NULL, ?); "
                  "missing feature values take the training mean");
  cmd->add_option("--label", f->label,
                  "the label column of --train-file/--test-file (numbers or text): text or two values binary, 0..k-1 "
                  "(k <= 32) classes, else regression; several, a,b,c, for a multi-label task (each column two "
                  "values, one sigmoid output each); the decision is printed")
      ->capture_default_str();
  cmd->add_option("--task", f->task, "auto, binary, multi_class, regression or multi_label: overrides the decision from the labels")
      ->capture_default_str();
  cmd->add_option("--label-vocabulary", f->label_vocabulary,
                  "the classes in id order, comma-separated (e.g. no,yes); every training label must be one");
  cmd->add_option("--positive-class", f->positive_class, "binary: the class that is 1 (default: the second sorted value)");
  cmd->add_flag("--standardize,!--no-standardize", f->standardize,
                "standardize CSV features with the training file's mean and standard deviation (default on)");
  cmd->add_option("--validation-split", f->validation_split,
                  "CSV: the share of training rows held out for early stopping, in [0, 1) (0 = none)")
      ->capture_default_str();
  cmd->add_option("--patience", f->patience,
                  "CSV: stop after this many holdout checks (one every steps / 100) without a lower holdout loss, "
                  "and keep the best check's weights (0 = no early stopping)")
      ->capture_default_str();
  cmd->add_option("--config", f->config,
                  "a run config (YAML: data, feature columns, estimator, train, eval, run); any key can then be "
                  "overridden with --key.path=value, e.g. --train.max_steps=500");
  cmd->allow_extras();
  cmd->add_option("--job-dir,--job_dir", f->job_dir, "directory for this run's eval.jsonl and result.json (a tuner gives one per trial)");
  cmd->add_option("--features", f->features, "comma-separated inputs: x1, x2, x1_sq, x2_sq, x1_x2, sin_x1, sin_x2")
      ->capture_default_str();
  cmd->add_option("--noise", f->noise, "label noise on the Playground's 0-50 scale")->capture_default_str();
  cmd->add_option("--train-percent", f->train_percent, "percent of points used for training (10-90)")->capture_default_str();
  cmd->add_option("--samples", f->samples, "points to generate (0 = Playground's 500 / 1200)")->capture_default_str();
  cmd->add_option("--hidden,--hidden_units", f->hidden, "units per hidden layer, e.g. 8,8 (empty = linear model)")->capture_default_str();
  cmd->add_option("--activation", f->activation, JoinNames(ActivationNames()) + " (leaky_relu, prelu, elu: [:alpha])")
      ->capture_default_str();
  cmd->add_option("--initializer", f->initializer, JoinNames(InitializerNames()))->capture_default_str();
  cmd->add_option("--l1", f->l1, "L1 strength on every kernel (proximal: exact zeros)")->capture_default_str();
  cmd->add_option("--l2", f->l2, "L2 strength on every kernel")->capture_default_str();
  cmd->add_option("--dropout", f->dropout, "dropout rate after every hidden layer, [0, 1)")->capture_default_str();
  cmd->add_flag("--batch-norm", f->batch_norm, "batch normalization before every hidden activation");
  cmd->add_option("--loss", f->loss, "auto, " + JoinNames(LossNames()) + " (softmax: sparse)")->capture_default_str();
  cmd->add_option("--optimizer", f->optimizer, JoinNames(OptimizerNames()))->capture_default_str();
  cmd->add_option("--learning-rate,--learning_rate,--lr", f->learning_rate, "initial learning rate")->capture_default_str();
  cmd->add_option("--opt", f->optimizer_options, "optimizer option key=value, repeatable (e.g. --opt beta1=0.95)");
  cmd->add_option("--lr-schedule", f->schedule.name, JoinNames(ScheduleNames()))->capture_default_str();
  cmd->add_option("--decay-steps", f->schedule.decay_steps, "exponential/cosine: steps per decay period");
  cmd->add_option("--decay-rate", f->schedule.decay_rate, "exponential: factor per decay period")->capture_default_str();
  cmd->add_flag("--staircase", f->schedule.staircase, "exponential: decay in whole periods");
  cmd->add_option("--boundaries", f->boundaries, "step: comma-separated step boundaries");
  cmd->add_option("--values", f->values, "step: comma-separated rates, one more than boundaries");
  cmd->add_option("--alpha", f->schedule.alpha, "cosine: final rate as a fraction of the initial one");
  cmd->add_option("--warmup-steps", f->schedule.warmup_steps, "cosine: linear warm-up steps");
  cmd->add_option("--batch-size,--batch_size", f->batch_size, "examples per step")->capture_default_str();
  cmd->add_option("--steps", f->steps, "training steps (not epochs)")->capture_default_str();
  cmd->add_option("--seed", f->seed, "seed for data, initialization, batching and dropout")->capture_default_str();
  cmd->add_option("--clip-norm", f->clip_norm, "clip gradients by global norm (0 = off)")->capture_default_str();
  cmd->add_option("--clip-value", f->clip_value, "clip each gradient element to [-v, v] (0 = off)")->capture_default_str();
  cmd->add_option("--eval-every", f->eval_every, "evaluate every N steps (0 = ten times per run)");
  cmd->add_option("--stats-every", f->stats_every, "print gradient/weight/activation statistics every N steps (0 = off)");
  cmd->add_flag("--quiet,-q", f->quiet, "print only the final result");
  cmd->add_flag("--no-progress-bar", f->no_progress_bar,
                "on a terminal, print only the evaluation lines (no bar redrawn in place between them)");
  return [f, cmd] {
    std::vector<std::string> overrides;
    for (const std::string& extra : cmd->remaining()) {
      if (f->config.empty() || extra.rfind("--", 0) != 0 || extra.find('=') == std::string::npos) {
        throw ConfigError("unknown argument '" + extra + "'" +
                          (f->config.empty() ? std::string(" (--key.path=value overrides need --config)")
                                             : std::string("; overrides are --key.path=value")));
      }
      overrides.push_back(extra.substr(2));
    }
    if (!f->config.empty()) {
      return RunTrainJob(f->config, overrides, f->job_dir,
                         {.quiet = f->quiet, .progress_bar = !f->no_progress_bar && IsTerminal(stdout)});
    }
    return Run(*f);
  };
}

}  // namespace lever::cli
