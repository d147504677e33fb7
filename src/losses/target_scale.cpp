#include "lever/losses/target_scale.h"

#include <cmath>

#include "lever/losses/registry.h"
#include "lever/ops/elementwise.h"

namespace lever {

TargetScale TargetScale::Fit(const Tensor& labels) {
  TargetScale s;
  if (labels.size() == 0 || labels.cols() != 1) return s;
  double sum = 0.0;
  for (Index i = 0; i < labels.rows(); ++i) sum += labels(i, 0);
  const double mean = sum / static_cast<double>(labels.rows());
  double squares = 0.0;
  for (Index i = 0; i < labels.rows(); ++i) squares += (labels(i, 0) - mean) * (labels(i, 0) - mean);
  const double stddev = std::sqrt(squares / static_cast<double>(labels.rows()));
  if (!std::isfinite(mean) || !std::isfinite(stddev)) return s;
  s.mean = mean;
  s.stddev = stddev > 0.0 ? stddev : 1.0;  // a constant target: centred, nothing to scale
  return s;
}

Var ScaleOutput(const Var& logits, const TargetScale& scale) {
  if (scale.identity()) return logits;
  Tensor bias = Tensor::Constant(1, logits.cols(), static_cast<float>(scale.mean));
  return BiasAdd(Scale(logits, scale.stddev), logits.graph()->Constant(bias, "target_mean"));
}

Var StandardizedSquaredError(const Var& predictions, const Var& labels, const TargetScale& scale) {
  const Var mse = MakeLoss("mean_squared_error", predictions, labels);
  return scale.identity() ? mse : Scale(mse, 1.0 / (scale.stddev * scale.stddev));
}

}  // namespace lever
