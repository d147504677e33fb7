#include <cmath>
#include <sstream>

#include "lever/error.h"
#include "lever/features/feature_column.h"

namespace lever {
namespace {

class Numeric : public DenseFeatureColumn {
 public:
  Numeric(const std::string& key, bool standardize) : DenseFeatureColumn(key), key_(key), standardize_(standardize) {}
  std::string Kind() const override { return "numeric"; }
  std::string Describe() const override {
    std::ostringstream out;
    out << "numeric(" << key_;
    if (standardize_) out << ", standardized: mean " << mean_ << ", stddev " << stddev_;
    out << ")";
    return out.str();
  }
  void Bind(const ColumnSource& source) override {
    column_ = Resolve(source, key_);
    if (!source.IsNumeric(column_)) {
      throw ConfigError(AtOrigin("numeric column '" + name() + "': column '" + key_ +
                                 "' holds text; declare it as a number in the schema or use a categorical column"));
    }
  }
  void Fit(const ColumnSource& source) override {
    if (!standardize_) return;
    double sum = 0.0, sum_sq = 0.0;
    const Index n = source.num_rows();
    for (Index r = 0; r < n; ++r) {
      const double v = source.Number(column_, r);
      sum += v;
      sum_sq += v * v;
    }
    mean_ = n > 0 ? sum / static_cast<double>(n) : 0.0;
    const double var = n > 0 ? std::max(0.0, sum_sq / static_cast<double>(n) - mean_ * mean_) : 0.0;
    stddev_ = var > 1e-24 ? std::sqrt(var) : 1.0;  // a constant column is only centred
  }
  Index dimension() const override { return 1; }
  void Values(const ColumnSource& source, Index row, float* out) const override {
    const float v = source.Number(column_, row);
    if (!std::isfinite(v)) {
      throw DataError(WithOrigin(source.Where(row) + ": column '" + key_ + "' is " + FormatValue(v) +
                                 "; numeric features must be finite (declare missing values with a default in the "
                                 "schema)"));
    }
    out[0] = standardize_ ? static_cast<float>((v - mean_) / stddev_) : v;
  }
  void SaveState(StateWriter& out) const override {
    out.WriteScalar("features/" + name() + "/mean", mean_);
    out.WriteScalar("features/" + name() + "/stddev", stddev_);
  }
  void LoadState(const StateReader& in) override {
    mean_ = in.ReadScalar("features/" + name() + "/mean");
    stddev_ = in.ReadScalar("features/" + name() + "/stddev");
  }

 private:
  std::string key_;
  bool standardize_;
  int column_ = -1;
  double mean_ = 0.0;
  double stddev_ = 1.0;
};

}  // namespace

DenseColumnPtr NumericColumn(const std::string& key, bool standardize) {
  return std::make_shared<Numeric>(key, standardize);
}

}  // namespace lever
