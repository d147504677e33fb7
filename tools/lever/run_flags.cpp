#include "run_flags.h"

#include "flags.h"
#include "lever/losses/registry.h"
#include "lever/nn/activation.h"
#include "lever/nn/initializer.h"
#include "lever/registry.h"

namespace lever::cli {

void AddRunFlags(CLI::App* cmd, RunFlags& f) {
  f.data.Add(cmd, f.spec);
  cmd->add_option("--hidden,--hidden_units", f.hidden,
                  "units per hidden layer, e.g. 8,8 (empty = linear model); a CSV table's default is 64,32, as in a "
                  "run config (so are --activation relu, --optimizer adam, --lr 0.001, --batch-size 32, --steps "
                  "1000)")
      ->capture_default_str();
  cmd->add_option("--activation", f.spec.mlp.activation,
                  JoinNames(ActivationNames()) +
                      " (leaky_relu, prelu, elu: [:alpha]) for every hidden layer, or one per layer (relu,tanh); a CSV "
                      "table's default: relu")
      ->capture_default_str();
  cmd->add_option("--initializer", f.spec.mlp.initializer, JoinNames(InitializerNames()))->capture_default_str();
  cmd->add_option("--l1", f.spec.mlp.regularizer.l1, "L1 strength on every kernel (proximal: exact zeros)")
      ->capture_default_str();
  cmd->add_option("--l2", f.spec.mlp.regularizer.l2, "L2 strength on every kernel")->capture_default_str();
  cmd->add_option("--dropout", f.spec.mlp.dropout, "dropout rate after every hidden layer, [0, 1)")
      ->capture_default_str();
  cmd->add_flag("--batch-norm", f.spec.mlp.batch_norm, "batch normalization before every hidden activation");
  cmd->add_option("--loss", f.spec.config.loss, "auto, " + JoinNames(LossNames()) + " (softmax: sparse)")
      ->capture_default_str();
  cmd->add_option("--optimizer", f.spec.config.optimizer.name, JoinNames(OptimizerNames()))->capture_default_str();
  cmd->add_option("--learning-rate,--learning_rate,--lr", f.spec.config.optimizer.learning_rate,
                  "initial learning rate")
      ->capture_default_str();
  cmd->add_option("--opt", f.optimizer_options, "optimizer option key=value, repeatable (e.g. --opt beta1=0.95)");
  f.schedule.Add(cmd);
  cmd->add_option("--batch-size,--batch_size", f.spec.config.batch_size, "examples per step")->capture_default_str();
  cmd->add_option("--steps", f.spec.config.max_steps, "training steps (not epochs)")->capture_default_str();
  cmd->add_option("--seed", f.spec.config.seed, "seed for data, initialization, batching and dropout")
      ->capture_default_str();
  cmd->add_option("--clip-norm", f.spec.config.clip_norm, "clip gradients by global norm (0 = off)")
      ->capture_default_str();
  cmd->add_option("--clip-value", f.spec.config.clip_value, "clip each gradient element to [-v, v] (0 = off)")
      ->capture_default_str();
  cmd->add_option("--eval-every", f.spec.config.eval_every, "evaluate every N steps (0 = ten times per run)");
  cmd->add_option("--stats-every", f.spec.config.statistics_every,
                  "print gradient/weight/activation statistics every N steps (0 = off)");
}

TrainingRunSpec SpecFromFlags(const RunFlags& f, const CLI::App& cmd) {
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
  spec.data.split_train_file = !spec.data.train_file.empty() && spec.data.test_file.empty() && chose("--train-percent");
  spec.data.loss = spec.config.loss;
  spec.data.seed = spec.config.seed;
  std::vector<std::string> options = f.optimizer_options;
  AddOptimizerOptions(options, spec.config.optimizer);
  spec.schedule = f.schedule.Spec(spec.config.optimizer.learning_rate);
  return spec;
}

TrainingRunSpec TrainArguments(const std::vector<std::string>& args, const std::string& where) {
  CLI::App train{"lever train"};
  RunFlags flags;
  AddRunFlags(&train, flags);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
  try {
    train.parse(reversed);
  } catch (const CLI::ParseError& e) {
    throw ConfigError(where + ": " + e.what());
  }
  return SpecFromFlags(flags, train);
}

}  // namespace lever::cli
