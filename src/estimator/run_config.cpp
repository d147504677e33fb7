#include "lever/estimator/run_config.h"

#include <cmath>

#include "lever/error.h"

namespace lever {

void RunConfig::Validate() const {
  if (save_checkpoints_steps < 0) throw ConfigError("run_config.save_checkpoints_steps must be >= 0 (0: by time)");
  if (!(save_checkpoints_secs > 0.0)) {
    throw ConfigError("run_config.save_checkpoints_secs must be a positive number of seconds");
  }
  if (keep_checkpoint_max < 1) {
    throw ConfigError("run_config.keep_checkpoint_max must be >= 1, got " + std::to_string(keep_checkpoint_max));
  }
  if (log_step_count_steps <= 0) {
    throw ConfigError("run_config.log_step_count_steps must be a positive number of steps, got " +
                      std::to_string(log_step_count_steps));
  }
}

void TrainSpec::Validate() const {
  if (max_steps < 0) throw ConfigError("train_spec.max_steps must be >= 0, got " + std::to_string(max_steps));
  if (batch_size <= 0) {
    throw ConfigError("train_spec.batch_size must be a positive number of examples, got " + std::to_string(batch_size) +
                      ". Typical values: 10 to 512.");
  }
  if (!(clip_norm >= 0.0) || !std::isfinite(clip_norm)) {
    throw ConfigError("train_spec.clip_norm must be >= 0 (0 turns clipping off)");
  }
}

void EvalSpec::Validate() const {
  if (every_steps < 0) throw ConfigError("eval_spec.every_steps must be >= 0 (0: only at the end)");
  if (start_delay_steps < 0) throw ConfigError("eval_spec.start_delay_steps must be >= 0");
  if (!(throttle_secs >= 0)) throw ConfigError("eval_spec.throttle_secs must be >= 0 (0: off)");
  if (steps < 0) throw ConfigError("eval_spec.steps must be >= 0 (0: the whole evaluation set)");
  if (eval_batch_size <= 0) throw ConfigError("eval_spec.eval_batch_size must be positive");
}

}  // namespace lever
