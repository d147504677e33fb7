#pragma once
// Metrics of regression predictions. Predictions first, then targets, then optional sample weights
// (empty = every example weighs 1); DataError on no examples, mismatched lengths, non-finite values or
// bad weights. Sums accumulate in double.
#include "lever/metrics/number_span.h"

namespace lever {

/// Weighted mean of (prediction - target)^2.
double MeanSquaredError(NumberSpan predictions, NumberSpan targets, NumberSpan weights = {});
/// sqrt(MeanSquaredError).
double RootMeanSquaredError(NumberSpan predictions, NumberSpan targets, NumberSpan weights = {});
/// Weighted mean of |prediction - target|.
double MeanAbsoluteError(NumberSpan predictions, NumberSpan targets, NumberSpan weights = {});
/// Coefficient of determination, scikit-learn's r2_score: 1 - sum w (y - p)^2 / sum w (y - mean_w(y))^2.
/// When the targets are constant: 1 for perfect predictions, else 0. NaN with fewer than two examples.
double RSquared(NumberSpan predictions, NumberSpan targets, NumberSpan weights = {});

}  // namespace lever
