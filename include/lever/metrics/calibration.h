#pragma once
// Calibration of predicted probabilities: reliability bins, expected calibration error, and the mean
// label against the mean prediction.
#include <ostream>
#include <vector>

#include "lever/metrics/number_span.h"

namespace lever {

/// One non-empty bin of the reliability diagram.
struct ReliabilityBin {
  int index = 0;
  /// Edges: the bin holds lower < p <= upper (bin 0 also holds p = 0).
  double lower = 0.0;
  double upper = 0.0;
  /// Examples in the bin (their weight sum when weighted).
  double count = 0.0;
  double mean_prediction = 0.0;
  double fraction_positive = 0.0;
};

struct Calibration {
  /// The non-empty bins in increasing order (scikit-learn's calibration_curve drops empty bins too).
  std::vector<ReliabilityBin> bins;
  /// ECE = sum over bins of (count / total) * |fraction_positive - mean_prediction| (Naeini et al. 2015).
  double expected_calibration_error = 0.0;
  /// MCE = max over bins of |fraction_positive - mean_prediction|.
  double maximum_calibration_error = 0.0;
  /// Calibration in the large: a calibrated model has mean_prediction close to mean_label.
  double mean_prediction = 0.0;
  double mean_label = 0.0;
};

/// Uniform bins as scikit-learn's calibration_curve(strategy='uniform'): edges e_i = i * (1 / num_bins)
/// (e_num_bins = 1) and p goes to the bin b with e_b < p <= e_(b+1), p = 0 to bin 0. Probabilities must
/// lie in [0, 1], labels be 0 or 1 (DataError); num_bins >= 1 (ConfigError).
Calibration MeasureCalibration(NumberSpan probabilities, NumberSpan labels, int num_bins = 10, NumberSpan weights = {});

/// MeasureCalibration(...).expected_calibration_error.
double ExpectedCalibrationError(NumberSpan probabilities, NumberSpan labels, int num_bins = 10,
                                NumberSpan weights = {});

/// CSV of the reliability diagram: "bin,lower,upper,count,mean_prediction,fraction_positive".
void WriteCsv(std::ostream& out, const Calibration& calibration);

}  // namespace lever
