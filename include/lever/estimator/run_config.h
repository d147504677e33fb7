#pragma once
// How an estimator runs (RunConfig), trains (TrainSpec) and evaluates while training (EvalSpec), after
// TensorFlow's tf.estimator.RunConfig, TrainSpec and EvalSpec. Training is counted in global steps.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lever/train/dnn_defaults.h"
#include "lever/train/holdout_stopping.h"

namespace lever {

class Hook;
class Exporter;
struct Examples;

struct RunConfig {
  /// Where checkpoints and logs go (docs/checkpoints.md); empty: nothing is written and nothing resumed.
  /// A directory that holds checkpoints is resumed from its newest good one.
  std::string model_dir;
  /// One seed for everything random: variable initialization, batch order, dropout.
  uint64_t seed = 1;
  /// Save a checkpoint every this many steps; 0: every save_checkpoints_secs seconds instead. One is
  /// always saved when training ends or is asked to stop.
  int64_t save_checkpoints_steps = 0;
  double save_checkpoints_secs = 600.0;
  /// Checkpoints kept (the newest ones).
  int keep_checkpoint_max = 5;
  /// Log the training loss and steps/s (events.jsonl and TensorBoard) every this many steps.
  int64_t log_step_count_steps = 100;

  /// Throws ConfigError naming the field.
  void Validate() const;
};

struct TrainSpec {
  int64_t max_steps = dnn_defaults::kMaxSteps;  // train until the global step reaches this
  int64_t batch_size = dnn_defaults::kBatchSize;
  /// Clip the gradients of each train op by their global norm (0 = off).
  double clip_norm = 0.0;
  /// Sample gradient, weight and activation statistics (lever/train/statistics.h) after the first step and
  /// every this many steps, for the hooks' AfterStatistics (0 = off; the training doctor sets it).
  /// Row-sparse variables (embedding tables, wide weights) are not sampled.
  int64_t statistics_every = 0;
  std::vector<std::shared_ptr<Hook>> hooks;
  /// Polled between steps; when it returns true, training saves a checkpoint (with a model_dir) and
  /// returns (TrainOutcome::interrupted). The CLI connects it to Ctrl-C and SIGTERM.
  std::function<bool()> stop_requested;
  /// Rows held out of the training examples (not null: they must outlive training): early stopping on
  /// their loss as `holdout_stopping` says (lever/train/holdout_stopping.h), the best check's variables put
  /// back at the end. Its state is checkpointed under "hooks/early_stopping/loss/".
  const Examples* holdout = nullptr;
  EarlyStopping holdout_stopping;

  void Validate() const;
};

struct EvalSpec {
  /// Evaluate every this many training steps (and once at the end). 0: only at the end.
  int64_t every_steps = 100;
  /// No evaluation before this global step (TensorFlow's start_delay, in steps).
  int64_t start_delay_steps = 0;
  /// Skip a periodic evaluation when the last one started less than this many seconds ago (TensorFlow's
  /// throttle_secs; 0 = off). Which evaluations run then depends on the machine's speed.
  double throttle_secs = 0.0;
  /// At most this many evaluation batches (of eval_batch_size rows) per evaluation; 0 = the whole set.
  int64_t steps = 0;
  int64_t eval_batch_size = 4096;
  std::string name = "eval";
  /// Called after every evaluation (TensorFlow's exporters: a BundleExporter writes the evaluated model
  /// as an inference bundle, lever/estimator/bundle.h).
  std::vector<std::shared_ptr<Exporter>> exporters;

  void Validate() const;
};

}  // namespace lever
