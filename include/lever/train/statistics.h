#pragma once
// What a practitioner looks at while a network trains: gradient and weight norms, update/weight ratios,
// dead and saturated units. The Trainer samples them every TrainConfig::statistics_every steps and hands
// them to its hooks (Hook::AfterStatistics, lever/train/hook.h).
#include <cstdint>
#include <string>
#include <vector>

namespace lever {

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

}  // namespace lever
