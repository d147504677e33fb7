#pragma once
// The search space of a study: each parameter mapped to [0, 1] by its scale, the encoding the Gaussian
// process sees, uniform sampling in the scaled space and the trainer's command-line text.
//
// Scales, for a range [lo, hi] with lo < hi (u is the unit-interval coordinate):
//   UNIT_LINEAR_SCALE       u = (v - lo) / (hi - lo)
//   UNIT_LOG_SCALE          u = (ln v - ln lo) / (ln hi - ln lo)                       (lo > 0)
//   UNIT_REVERSE_LOG_SCALE  u = 1 - (ln(hi + lo - v) - ln lo) / (ln hi - ln lo)        (lo > 0)
//                           v = hi + lo - lo * (hi / lo)^(1 - u)
// Log scale spends resolution near lo, reverse log (Vizier's: the log scale mirrored about the middle of
// the range) near hi. Both bend as much as hi / lo is large: over [1, 100] reverse log puts u = 0.5 at 91,
// over [0.9, 0.999] it is nearly linear (to search 1 - momentum log-uniformly, tune 1 - momentum itself on
// a log scale). When lo == hi, u = 0.5.
//
// Per type:
//   DOUBLE       [lo, hi] = [minValue, maxValue]; FromUnit clamps to the range.
//   INTEGER      the continuous relaxation [minValue - 0.5, maxValue + 0.5] carries the scale, and a
//                value is rounded to the nearest integer: each integer k owns the cell [k - 0.5, k + 0.5),
//                cells of equal width (under the linear scale, equal width in u too; under the log scales,
//                equal width before the transform, as in Optuna). ToUnit(k) is the centre of k's cell.
//   DISCRETE     [lo, hi] = [first, last] value; FromUnit snaps to the value whose u is nearest.
//   CATEGORICAL  one-hot for the Gaussian process (one coordinate per value, argmax decodes); as a
//                single coordinate, value j of k owns the cell [j / k, (j + 1) / k).
//
// Random sampling draws u uniformly for DOUBLE and INTEGER (so a log-scaled parameter is log-uniform)
// and picks DISCRETE and CATEGORICAL values with equal probability.
#include <Eigen/Core>
#include <string>
#include <vector>

#include "lever/tensor/rng.h"
#include "lever/tune/study_spec.h"

namespace lever::tune {

/// A point in the search space: one value per parameter, in the spec's order. DOUBLE holds the value,
/// INTEGER a whole number, DISCRETE one of discreteValues, CATEGORICAL the index into categoricalValues.
using Assignment = std::vector<double>;

/// The scale transform of a value in [lo, hi] to [0, 1] and its inverse (formulas above).
double ScaleToUnit(ScaleType scale, double lo, double hi, double value);
double ScaleFromUnit(ScaleType scale, double lo, double hi, double u);

class SearchSpace {
 public:
  /// Validates the parameters (ValidateParameters), throwing ConfigError.
  explicit SearchSpace(std::vector<ParameterSpec> params);

  const std::vector<ParameterSpec>& parameters() const { return params_; }
  const ParameterSpec& parameter(int i) const { return params_[static_cast<size_t>(i)]; }
  int size() const { return static_cast<int>(params_.size()); }
  /// Coordinates of Encode: one per numeric parameter plus one per categorical value.
  int encoded_dimension() const { return encoded_dimension_; }

  /// A feasible value of parameter i to [0, 1] (CATEGORICAL: the centre of its cell).
  double ToUnit(int i, double value) const;
  /// [0, 1] (clamped) to a feasible value of parameter i: rounded, snapped or clamped as above.
  double FromUnit(int i, double u) const;

  /// The Gaussian process's view of a point: numeric parameters by ToUnit, categoricals one-hot.
  Eigen::VectorXd Encode(const Assignment& assignment) const;
  /// The feasible point nearest to an encoded (possibly relaxed, out-of-cube) vector.
  Assignment Decode(const Eigen::VectorXd& encoded) const;
  /// A uniform draw in the scaled space (see above).
  Assignment Sample(Rng& rng) const;
  /// Throws ConfigError unless the assignment has one feasible value per parameter.
  void Check(const Assignment& assignment) const;

  /// A value as the trainer reads it: INTEGER without decimals ("32"), DOUBLE and DISCRETE in the
  /// shortest text that reads back to the same double ("0.01", "1e-05"), CATEGORICAL its text.
  std::string ValueText(int i, double value) const;
  /// The inverse of ValueText, for trials read back from storage. Throws ConfigError for a value
  /// outside the space.
  double ParseValue(int i, const std::string& text) const;
  /// One argument per parameter: {"--batch_size=32", "--learning_rate=0.01"}.
  std::vector<std::string> Flags(const Assignment& assignment) const;
  /// "batch_size=32, learning_rate=0.01", for messages.
  std::string Describe(const Assignment& assignment) const;

 private:
  std::vector<ParameterSpec> params_;
  std::vector<int> offsets_;                     // first encoded coordinate of each parameter
  std::vector<std::vector<double>> discrete_u_;  // DISCRETE: ToUnit of each value, increasing
  int encoded_dimension_ = 0;
};

}  // namespace lever::tune
