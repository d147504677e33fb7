#pragma once
// Checking and converting a metric's inputs once, up front, so the metrics' loops need no checks and
// every error names the metric, the element and its value, and says what to do.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "lever/error.h"
#include "lever/metrics/number_span.h"

namespace lever::internal {

/// DataError unless the predictions, labels and (if given) weights have the same nonzero length.
inline void CheckLengths(const char* metric, size_t predictions, size_t labels, size_t weights,
                         const char* prediction_name = "predictions", const char* label_name = "labels") {
  if (predictions != labels) {
    throw DataError(std::string(metric) + ": " + std::to_string(predictions) + " " + prediction_name + " but " +
                    std::to_string(labels) + " " + label_name + "; pass one of each per example.");
  }
  if (weights != 0 && weights != predictions) {
    throw DataError(std::string(metric) + ": " + std::to_string(weights) + " weights for " +
                    std::to_string(predictions) + " examples; pass one weight per example, or none.");
  }
  if (predictions == 0) {
    throw DataError(std::string(metric) + ": no examples; a metric needs at least one prediction and label.");
  }
}

/// The values as doubles; DataError on NaN or infinity.
inline std::vector<double> FiniteValues(const char* metric, const char* name, NumberSpan values) {
  std::vector<double> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    out[i] = values[i];
    if (!std::isfinite(out[i])) {
      throw DataError(std::string(metric) + ": " + name + "[" + std::to_string(i) + "] is " + FormatValue(out[i]) +
                      "; every example needs a finite value (check the model for divergence, or drop the example).");
    }
  }
  return out;
}

/// The values as doubles; DataError unless each lies in [0, 1].
inline std::vector<double> ProbabilityValues(const char* metric, NumberSpan values) {
  std::vector<double> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    out[i] = values[i];
    if (!(out[i] >= 0.0 && out[i] <= 1.0)) {
      throw DataError(std::string(metric) + ": probabilities[" + std::to_string(i) + "] = " + FormatValue(out[i]) +
                      " is outside [0, 1]; pass probabilities (apply the sigmoid to logits first).");
    }
  }
  return out;
}

/// Labels as 0/1 bytes; DataError on anything else.
inline std::vector<uint8_t> BinaryLabels(const char* metric, NumberSpan labels) {
  std::vector<uint8_t> out(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    const double y = labels[i];
    if (y != 0.0 && y != 1.0) {
      throw DataError(std::string(metric) + ": labels[" + std::to_string(i) + "] = " + FormatValue(y) +
                      ", but binary metrics expect labels 0 or 1 (1 = positive); map the classes to 0 and 1 first.");
    }
    out[i] = y == 1.0;
  }
  return out;
}

/// Weights as doubles, all 1 when none are given; DataError on negative or non-finite weights or a zero sum.
inline std::vector<double> Weights(const char* metric, NumberSpan weights, size_t n) {
  if (weights.empty()) return std::vector<double>(n, 1.0);
  std::vector<double> out(n);
  double total = 0.0;
  for (size_t i = 0; i < n; ++i) {
    out[i] = weights[i];
    if (!std::isfinite(out[i]) || out[i] < 0.0) {
      throw DataError(std::string(metric) + ": weights[" + std::to_string(i) + "] = " + FormatValue(out[i]) +
                      "; sample weights must be finite and >= 0.");
    }
    total += out[i];
  }
  if (!(total > 0.0)) {
    throw DataError(std::string(metric) +
                    ": the sample weights sum to 0; give at least one example a positive weight.");
  }
  return out;
}

/// Sum of weight * value in double, divided by the total weight.
inline double WeightedMean(const std::vector<double>& values, const std::vector<double>& weights) {
  double sum = 0.0, total = 0.0;
  for (size_t i = 0; i < values.size(); ++i) {
    sum += weights[i] * values[i];
    total += weights[i];
  }
  return sum / total;
}

/// A number for CSV: the shortest text that reads back to the same double; "inf", "-inf", "nan".
inline void WriteNumber(std::ostream& out, double value) {
  if (std::isnan(value)) {
    out << "nan";
    return;
  }
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.write(buffer, result.ptr - buffer);
}

/// IoError when the stream has failed.
inline void CheckWritten(const std::ostream& out, const char* what) {
  if (!out) {
    throw IoError(std::string("writing the ") + what +
                  " CSV failed; check that the file is writable and the disk has space.");
  }
}

}  // namespace lever::internal
