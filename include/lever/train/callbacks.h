#pragma once
// What training reports, and the callbacks it reports through. The library never prints: the CLI,
// the playground and tests install callbacks.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "lever/optim/convergence.h"

namespace lever {

/// Loss and accuracy of a model on one dataset.
struct EvalMetrics {
  double loss = 0.0;                                           // mean data loss
  double accuracy = std::numeric_limits<double>::quiet_NaN();  // classification only
  int64_t examples = 0;
};

struct StepInfo {
  int64_t step = 0;  // steps completed, including this one
  int64_t max_steps = 0;
  double loss = 0.0;  // this batch's data loss
  double learning_rate = 0.0;
};

/// One parameter's health at a sampled step.
struct ParameterStatistics {
  std::string name;
  double weight_norm = 0.0;    // ||w|| after the update
  double gradient_norm = 0.0;  // ||g|| before clipping
  double update_norm = 0.0;    // ||w_after - w_before||
  double update_ratio = 0.0;   // update_norm / ||w_before|| (a healthy range is around 1e-3)
  int64_t nonzero = 0;         // weights not exactly zero
  int64_t size = 0;
};

/// One layer's activations at a sampled step, over the training batch.
struct ActivationStatistics {
  std::string layer;
  std::string activation;
  double mean = 0.0;
  double stddev = 0.0;
  /// ReLU family: fraction of outputs <= 0 (exactly 0 for ReLU).
  double zero_fraction = 0.0;
  /// ReLU family: fraction of units that are <= 0 for every example of the batch ("dead").
  double dead_fraction = 0.0;
  /// sigmoid: outputs below 0.01 or above 0.99; tanh: |output| above 0.99 (gradients nearly vanish).
  double saturated_fraction = 0.0;
  /// True for sigmoid-like activations, whose saturated_fraction is measured (not zero and dead fractions).
  bool saturates = false;
};

/// What a practitioner looks at, sampled every TrainConfig::statistics_every steps.
struct TrainingStatistics {
  int64_t step = 0;
  double data_loss = 0.0;
  double regularization_loss = 0.0;
  double gradient_global_norm = 0.0;  // before clipping
  bool clipped = false;
  double learning_rate = 0.0;
  int64_t nonzero_weights = 0;  // kernel weights not exactly zero
  int64_t kernel_weights = 0;
  std::vector<ParameterStatistics> parameters;
  std::vector<ActivationStatistics> activations;
};

struct EvalInfo {
  int64_t step = 0;
  int64_t max_steps = 0;
  EvalMetrics train;
  std::optional<EvalMetrics> validation;
  double regularization_loss = 0.0;
  double elapsed_seconds = 0.0;   // wall time since training began
  double steps_per_second = 0.0;  // training steps per second of training time since the last evaluation
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

class TrainingCallback {
 public:
  virtual ~TrainingCallback() = default;
  virtual void OnStepEnd(const StepInfo&) {}
  virtual void OnStatistics(const TrainingStatistics&) {}
  /// Return true to stop training after this evaluation.
  virtual bool OnEvaluation(const EvalInfo&) { return false; }
  virtual void OnTrainEnd(const TrainResult&) {}
};

}  // namespace lever
