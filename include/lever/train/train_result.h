#pragma once
// What a Trainer reports: a dataset's loss and accuracy, and the result of a training call.
#include <cstdint>
#include <limits>
#include <optional>

#include "lever/optim/convergence.h"

namespace lever {

/// Loss and accuracy of a model on one dataset.
struct EvalMetrics {
  double loss = 0.0;                                           // mean data loss
  double accuracy = std::numeric_limits<double>::quiet_NaN();  // classification only
  int64_t examples = 0;
};

struct TrainResult {
  int64_t steps = 0;
  EvalMetrics train;
  std::optional<EvalMetrics> validation;
  double regularization_loss = 0.0;
  int64_t nonzero_weights = 0;
  int64_t kernel_weights = 0;
  double elapsed_seconds = 0.0;
  double training_seconds = 0.0;  // excluding evaluations
  double steps_per_second = 0.0;
  bool stopped_early = false;
  /// With early stopping on a holdout: the step whose parameters the model ends with (the best check's when
  /// restored, else the last step) and the holdout loss there; -1 / NaN without.
  int64_t best_step = -1;
  double holdout_loss = std::numeric_limits<double>::quiet_NaN();
  /// Whether the training loss was still falling clearly at the end (LossTrendConvergence over this call's
  /// steps; limit "max_steps"); converged when a callback stopped the run.
  Convergence convergence;
};

}  // namespace lever
