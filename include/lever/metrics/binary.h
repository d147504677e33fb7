#pragma once
// Metrics of binary classifiers from predicted probabilities (or scores) and 0/1 labels.
#include <span>

namespace lever {

/// Mean of -y log p - (1 - y) log(1 - p), with p clipped to [1e-15, 1 - 1e-15] as scikit-learn does.
double LogLoss(std::span<const float> probabilities, std::span<const float> labels);

/// Area under the ROC curve, exact: the Mann-Whitney statistic from a sort of the scores, ties counted
/// as one half. NaN when only one class is present.
double AucRoc(std::span<const float> scores, std::span<const float> labels);

/// Fraction of examples where (p >= threshold) equals (label >= 0.5).
double Accuracy(std::span<const float> probabilities, std::span<const float> labels, double threshold = 0.5);

}  // namespace lever
