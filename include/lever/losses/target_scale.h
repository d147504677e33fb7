#pragma once
// Regression on standardized targets. Targets in their own units (prices around 300, ages, counts) are
// far from the zero-centred outputs a freshly initialized network gives, so the default learning rate
// would spend thousands of steps just moving the output bias. With a TargetScale the model's raw output
// z predicts mean + stddev * z, and the training loss is the squared error in standardized units
// ((prediction - y) / stddev)^2: the optimizer sees targets of mean 0 and variance 1, while predictions
// and metrics stay in the targets' units. The scale is part of the fitted model (checkpoint, bundle).
#include "lever/autodiff/graph.h"
#include "lever/tensor/tensor.h"

namespace lever {

struct TargetScale {
  double mean = 0.0;
  double stddev = 1.0;

  /// The mean and (population) standard deviation of one label column (stddev 1 for a constant column);
  /// identity when the labels are empty, not finite or not one column.
  static TargetScale Fit(const Tensor& labels);
  bool identity() const { return mean == 0.0 && stddev == 1.0; }
};

/// mean + stddev * logits (the logits unchanged for the identity).
Var ScaleOutput(const Var& logits, const TargetScale& scale);

/// The mean squared error of `predictions` (from ScaleOutput) against raw `labels`, divided by stddev^2:
/// the loss of the standardized problem.
Var StandardizedSquaredError(const Var& predictions, const Var& labels, const TargetScale& scale);

}  // namespace lever
