#include "lever/estimator/examples.h"

#include "lever/error.h"

namespace lever {

Index Examples::rows() const {
  if (labels.rows() > 0) return labels.rows();
  if (dense.cols() > 0) return dense.rows();
  return sparse.empty() ? 0 : sparse.begin()->second.rows();
}

void Examples::Validate(const char* what) const {
  const Index n = size();
  if (n == 0) throw DataError(std::string(what) + " set is empty");
  if (dense.cols() > 0 && dense.rows() != n) {
    throw DataError(std::string(what) + " set has " + std::to_string(dense.rows()) + " rows of features but " +
                    std::to_string(n) + " labels");
  }
  for (const auto& [name, rows] : sparse) {
    if (rows.rows() != n) {
      throw DataError(std::string(what) + " set: sparse input '" + name + "' has " + std::to_string(rows.rows()) +
                      " rows, the labels " + std::to_string(n));
    }
  }
  CheckFiniteFeatures(dense, dense_names, what);
}

Examples Examples::FromDataset(const Dataset& data) {
  Examples e;
  e.dense = data.features;
  e.labels = data.labels;
  e.dense_names = data.feature_names;
  return e;
}

void Examples::Slice(Index begin, Index end, Examples& out) const {
  const Index count = end - begin;
  out.dense.resize(count, dense.cols());
  if (dense.cols() > 0) out.dense = dense.middleRows(begin, count);
  out.labels.resize(count, labels.cols());
  if (labels.rows() > 0 && labels.cols() > 0) out.labels = labels.middleRows(begin, count);
  for (const auto& [name, rows] : sparse) {
    SparseRows& o = out.sparse[name];
    o.Clear();
    o.cols = rows.cols;
    const auto b = rows.row_ptr[static_cast<size_t>(begin)];
    for (Index r = begin; r < end; ++r) o.row_ptr.push_back(rows.row_ptr[static_cast<size_t>(r) + 1] - b);
    o.ids.assign(rows.ids.begin() + b, rows.ids.begin() + rows.row_ptr[static_cast<size_t>(end)]);
    o.values.assign(rows.values.begin() + b, rows.values.begin() + rows.row_ptr[static_cast<size_t>(end)]);
  }
}

Examples MakeExamples(const FeatureSet* wide, const FeatureSet* deep, const ColumnSource& source, Tensor labels) {
  const Index n = source.num_rows();
  if (labels.rows() != n) {
    throw DataError("the labels have " + std::to_string(labels.rows()) + " rows, the data " + std::to_string(n));
  }
  Examples e;
  e.labels = std::move(labels);
  if (wide) {
    SparseRows& rows = e.sparse["wide"];
    rows.cols = wide->linear_dimension();
    wide->AppendLinearRows(source, 0, n, rows);
  }
  if (deep) {
    if (!deep->indicators().empty()) {
      throw ConfigError("indicator column '" + deep->indicators().front()->name() +
                        "' in the deep part: give the deep part an embedding column of it instead (a one-hot input "
                        "times the first layer is an embedding)");
    }
    e.dense.resize(n, deep->dense_dimension());
    if (deep->dense_dimension() > 0) deep->DenseRows(source, 0, n, e.dense.data());
    for (const auto& embedding : deep->embeddings()) {
      SparseRows& rows = e.sparse["embedding:" + embedding->name()];
      rows.cols = embedding->categorical()->num_buckets();
      FeatureSet::AppendCategoricalRows(*embedding->categorical(), source, 0, n, rows);
    }
    for (const auto& column : deep->columns()) {
      if (column->Kind() == "numeric") e.dense_names.push_back(column->name());
    }
  }
  return e;
}

// The rows are random, so every read of a row is a cache (and often
// TLB) miss; each sparse input is gathered in passes that first prefetch every row's offsets, then its
// entries, so the misses overlap instead of following one another.
void GatherRows(const Examples& data, std::span<const Index> rows, Examples& out) {
  const auto count = static_cast<Index>(rows.size());
  out.dense.resize(count, data.dense.cols());
  out.labels.resize(count, data.labels.cols());
  for (Index r = 0; r < count; ++r) {
    const Index row = rows[static_cast<size_t>(r)];
    if (data.dense.cols() > 0) out.dense.row(r) = data.dense.row(row);
    if (data.labels.cols() > 0) out.labels.row(r) = data.labels.row(row);
  }
  thread_local std::vector<std::pair<int64_t, int64_t>> spans;
  spans.resize(rows.size());
  for (const auto& [name, in] : data.sparse) {
    SparseRows& rows_out = out.sparse[name];
    rows_out.Clear();
    rows_out.cols = in.cols;
    for (const Index row : rows) __builtin_prefetch(&in.row_ptr[static_cast<size_t>(row)]);
    size_t total = 0;
    for (size_t r = 0; r < rows.size(); ++r) {
      const auto row = static_cast<size_t>(rows[r]);
      spans[r] = {in.row_ptr[row], in.row_ptr[row + 1]};
      total += static_cast<size_t>(spans[r].second - spans[r].first);
      if (spans[r].second > spans[r].first) {
        __builtin_prefetch(&in.ids[static_cast<size_t>(spans[r].first)]);
        __builtin_prefetch(&in.values[static_cast<size_t>(spans[r].first)]);
      }
    }
    rows_out.ids.resize(total);
    rows_out.values.resize(total);
    rows_out.row_ptr.resize(rows.size() + 1);
    int32_t* ids = rows_out.ids.data();
    float* values = rows_out.values.data();
    int64_t at = 0;
    for (size_t r = 0; r < spans.size(); ++r) {
      for (int64_t k = spans[r].first; k < spans[r].second; ++k, ++at) {  // rows hold few entries: no memcpy calls
        ids[at] = in.ids[static_cast<size_t>(k)];
        values[at] = in.values[static_cast<size_t>(k)];
      }
      rows_out.row_ptr[r + 1] = at;
    }
  }
}

std::pair<Examples, Examples> SplitHoldout(const Examples& data, double fraction, uint64_t seed) {
  const std::vector<bool> is_held = HoldoutMask(data.size(), fraction, seed);
  std::vector<Index> rest, held;
  for (Index r = 0; r < data.size(); ++r) (is_held[static_cast<size_t>(r)] ? held : rest).push_back(r);
  std::pair<Examples, Examples> out;
  GatherRows(data, rest, out.first);
  GatherRows(data, held, out.second);
  out.first.dense_names = out.second.dense_names = data.dense_names;
  return out;
}

}  // namespace lever
