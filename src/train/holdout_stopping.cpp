#include "lever/train/holdout_stopping.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "lever/error.h"

namespace lever {

void EarlyStopping::Validate() const {
  if (patience < 1)
    throw ConfigError("early stopping patience must be at least 1 check, got " + std::to_string(patience));
  if (check_every < 0) {
    throw ConfigError("early stopping checks every N >= 1 steps (0 picks one), got " + std::to_string(check_every));
  }
  if (!(min_delta >= 0.0)) throw ConfigError("early stopping min_delta must be >= 0");
}

HoldoutStopping::HoldoutStopping(const EarlyStopping& options, int64_t max_steps, std::function<double()> holdout_loss)
    : options_(options),
      check_every_(options.check_every > 0 ? options.check_every : std::max<int64_t>(1, max_steps / 100)),
      holdout_loss_(std::move(holdout_loss)) {
  options_.Validate();
  hook_ =
      std::make_shared<EarlyStoppingHook>("loss", EarlyStoppingHook::Goal::kMinimize, options_.patience * check_every_,
                                          options_.min_delta, options_.restore_best);
  hook_->watch_evaluation("holdout").restore_at_end(true);
}

LoopEvaluation HoldoutStopping::Evaluation() const {
  LoopEvaluation check;
  check.name = "holdout";
  check.every_steps = check_every_;
  check.at_max_steps = true;  // the last step is checked too, so the best can be the end
  check.at_end = false;       // after End the variables are the best check's, already measured
  check.run = [loss = holdout_loss_](bool) { return std::map<std::string, double>{{"loss", loss()}}; };
  return check;
}

HoldoutResult HoldoutStopping::Result(int64_t final_step) const {
  HoldoutResult r;
  r.stopped_early = hook_->stopped();
  if (hook_->best_step() < 0) return r;
  r.best_step = options_.restore_best ? hook_->best_step() : final_step;
  r.holdout_loss = options_.restore_best ? hook_->best_value() : holdout_loss_();
  return r;
}

}  // namespace lever
