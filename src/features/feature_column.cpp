#include "lever/features/feature_column.h"

#include <cmath>
#include <sstream>

#include "lever/error.h"
#include "lever/ops/sparse_matmul.h"
#include "lever/registry.h"

namespace lever {

std::string ColumnOrigin::ToString() const {
  return file + (line > 0 ? ":" + std::to_string(line) : std::string()) + (path.empty() ? "" : ": " + path);
}

int FeatureColumn::Resolve(const ColumnSource& source, const std::string& key) const {
  const int index = source.Find(key);
  if (index >= 0) return index;
  std::vector<std::string> columns;
  for (int i = 0; i < source.num_columns(); ++i) columns.push_back(source.ColumnName(i));
  const std::string available = JoinNames(columns);
  throw ConfigError(AtOrigin("feature column '" + name() + "' reads column '" + key +
                             "', which the data does not have" +
                             (available.empty() ? std::string(".") : ". Its columns: " + available + ".")));
}

std::string FeatureColumn::SettingName(const std::string& argument, const std::string& yaml_key) const {
  return origin_ ? yaml_key : argument;
}

std::string FeatureColumn::AtOrigin(const std::string& message) const {
  return origin_ ? origin_->ToString() + ": " + message : message;
}

std::string FeatureColumn::WithOrigin(const std::string& message) const {
  return origin_ ? message + " (feature column declared at " + origin_->ToString() + ")" : message;
}

Index DefaultEmbeddingDimension(Index buckets) {
  return std::max<Index>(1, static_cast<Index>(std::llround(std::pow(static_cast<double>(buckets), 0.25))));
}

IndicatorColumn::IndicatorColumn(CategoricalColumnPtr categorical)
    : FeatureColumn(categorical ? categorical->name() + "_indicator" : "indicator"),
      categorical_(std::move(categorical)) {
  if (!categorical_) throw ConfigError("indicator column needs a categorical column");
}

std::string IndicatorColumn::Describe() const { return "indicator(" + categorical_->Describe() + ")"; }

EmbeddingColumn::EmbeddingColumn(CategoricalColumnPtr categorical, Index dimension, std::string combiner)
    : FeatureColumn(categorical ? categorical->name() + "_embedding" : "embedding"),
      categorical_(std::move(categorical)),
      dimension_(dimension),
      default_dimension_(dimension == 0),
      combiner_(std::move(combiner)) {
  if (!categorical_) throw ConfigError("embedding column needs a categorical column");
  if (dimension_ < 0)
    throw ConfigError("embedding column '" + name() + "': dimension must be positive (or 0 for the default)");
  if (dimension_ == 0) dimension_ = DefaultEmbeddingDimension(categorical_->num_buckets());
  ParseCombiner(combiner_);  // validates
}

std::string EmbeddingColumn::Describe() const {
  std::ostringstream out;
  out << "embedding(" << categorical_->Describe() << ", dimension=" << dimension_
      << (default_dimension_ ? " (default: round(" + std::to_string(categorical_->num_buckets()) + " ^ 0.25))" : "")
      << ", combiner=" << combiner_ << ")";
  return out.str();
}

std::shared_ptr<IndicatorColumn> MakeIndicatorColumn(CategoricalColumnPtr categorical) {
  return std::make_shared<IndicatorColumn>(std::move(categorical));
}

std::shared_ptr<EmbeddingColumn> MakeEmbeddingColumn(CategoricalColumnPtr categorical, Index dimension,
                                                     const std::string& combiner) {
  return std::make_shared<EmbeddingColumn>(std::move(categorical), dimension, combiner);
}

namespace {

// One line per column kind a config names.
// clang-format off
const std::vector<FeatureColumnKind>& KindRegistry() {
  static const std::vector<FeatureColumnKind> table = {
      {"numeric", {}, "a number, standardized by default", false},
      {"bucketized", {}, "a number's bucket between boundaries", true},
      {"categorical", {}, "text or ids by vocabulary (list or file), hash buckets or identity", true},
      {"crossed", {}, "a hashed cross of two or more columns", true},
      {"indicator", {}, "a categorical column one-hot (multi-hot)", false},
      {"embedding", {}, "a categorical column as a learned dense vector", false},
  };
  return table;
}
// clang-format on

}  // namespace

std::vector<std::string> FeatureColumnKindNames() { return internal::EntryNames(KindRegistry()); }

std::vector<std::string> CategoricalColumnKindNames() {
  std::vector<std::string> names;
  for (const FeatureColumnKind& kind : KindRegistry()) {
    if (kind.categorical) names.emplace_back(kind.name);
  }
  return names;
}

std::vector<NameEntry> FeatureColumnKindEntries() { return internal::Describe(KindRegistry()); }

}  // namespace lever
