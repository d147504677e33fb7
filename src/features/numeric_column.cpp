#include <cmath>
#include <sstream>

#include "lever/error.h"
#include "lever/features/feature_column.h"

namespace lever {
namespace {

class Numeric : public DenseFeatureColumn {
 public:
  Numeric(const std::string& key, const NumericOptions& options)
      : DenseFeatureColumn(key), key_(key), options_(options) {
    if (options_.default_value && !std::isfinite(*options_.default_value)) {
      throw ConfigError("numeric column '" + key + "': the default must be a finite number");
    }
    if (options_.default_value) fill_ = *options_.default_value;
  }
  std::string Kind() const override { return "numeric"; }
  std::string Describe() const override {
    std::ostringstream out;
    out << "numeric(" << key_;
    if (options_.standardize) out << ", standardized: mean " << mean_ << ", stddev " << stddev_;
    if (options_.missing == MissingPolicy::kError) {
      out << ", missing: error";
    } else if (missing_in_training_ > 0 || options_.default_value) {
      out << ", missing -> " << fill_ << (options_.default_value ? " (default)" : " (training mean)");
    }
    if (options_.missing_indicator) out << ", missing indicator";
    out << ")";
    return out.str();
  }
  void Bind(const ColumnSource& source) override {
    column_ = Resolve(source, key_);
    if (!source.IsNumeric(column_)) {
      // A column missing in every row is typed text by schema inference; its trouble is the missing values.
      bool all_missing = source.num_rows() > 0;
      for (Index r = 0; r < source.num_rows() && all_missing; ++r) all_missing = source.Text(column_, r).empty();
      if (all_missing) {
        throw DataError(WithOrigin("column '" + key_ + "' has no value in any of the " +
                                   std::to_string(source.num_rows()) +
                                   " training rows (all missing), so it has no type and nothing to learn from. "
                                   "Drop its feature column, or fill the values in the file"));
      }
      throw ConfigError(AtOrigin("numeric column '" + name() + "': column '" + key_ +
                                 "' holds text; declare it as a number in the schema or use a categorical column"));
    }
  }
  // Mean and stddev of the rows with a value; missing ones are then filled with the mean (or the default),
  // so the statistics describe the column the model sees.
  void Fit(const ColumnSource& source) override {
    double sum = 0.0, sum_sq = 0.0;
    Index n = 0;
    missing_in_training_ = 0;
    for (Index r = 0; r < source.num_rows(); ++r) {
      const double v = source.Number(column_, r);
      if (std::isnan(v)) {
        ++missing_in_training_;
        continue;
      }
      if (!std::isfinite(v)) continue;  // Values() reports it with its row
      sum += v;
      sum_sq += v * v;
      ++n;
    }
    if (n == 0 && source.num_rows() > 0 && !options_.default_value) throw DataError(AllMissing(source.num_rows()));
    const double mean = n > 0 ? sum / static_cast<double>(n) : 0.0;
    if (!options_.default_value) fill_ = mean;
    if (!options_.standardize) return;
    // With the missing rows filled, over every row.
    const auto filled = static_cast<double>(missing_in_training_);
    const double rows = static_cast<double>(n) + filled;
    sum += filled * fill_;
    sum_sq += filled * fill_ * fill_;
    mean_ = rows > 0 ? sum / rows : 0.0;
    const double var = rows > 0 ? std::max(0.0, sum_sq / rows - mean_ * mean_) : 0.0;
    stddev_ = var > 1e-24 ? std::sqrt(var) : 1.0;  // a constant column is only centred
  }
  // What to do depends on where the column was declared: a feature column in YAML takes a default; a
  // column lever made from the table's schema takes one there.
  std::string AllMissing(Index rows) const {
    return WithOrigin(
        "column '" + key_ + "' has no value in any of the " + std::to_string(rows) +
        " training rows (all missing): there is nothing to learn from or to impute with. " +
        (origin() ? "Drop its feature column, or give it a default ({numeric: {key: " + key_ + ", default: 0}})"
                  : "Drop the column, or give it a default in the schema (default: 0)"));
  }
  Index dimension() const override { return options_.missing_indicator ? 2 : 1; }
  void Values(const ColumnSource& source, Index row, float* out) const override {
    double v = source.Number(column_, row);
    const bool missing = std::isnan(v);
    if (missing) {
      if (options_.missing == MissingPolicy::kError) {
        throw DataError(WithOrigin(source.Where(row) + ": column '" + key_ +
                                   "' is missing, and its feature column says missing: error. Fill the value, or "
                                   "remove missing: error to impute it"));
      }
      v = fill_;
    } else if (!std::isfinite(v)) {
      throw DataError(WithOrigin(source.Where(row) + ": column '" + key_ + "' is " +
                                 FormatValue(static_cast<float>(v)) + "; numeric features must be finite"));
    }
    out[0] = static_cast<float>(options_.standardize ? (v - mean_) / stddev_ : v);
    if (options_.missing_indicator) out[1] = missing ? 1.0f : 0.0f;
  }
  void SaveState(StateWriter& out) const override {
    out.WriteScalar("features/" + name() + "/mean", mean_);
    out.WriteScalar("features/" + name() + "/stddev", stddev_);
    out.WriteScalar("features/" + name() + "/missing_fill", fill_);
  }
  void LoadState(const StateReader& in) override {
    mean_ = in.ReadScalar("features/" + name() + "/mean");
    stddev_ = in.ReadScalar("features/" + name() + "/stddev");
    // State written before missing values were imputed: they were errors then, the mean is as good as any.
    const std::string fill_key = "features/" + name() + "/missing_fill";
    fill_ = in.Has(fill_key) ? in.ReadScalar(fill_key) : mean_;
  }
  std::optional<Imputation> imputation() const override {
    if (options_.missing == MissingPolicy::kError) return std::nullopt;
    return Imputation{key_, fill_};
  }

 private:
  std::string key_;
  NumericOptions options_;
  int column_ = -1;
  double mean_ = 0.0;
  double stddev_ = 1.0;
  double fill_ = 0.0;
  Index missing_in_training_ = 0;
};

}  // namespace

DenseColumnPtr NumericColumn(const std::string& key, const NumericOptions& options) {
  return std::make_shared<Numeric>(key, options);
}

DenseColumnPtr NumericColumn(const std::string& key, bool standardize) {
  return NumericColumn(key, NumericOptions{.standardize = standardize});
}

}  // namespace lever
