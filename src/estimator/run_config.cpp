#include "lever/estimator/run_config.h"

#include <cmath>

#include "lever/error.h"

namespace lever {

// The messages name each field by its run config key (train.max_steps), as users of `lever train --config`
// know it.
void RunConfig::Validate() const {
  if (save_checkpoints_steps < 0) throw ConfigError("run.save_checkpoints_steps must be >= 0 (0: by time)");
  if (!(save_checkpoints_secs > 0.0)) {
    throw ConfigError("run.save_checkpoints_secs must be a positive number of seconds");
  }
  if (keep_checkpoint_max < 1) {
    throw ConfigError("run.keep_checkpoint_max must be >= 1, got " + std::to_string(keep_checkpoint_max));
  }
  if (log_step_count_steps <= 0) {
    throw ConfigError("run.log_step_count_steps must be a positive number of steps, got " +
                      std::to_string(log_step_count_steps));
  }
}

void TrainSpec::Validate() const {
  if (max_steps < 0) throw ConfigError("train.max_steps must be >= 0, got " + std::to_string(max_steps));
  if (batch_size <= 0) {
    throw ConfigError("train.batch_size must be a positive number of examples, got " + std::to_string(batch_size) +
                      ". Typical values: 10 to 512.");
  }
  if (!(clip_norm >= 0.0) || !std::isfinite(clip_norm)) {
    throw ConfigError("train.clip_norm must be >= 0 (0 turns clipping off)");
  }
  if (statistics_every < 0) throw ConfigError("statistics_every must be >= 0 (0: off)");
}

void EvalSpec::Validate() const {
  if (every_steps < 0) throw ConfigError("eval.every_steps must be >= 0 (0: only at the end)");
  if (start_delay_steps < 0) throw ConfigError("eval.start_delay_steps must be >= 0");
  if (!(throttle_secs >= 0)) throw ConfigError("eval.throttle_secs must be >= 0 (0: off)");
  if (steps < 0) throw ConfigError("eval.steps must be >= 0 (0: the whole evaluation set)");
  if (eval_batch_size <= 0) throw ConfigError("the evaluation batch size (EvalSpec::eval_batch_size) must be positive");
}

}  // namespace lever
