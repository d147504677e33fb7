#pragma once
// Early stopping on rows held out of the training set, the same in every training path (the Trainer's
// `lever train` on a CSV, an estimator's `lever train --config`): every `check_every` steps (and at the
// last one) the holdout's loss is measured; when `patience` checks in a row have not lowered the best by
// more than `min_delta`, training stops, and with `restore_best` the variables of the best check are put
// back when training ends (Keras's restore_best_weights). It is an evaluation named "holdout" of the one
// training loop plus an EarlyStoppingHook watching it, whose state an estimator checkpoints.
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>

#include "lever/train/hooks.h"
#include "lever/train/training_loop.h"

namespace lever {

/// A table of fewer training rows keeps them all: no holdout, no early stopping (`lever train` on a CSV,
/// `lever train --config`).
inline constexpr Index kMinRowsToHoldOut = 20;

struct EarlyStopping {
  int64_t check_every = 0;  // 0: max(1, max_steps / 100)
  int64_t patience = 30;    // checks
  double min_delta = 0.0;
  bool restore_best = true;

  /// Throws ConfigError for a patience or cadence below 1 (check_every 0 picks one) or a negative min_delta.
  void Validate() const;
};

/// Where early stopping on a holdout left the model.
struct HoldoutResult {
  int64_t best_step = -1;  // the step whose variables the model ends with (-1: no check ran)
  double holdout_loss = std::numeric_limits<double>::quiet_NaN();  // the holdout loss there
  bool stopped_early = false;                                      // patience ran out before max_steps
};

class HoldoutStopping {
 public:
  /// `holdout_loss` measures the held-out rows' mean loss with the learner's current variables.
  HoldoutStopping(const EarlyStopping& options, int64_t max_steps, std::function<double()> holdout_loss);

  /// The "holdout" evaluation to add to a LoopSpec, and the hook to add to the loop's hooks (first, so
  /// that its End puts the best variables back before the other hooks' End).
  LoopEvaluation Evaluation() const;
  const std::shared_ptr<EarlyStoppingHook>& hook() const { return hook_; }
  int64_t check_every() const { return check_every_; }
  /// After training: the best check's step and loss (the last step's without restore_best).
  HoldoutResult Result(int64_t final_step) const;

 private:
  EarlyStopping options_;
  int64_t check_every_;
  std::function<double()> holdout_loss_;
  std::shared_ptr<EarlyStoppingHook> hook_;
};

}  // namespace lever
