#pragma once
// Metrics of binary classifiers from predicted probabilities (or scores) and 0/1 labels.
//
// Every metric takes predictions first, then labels (the reverse of scikit-learn's argument order), then
// optional sample weights (empty = every example weighs 1). Inputs are checked: DataError on no
// examples, mismatched lengths, labels other than 0 and 1, NaN or infinite scores, probabilities
// outside [0, 1], negative or non-finite weights, weights summing to 0. Sums accumulate in double.
// Exact definitions, tie handling and the differences from scikit-learn: docs/metrics.md.
#include "lever/metrics/binary_confusion.h"
#include "lever/metrics/number_span.h"

namespace lever {

/// Weighted mean of -y log p - (1 - y) log(1 - p), with p clipped to [1e-15, 1 - 1e-15]
/// (scikit-learn's log_loss with eps=1e-15).
double LogLoss(NumberSpan probabilities, NumberSpan labels, NumberSpan weights = {});

/// Weighted mean of (p - y)^2 (scikit-learn's brier_score_loss).
double BrierScore(NumberSpan probabilities, NumberSpan labels, NumberSpan weights = {});

/// Area under the ROC curve, exact: the trapezoids between the points (FPR, TPR) of every distinct
/// score, which counts a tied (positive, negative) pair as one half (the Mann-Whitney statistic).
/// Equals scikit-learn's roc_auc_score. NaN when only one class is present.
double AucRoc(NumberSpan scores, NumberSpan labels, NumberSpan weights = {});

/// Area under the precision-recall curve as average precision: sum over the distinct scores s, highest
/// first, of (R(s) - R(previous)) * P(s), where P and R are the precision and recall of "positive iff
/// score >= s" (a step function, no interpolation; tied scores form one step). Equals scikit-learn's
/// average_precision_score. NaN when no example is positive.
double AucPr(NumberSpan scores, NumberSpan labels, NumberSpan weights = {});

/// The counts of "positive iff score >= threshold" against the labels.
BinaryConfusion ConfusionAtThreshold(NumberSpan scores, NumberSpan labels, double threshold = 0.5,
                                     NumberSpan weights = {});

/// Fraction of examples where (score >= threshold) equals the label.
double Accuracy(NumberSpan scores, NumberSpan labels, double threshold = 0.5, NumberSpan weights = {});
/// TP / (TP + FP) of "positive iff score >= threshold"; 0 when nothing is predicted positive.
double Precision(NumberSpan scores, NumberSpan labels, double threshold = 0.5, NumberSpan weights = {});
/// TP / (TP + FN) of "positive iff score >= threshold"; 0 when no example is positive.
double Recall(NumberSpan scores, NumberSpan labels, double threshold = 0.5, NumberSpan weights = {});
/// 2 TP / (2 TP + FP + FN) of "positive iff score >= threshold"; 0 when that is 0 / 0.
double F1Score(NumberSpan scores, NumberSpan labels, double threshold = 0.5, NumberSpan weights = {});

}  // namespace lever
