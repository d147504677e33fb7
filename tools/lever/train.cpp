// `lever train`: parse knobs, build the data, model and trainer from the library, print progress.
#include <fmt/core.h>

#include <map>

#include "commands.h"
#include "console.h"
#include "flags.h"
#include "lever/data/playground.h"
#include "lever/error.h"
#include "lever/losses/registry.h"
#include "lever/nn/mlp.h"
#include "lever/train/trainer.h"

namespace lever::cli {
namespace {

struct TrainFlags {
  std::string dataset = "spiral";
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

int Run(const TrainFlags& f) {
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
  const PlaygroundData data = MakePlaygroundData(data_spec);

  MlpSpec mlp;
  mlp.hidden = ParseLayerSizes(f.hidden);
  mlp.activation = f.activation;
  mlp.initializer = f.initializer;
  mlp.regularizer = {f.l1, f.l2};
  mlp.dropout = f.dropout;
  mlp.batch_norm = f.batch_norm;
  Sequential model = MakeMlp(mlp);

  TrainConfig config;
  config.loss = f.loss == "auto" ? (data.classification ? "sigmoid_cross_entropy" : "mean_squared_error") : f.loss;
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
  ConsoleProgress progress(classification);
  if (!f.quiet) {
    fmt::print("{}", model.Summary());
    fmt::print("data: {} ({} train, {} test, noise {}), features {}\n", f.dataset, data.train.size(), data.test.size(),
               f.noise, f.features);
    fmt::print("loss: {}  optimizer: {}  batch {}  steps {}  seed {}\n", CanonicalLossName(config.loss),
               trainer.optimizer().Describe(), config.batch_size, config.max_steps, config.seed);
    trainer.AddCallback(&progress);
  }
  const TrainResult r = trainer.Train(data.train, &data.test);
  fmt::print("final: train loss {:.4f}  test loss {:.4f}", r.train.loss, r.validation->loss);
  if (classification) fmt::print("  train accuracy {:.4f}  test accuracy {:.4f}", r.train.accuracy, r.validation->accuracy);
  fmt::print("\n       {} steps in {:.2f}s ({:.0f} steps/s)  regularization loss {:.4f}  nonzero weights {}/{}\n", r.steps,
             r.training_seconds, r.steps_per_second, r.regularization_loss, r.nonzero_weights, r.kernel_weights);
  return 0;
}

}  // namespace

Command RegisterTrain(CLI::App& app) {
  auto f = std::make_shared<TrainFlags>();
  CLI::App* cmd = app.add_subcommand("train", "Train a network on a built-in TensorFlow Playground dataset");
  cmd->add_option("--dataset", f->dataset, "circle, xor, gauss, spiral (classification); plane, multigauss (regression)")
      ->capture_default_str();
  cmd->add_option("--features", f->features, "comma-separated inputs: x1, x2, x1_sq, x2_sq, x1_x2, sin_x1, sin_x2")
      ->capture_default_str();
  cmd->add_option("--noise", f->noise, "label noise on the Playground's 0-50 scale")->capture_default_str();
  cmd->add_option("--train-percent", f->train_percent, "percent of points used for training (10-90)")->capture_default_str();
  cmd->add_option("--samples", f->samples, "points to generate (0 = Playground's 500 / 1200)")->capture_default_str();
  cmd->add_option("--hidden", f->hidden, "units per hidden layer, e.g. 8,8 (empty = linear model)")->capture_default_str();
  cmd->add_option("--activation", f->activation, "linear, sigmoid, tanh, relu, leaky_relu[:alpha], prelu, elu[:alpha]")
      ->capture_default_str();
  cmd->add_option("--initializer", f->initializer, "glorot_uniform, glorot_normal, he_normal, he_uniform, lecun_normal, zeros")
      ->capture_default_str();
  cmd->add_option("--l1", f->l1, "L1 strength on every kernel (proximal: exact zeros)")->capture_default_str();
  cmd->add_option("--l2", f->l2, "L2 strength on every kernel")->capture_default_str();
  cmd->add_option("--dropout", f->dropout, "dropout rate after every hidden layer, [0, 1)")->capture_default_str();
  cmd->add_flag("--batch-norm", f->batch_norm, "batch normalization before every hidden activation");
  cmd->add_option("--loss", f->loss, "auto, mean_squared_error, sigmoid_cross_entropy, softmax_cross_entropy, sparse_softmax_cross_entropy")
      ->capture_default_str();
  cmd->add_option("--optimizer", f->optimizer, "sgd, momentum, nesterov, adagrad, adadelta, rmsprop, adam, ftrl")
      ->capture_default_str();
  cmd->add_option("--learning-rate,--lr", f->learning_rate, "initial learning rate")->capture_default_str();
  cmd->add_option("--opt", f->optimizer_options, "optimizer option key=value, repeatable (e.g. --opt beta1=0.95)");
  cmd->add_option("--lr-schedule", f->schedule.name, "constant, exponential, step, cosine")->capture_default_str();
  cmd->add_option("--decay-steps", f->schedule.decay_steps, "exponential/cosine: steps per decay period");
  cmd->add_option("--decay-rate", f->schedule.decay_rate, "exponential: factor per decay period")->capture_default_str();
  cmd->add_flag("--staircase", f->schedule.staircase, "exponential: decay in whole periods");
  cmd->add_option("--boundaries", f->boundaries, "step: comma-separated step boundaries");
  cmd->add_option("--values", f->values, "step: comma-separated rates, one more than boundaries");
  cmd->add_option("--alpha", f->schedule.alpha, "cosine: final rate as a fraction of the initial one");
  cmd->add_option("--warmup-steps", f->schedule.warmup_steps, "cosine: linear warm-up steps");
  cmd->add_option("--batch-size", f->batch_size, "examples per step")->capture_default_str();
  cmd->add_option("--steps", f->steps, "training steps (not epochs)")->capture_default_str();
  cmd->add_option("--seed", f->seed, "seed for data, initialization, batching and dropout")->capture_default_str();
  cmd->add_option("--clip-norm", f->clip_norm, "clip gradients by global norm (0 = off)")->capture_default_str();
  cmd->add_option("--clip-value", f->clip_value, "clip each gradient element to [-v, v] (0 = off)")->capture_default_str();
  cmd->add_option("--eval-every", f->eval_every, "evaluate every N steps (0 = ten times per run)");
  cmd->add_option("--stats-every", f->stats_every, "print gradient/weight/activation statistics every N steps (0 = off)");
  cmd->add_flag("--quiet,-q", f->quiet, "print only the final result");
  return [f] { return Run(*f); };
}

}  // namespace lever::cli
