#pragma once
// How an estimator runs (RunConfig), trains (TrainSpec) and evaluates while training (EvalSpec), after
// TensorFlow's tf.estimator.RunConfig, TrainSpec and EvalSpec. Training is counted in global steps.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lever {

class Hook;

struct RunConfig {
  /// One seed for everything random: variable initialization, batch order, dropout.
  uint64_t seed = 1;
  /// Hooks see the training loss every step; the estimator's step log keeps one entry per this many.
  int64_t log_step_count_steps = 100;

  /// Throws ConfigError naming the field.
  void Validate() const;
};

struct TrainSpec {
  int64_t max_steps = 1000;  // train until the global step reaches this
  int64_t batch_size = 32;
  /// Clip the gradients of each train op by their global norm (0 = off).
  double clip_norm = 0.0;
  std::vector<std::shared_ptr<Hook>> hooks;

  void Validate() const;
};

struct EvalSpec {
  /// Evaluate every this many training steps (and once at the end). 0: only at the end.
  int64_t every_steps = 100;
  /// No evaluation before this global step (TensorFlow's start_delay, in steps).
  int64_t start_delay_steps = 0;
  /// At most this many evaluation batches (of eval_batch_size rows) per evaluation; 0 = the whole set.
  int64_t steps = 0;
  int64_t eval_batch_size = 4096;
  std::string name = "eval";

  void Validate() const;
};

}  // namespace lever
