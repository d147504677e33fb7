#include "lever/metrics/binary.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "lever/metrics/threshold_table.h"
#include "metrics/inputs.h"

namespace lever {

double LogLoss(NumberSpan probabilities, NumberSpan labels, NumberSpan weights) {
  constexpr const char* kMetric = "log loss";
  internal::CheckLengths(kMetric, probabilities.size(), labels.size(), weights.size(), "probabilities");
  const std::vector<double> p = internal::ProbabilityValues(kMetric, probabilities);
  const std::vector<uint8_t> y = internal::BinaryLabels(kMetric, labels);
  const std::vector<double> w = internal::Weights(kMetric, weights, p.size());
  constexpr double kEps = 1e-15;
  std::vector<double> losses(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    const double clipped = std::clamp(p[i], kEps, 1.0 - kEps);
    // log1p keeps log(1 - p) accurate for small p.
    losses[i] = y[i] ? -std::log(clipped) : -std::log1p(-clipped);
  }
  return internal::WeightedMean(losses, w);
}

double BrierScore(NumberSpan probabilities, NumberSpan labels, NumberSpan weights) {
  constexpr const char* kMetric = "Brier score";
  internal::CheckLengths(kMetric, probabilities.size(), labels.size(), weights.size(), "probabilities");
  std::vector<double> p = internal::ProbabilityValues(kMetric, probabilities);
  const std::vector<uint8_t> y = internal::BinaryLabels(kMetric, labels);
  const std::vector<double> w = internal::Weights(kMetric, weights, p.size());
  for (size_t i = 0; i < p.size(); ++i) p[i] = (p[i] - y[i]) * (p[i] - y[i]);
  return internal::WeightedMean(p, w);
}

double AucRoc(NumberSpan scores, NumberSpan labels, NumberSpan weights) {
  return ThresholdTable("AUC-ROC", scores, labels, weights).AucRoc();
}

double AucPr(NumberSpan scores, NumberSpan labels, NumberSpan weights) {
  return ThresholdTable("AUC-PR", scores, labels, weights).AucPr();
}

namespace {

BinaryConfusion Confusion(const char* metric, NumberSpan scores, NumberSpan labels, double threshold,
                          NumberSpan weights) {
  internal::CheckLengths(metric, scores.size(), labels.size(), weights.size(), "scores");
  if (std::isnan(threshold)) {
    throw ConfigError(std::string(metric) +
                      ": the threshold is NaN; pass a number (examples with score >= threshold "
                      "are predicted positive).");
  }
  const std::vector<double> s = internal::FiniteValues(metric, "scores", scores);
  const std::vector<uint8_t> y = internal::BinaryLabels(metric, labels);
  const std::vector<double> w = internal::Weights(metric, weights, s.size());
  BinaryConfusion c;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool positive = s[i] >= threshold;
    if (y[i])
      (positive ? c.true_positives : c.false_negatives) += w[i];
    else
      (positive ? c.false_positives : c.true_negatives) += w[i];
  }
  return c;
}

}  // namespace

BinaryConfusion ConfusionAtThreshold(NumberSpan scores, NumberSpan labels, double threshold, NumberSpan weights) {
  return Confusion("confusion at threshold", scores, labels, threshold, weights);
}

double Accuracy(NumberSpan scores, NumberSpan labels, double threshold, NumberSpan weights) {
  return Confusion("accuracy", scores, labels, threshold, weights).Accuracy();
}

double Precision(NumberSpan scores, NumberSpan labels, double threshold, NumberSpan weights) {
  return Confusion("precision", scores, labels, threshold, weights).Precision();
}

double Recall(NumberSpan scores, NumberSpan labels, double threshold, NumberSpan weights) {
  return Confusion("recall", scores, labels, threshold, weights).Recall();
}

double F1Score(NumberSpan scores, NumberSpan labels, double threshold, NumberSpan weights) {
  return Confusion("F1", scores, labels, threshold, weights).F1();
}

}  // namespace lever
