#include <algorithm>
#include <cmath>
#include <sstream>

#include "lever/error.h"
#include "lever/features/feature_column.h"

namespace lever {
namespace {

class Bucketized : public CategoricalFeatureColumn {
 public:
  Bucketized(const std::string& key, std::vector<double> boundaries)
      : CategoricalFeatureColumn(key + "_bucketized"), key_(key), boundaries_(std::move(boundaries)) {
    if (boundaries_.empty()) throw ConfigError("bucketized column '" + key_ + "' needs at least one boundary");
    for (size_t i = 0; i < boundaries_.size(); ++i) {
      if (!std::isfinite(boundaries_[i]) || (i > 0 && boundaries_[i] <= boundaries_[i - 1])) {
        throw ConfigError("bucketized column '" + key_ + "': boundaries must be finite and strictly increasing, got " +
                          FormatValue(boundaries_[i]) + (i > 0 ? " after " + FormatValue(boundaries_[i - 1]) : ""));
      }
    }
  }
  std::string Kind() const override { return "bucketized"; }
  std::string Describe() const override {
    std::ostringstream out;
    out << "bucketized(" << key_ << ", boundaries [";
    for (size_t i = 0; i < boundaries_.size(); ++i) out << (i ? ", " : "") << boundaries_[i];
    out << "])";
    return out.str();
  }
  void Bind(const ColumnSource& source) override {
    column_ = Resolve(source, key_);
    if (!source.IsNumeric(column_)) {
      throw ConfigError(AtOrigin("bucketized column '" + name() + "': column '" + key_ + "' holds text, not numbers"));
    }
  }
  Index num_buckets() const override { return static_cast<Index>(boundaries_.size()) + 1; }
  void Ids(const ColumnSource& source, Index row, std::vector<int64_t>& ids) const override {
    const double v = source.Number(column_, row);
    if (std::isnan(v)) {
      throw DataError(WithOrigin(source.Where(row) + ": column '" + key_ + "' is NaN; it cannot be bucketized"));
    }
    ids.push_back(std::upper_bound(boundaries_.begin(), boundaries_.end(), v) - boundaries_.begin());
  }
  std::string BucketName(Index id) const override {
    std::ostringstream out;
    if (id == 0)
      out << key_ << " < " << boundaries_.front();
    else if (id == num_buckets() - 1)
      out << key_ << " >= " << boundaries_.back();
    else
      out << boundaries_[static_cast<size_t>(id) - 1] << " <= " << key_ << " < "
          << boundaries_[static_cast<size_t>(id)];
    return out.str();
  }

 private:
  std::string key_;
  std::vector<double> boundaries_;
  int column_ = -1;
};

}  // namespace

CategoricalColumnPtr BucketizedColumn(const std::string& key, std::vector<double> boundaries) {
  return std::make_shared<Bucketized>(key, std::move(boundaries));
}

}  // namespace lever
