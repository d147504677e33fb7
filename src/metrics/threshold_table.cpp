#include "lever/metrics/threshold_table.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <utility>

#include "metrics/inputs.h"

namespace lever {

ThresholdTable::ThresholdTable(NumberSpan scores, NumberSpan labels, NumberSpan weights)
    : ThresholdTable("threshold table", scores, labels, weights) {}

ThresholdTable::ThresholdTable(const char* context, NumberSpan scores, NumberSpan labels, NumberSpan weights) {
  internal::CheckLengths(context, scores.size(), labels.size(), weights.size(), "scores");
  const std::vector<double> s = internal::FiniteValues(context, "scores", scores);
  const std::vector<uint8_t> y = internal::BinaryLabels(context, labels);
  const std::vector<double> w = internal::Weights(context, weights, s.size());

  // Zero-weight examples would only add thresholds where nothing changes; scikit-learn drops them too.
  // Sorted as (score, index) pairs side by side: comparisons read neighbouring memory, not s[] at random.
  std::vector<std::pair<double, size_t>> order;
  order.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (w[i] > 0.0) order.emplace_back(s[i], i);
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });

  // Cumulative counts at the end of each group of tied scores, highest score first.
  std::vector<ThresholdRow> groups;
  double tp = 0.0, fp = 0.0;
  for (size_t i = 0; i < order.size();) {
    const double score = order[i].first;
    for (; i < order.size() && order[i].first == score; ++i) (y[order[i].second] ? tp : fp) += w[order[i].second];
    groups.push_back({score, {.true_positives = tp, .false_positives = fp}});
  }
  // The last cumulative sums are the class totals, so TN = N - FP and FN = P - TP stay >= 0 exactly.
  const double positives = tp, negatives = fp;
  rows_.reserve(groups.size() + 1);
  rows_.push_back(
      {std::numeric_limits<double>::infinity(), {.true_negatives = negatives, .false_negatives = positives}});
  for (ThresholdRow& row : groups) {
    row.confusion.true_negatives = negatives - row.confusion.false_positives;
    row.confusion.false_negatives = positives - row.confusion.true_positives;
    rows_.push_back(row);
  }
}

double ThresholdTable::AucRoc() const {
  const double p = positives(), n = negatives();
  if (p == 0.0 || n == 0.0) return std::numeric_limits<double>::quiet_NaN();
  // Trapezoids in counts (exact for unit weights), normalized once at the end.
  double area = 0.0;
  for (size_t k = 1; k < rows_.size(); ++k) {
    const BinaryConfusion& a = rows_[k - 1].confusion;
    const BinaryConfusion& b = rows_[k].confusion;
    area += (b.false_positives - a.false_positives) * (b.true_positives + a.true_positives);
  }
  return area / (2.0 * p * n);
}

double ThresholdTable::AucPr() const {
  const double p = positives();
  if (p == 0.0) return std::numeric_limits<double>::quiet_NaN();
  double area = 0.0;
  for (size_t k = 1; k < rows_.size(); ++k) {
    const BinaryConfusion& a = rows_[k - 1].confusion;
    const BinaryConfusion& b = rows_[k].confusion;
    area += (b.true_positives - a.true_positives) / p * b.Precision();
  }
  return area;
}

}  // namespace lever
