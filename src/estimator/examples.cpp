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

}  // namespace lever
