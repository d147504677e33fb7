#include "lever/metrics/calibration.h"

#include <algorithm>
#include <cmath>

#include "metrics/inputs.h"

namespace lever {

Calibration MeasureCalibration(NumberSpan probabilities, NumberSpan labels, int num_bins, NumberSpan weights) {
  constexpr const char* kMetric = "calibration";
  if (num_bins < 1) {
    throw ConfigError(std::string(kMetric) + ": num_bins is " + std::to_string(num_bins) +
                      "; use at least 1 bin (10 is usual).");
  }
  internal::CheckLengths(kMetric, probabilities.size(), labels.size(), weights.size(), "probabilities");
  const std::vector<double> p = internal::ProbabilityValues(kMetric, probabilities);
  const std::vector<uint8_t> y = internal::BinaryLabels(kMetric, labels);
  const std::vector<double> w = internal::Weights(kMetric, weights, p.size());

  // The edges as numpy.linspace(0, 1, num_bins + 1) computes them, so probabilities on an edge land in
  // the same bin as in scikit-learn.
  const size_t bins = static_cast<size_t>(num_bins);
  const double step = 1.0 / static_cast<double>(num_bins);
  std::vector<double> edges(bins + 1);
  for (size_t i = 0; i <= bins; ++i) edges[i] = static_cast<double>(i) * step;
  edges[bins] = 1.0;

  std::vector<double> count(bins, 0.0), prediction_sum(bins, 0.0), positive_sum(bins, 0.0);
  double total = 0.0, all_predictions = 0.0, all_positives = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    // The number of inner edges below p (numpy.searchsorted, side 'left'): bins are (e_b, e_b+1].
    const auto inner = edges.begin() + 1;
    const size_t b = static_cast<size_t>(std::lower_bound(inner, edges.end() - 1, p[i]) - inner);
    count[b] += w[i];
    prediction_sum[b] += w[i] * p[i];
    positive_sum[b] += w[i] * y[i];
    total += w[i];
    all_predictions += w[i] * p[i];
    all_positives += w[i] * y[i];
  }

  Calibration result;
  result.mean_prediction = all_predictions / total;
  result.mean_label = all_positives / total;
  for (size_t b = 0; b < bins; ++b) {
    if (count[b] == 0.0) continue;
    ReliabilityBin bin{static_cast<int>(b),       edges[b], edges[b + 1], count[b], prediction_sum[b] / count[b],
                       positive_sum[b] / count[b]};
    const double gap = std::abs(bin.fraction_positive - bin.mean_prediction);
    result.expected_calibration_error += count[b] / total * gap;
    result.maximum_calibration_error = std::max(result.maximum_calibration_error, gap);
    result.bins.push_back(bin);
  }
  return result;
}

double ExpectedCalibrationError(NumberSpan probabilities, NumberSpan labels, int num_bins, NumberSpan weights) {
  return MeasureCalibration(probabilities, labels, num_bins, weights).expected_calibration_error;
}

void WriteCsv(std::ostream& out, const Calibration& calibration) {
  out << "bin,lower,upper,count,mean_prediction,fraction_positive\n";
  for (const ReliabilityBin& bin : calibration.bins) {
    out << bin.index;
    for (double value : {bin.lower, bin.upper, bin.count, bin.mean_prediction, bin.fraction_positive}) {
      out << ',';
      internal::WriteNumber(out, value);
    }
    out << '\n';
  }
  internal::CheckWritten(out, "reliability diagram");
}

}  // namespace lever
