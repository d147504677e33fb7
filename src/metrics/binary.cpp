#include "lever/metrics/binary.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "lever/error.h"

namespace lever {
namespace {
void CheckSizes(const char* metric, size_t a, size_t b) {
  if (a != b) {
    throw DataError(std::string(metric) + ": " + std::to_string(a) + " predictions but " + std::to_string(b) + " labels");
  }
}
}  // namespace

double LogLoss(std::span<const float> probabilities, std::span<const float> labels) {
  CheckSizes("log loss", probabilities.size(), labels.size());
  if (labels.empty()) return std::numeric_limits<double>::quiet_NaN();
  constexpr double kEps = 1e-15;
  double total = 0.0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double p = std::clamp(static_cast<double>(probabilities[i]), kEps, 1.0 - kEps);
    const double y = labels[i];
    total -= y * std::log(p) + (1.0 - y) * std::log1p(-p);
  }
  return total / static_cast<double>(labels.size());
}

double AucRoc(std::span<const float> scores, std::span<const float> labels) {
  CheckSizes("AUC", scores.size(), labels.size());
  const size_t n = scores.size();
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return scores[a] < scores[b]; });
  // Sum of the positives' ranks (1-based, ties get their average rank).
  double positive_rank_sum = 0.0;
  double positives = 0.0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    const double average_rank = 0.5 * static_cast<double>(i + 1 + j);
    for (size_t k = i; k < j; ++k) {
      if (labels[order[k]] >= 0.5f) {
        positive_rank_sum += average_rank;
        positives += 1.0;
      }
    }
    i = j;
  }
  const double negatives = static_cast<double>(n) - positives;
  if (positives == 0.0 || negatives == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return (positive_rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives);
}

double Accuracy(std::span<const float> probabilities, std::span<const float> labels, double threshold) {
  CheckSizes("accuracy", probabilities.size(), labels.size());
  if (labels.empty()) return std::numeric_limits<double>::quiet_NaN();
  size_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) correct += (probabilities[i] >= threshold) == (labels[i] >= 0.5f);
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

}  // namespace lever
