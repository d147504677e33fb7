#include "lever/features/feature_set.h"

#include <algorithm>

#include "lever/error.h"

namespace lever {

FeatureSet::FeatureSet(std::vector<FeatureColumnPtr> columns) {
  for (auto& c : columns) Add(std::move(c));
}

void FeatureSet::Add(FeatureColumnPtr column) {
  if (!column) throw ConfigError("feature set: empty feature column");
  for (const auto& c : columns_) {
    if (c->name() == column->name()) throw ConfigError("feature column '" + column->name() + "' is defined twice");
  }
  if (auto dense = std::dynamic_pointer_cast<DenseFeatureColumn>(column)) {
    dense_.push_back(dense);
  } else if (auto categorical = std::dynamic_pointer_cast<CategoricalFeatureColumn>(column)) {
    categorical_.push_back(categorical);
  } else if (auto indicator = std::dynamic_pointer_cast<IndicatorColumn>(column)) {
    indicators_.push_back(indicator);
    categorical_.push_back(indicator->categorical());
  } else if (auto embedding = std::dynamic_pointer_cast<EmbeddingColumn>(column)) {
    embeddings_.push_back(embedding);
  } else {
    throw ConfigError("feature column '" + column->name() + "' has an unknown kind");
  }
  columns_.push_back(std::move(column));
  linear_offsets_.clear();
}

void FeatureSet::Bind(const ColumnSource& source) {
  for (auto& c : columns_) c->Bind(source);
  linear_offsets_.clear();
  Index offset = 0;
  for (const auto& d : dense_) {
    linear_offsets_.push_back(offset);
    offset += d->dimension();
  }
  for (const auto& c : categorical_) {
    linear_offsets_.push_back(offset);
    offset += c->num_buckets();
  }
  linear_offsets_.push_back(offset);
}

void FeatureSet::Fit(const ColumnSource& source) {
  Bind(source);
  for (auto& c : columns_) c->Fit(source);
}

Index FeatureSet::linear_dimension() const {
  if (!embeddings_.empty()) {
    throw ConfigError("embedding column '" + embeddings_.front()->name() +
                      "' feeds deep models only; give a linear model the categorical column itself");
  }
  if (linear_offsets_.empty()) throw ConfigError("feature set: Bind() or Fit() before use");
  return linear_offsets_.back();
}

void FeatureSet::AppendLinearRows(const ColumnSource& source, Index begin, Index end, SparseRows& out) const {
  out.cols = linear_dimension();
  for (Index row = begin; row < end; ++row) {
    size_t k = 0;
    for (const auto& d : dense_) {
      values_.resize(static_cast<size_t>(d->dimension()));
      d->Values(source, row, values_.data());
      for (Index j = 0; j < d->dimension(); ++j) {
        if (values_[static_cast<size_t>(j)] != 0.0f) {
          out.Add(static_cast<int32_t>(linear_offsets_[k] + j), values_[static_cast<size_t>(j)]);
        }
      }
      ++k;
    }
    for (const auto& c : categorical_) {
      ids_.clear();
      c->Ids(source, row, ids_);
      // Sorted and merged so that a row lists each feature once.
      std::sort(ids_.begin(), ids_.end());
      for (size_t i = 0; i < ids_.size(); ++i) {
        if (i > 0 && ids_[i] == ids_[i - 1]) {
          out.values.back() += 1.0f;
          continue;
        }
        out.Add(static_cast<int32_t>(linear_offsets_[k] + ids_[i]), 1.0f);
      }
      ++k;
    }
    out.EndRow();
  }
}

std::string FeatureSet::LinearFeatureName(Index id) const {
  const Index dim = linear_dimension();
  if (id < 0 || id >= dim) return "feature " + std::to_string(id);
  const size_t k = static_cast<size_t>(std::upper_bound(linear_offsets_.begin(), linear_offsets_.end(), id) -
                                       linear_offsets_.begin()) -
                   1;
  const Index local = id - linear_offsets_[k];
  if (k < dense_.size()) {
    const auto& d = dense_[k];
    return d->name() + (d->dimension() > 1 ? "[" + std::to_string(local) + "]" : "");
  }
  return categorical_[k - dense_.size()]->BucketName(local);
}

Index FeatureSet::dense_dimension() const {
  Index n = 0;
  for (const auto& d : dense_) n += d->dimension();
  return n;
}

void FeatureSet::DenseRows(const ColumnSource& source, Index begin, Index end, float* out) const {
  const Index width = dense_dimension();
  for (Index row = begin; row < end; ++row) {
    float* dst = out + (row - begin) * width;
    for (const auto& d : dense_) {
      d->Values(source, row, dst);
      dst += d->dimension();
    }
  }
}

void FeatureSet::AppendCategoricalRows(const CategoricalFeatureColumn& column, const ColumnSource& source, Index begin,
                                       Index end, SparseRows& out) {
  out.cols = column.num_buckets();
  std::vector<int64_t> ids;
  for (Index row = begin; row < end; ++row) {
    ids.clear();
    column.Ids(source, row, ids);
    for (int64_t id : ids) out.Add(static_cast<int32_t>(id), 1.0f);
    out.EndRow();
  }
}

std::string FeatureSet::Describe() const {
  std::string out;
  for (const auto& c : columns_) out += "  " + c->name() + ": " + c->Describe() + "\n";
  return out;
}

void FeatureSet::SaveState(StateWriter& out) const {
  for (const auto& c : columns_) c->SaveState(out);
}

void FeatureSet::LoadState(const StateReader& in) {
  for (const auto& c : columns_) c->LoadState(in);
}

}  // namespace lever
