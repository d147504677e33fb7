#include "lever/metrics/regression.h"

#include <cmath>
#include <limits>
#include <vector>

#include "metrics/inputs.h"

namespace lever {
namespace {

struct RegressionInputs {
  std::vector<double> predictions, targets, weights;
};

RegressionInputs Read(const char* metric, NumberSpan predictions, NumberSpan targets, NumberSpan weights) {
  internal::CheckLengths(metric, predictions.size(), targets.size(), weights.size(), "predictions", "targets");
  RegressionInputs in;
  in.predictions = internal::FiniteValues(metric, "predictions", predictions);
  in.targets = internal::FiniteValues(metric, "targets", targets);
  in.weights = internal::Weights(metric, weights, in.predictions.size());
  return in;
}

}  // namespace

double MeanSquaredError(NumberSpan predictions, NumberSpan targets, NumberSpan weights) {
  RegressionInputs in = Read("mean squared error", predictions, targets, weights);
  for (size_t i = 0; i < in.predictions.size(); ++i) {
    const double d = in.predictions[i] - in.targets[i];
    in.predictions[i] = d * d;
  }
  return internal::WeightedMean(in.predictions, in.weights);
}

double RootMeanSquaredError(NumberSpan predictions, NumberSpan targets, NumberSpan weights) {
  return std::sqrt(MeanSquaredError(predictions, targets, weights));
}

double MeanAbsoluteError(NumberSpan predictions, NumberSpan targets, NumberSpan weights) {
  RegressionInputs in = Read("mean absolute error", predictions, targets, weights);
  for (size_t i = 0; i < in.predictions.size(); ++i) in.predictions[i] = std::abs(in.predictions[i] - in.targets[i]);
  return internal::WeightedMean(in.predictions, in.weights);
}

double RSquared(NumberSpan predictions, NumberSpan targets, NumberSpan weights) {
  const RegressionInputs in = Read("R^2", predictions, targets, weights);
  if (in.predictions.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  const double mean = internal::WeightedMean(in.targets, in.weights);
  double residual = 0.0, spread = 0.0;
  for (size_t i = 0; i < in.targets.size(); ++i) {
    const double r = in.targets[i] - in.predictions[i], d = in.targets[i] - mean;
    residual += in.weights[i] * r * r;
    spread += in.weights[i] * d * d;
  }
  // scikit-learn's force_finite: constant targets give 1 for a perfect fit, else 0, never -inf or NaN.
  if (residual == 0.0) return 1.0;
  if (spread == 0.0) return 0.0;
  return 1.0 - residual / spread;
}

}  // namespace lever
