#pragma once
// The feature columns of a model and the inputs they produce from raw columns.
//
// Linear (wide) models see every column in one sparse feature space: a numeric column is one feature
// whose value is the (standardized) number; a categorical, bucketized, crossed or indicator column
// contributes num_buckets features of which each example sets its ids to 1. Deep models see the numeric
// columns as a dense block, indicator columns as sparse one-hot rows and embedding columns as learned
// vectors (looked up from the sparse ids of their categorical column).
#include <memory>
#include <string>
#include <vector>

#include "lever/features/feature_column.h"
#include "lever/tensor/sparse.h"

namespace lever {

class FeatureSet {
 public:
  FeatureSet() = default;
  explicit FeatureSet(std::vector<FeatureColumnPtr> columns);
  void Add(FeatureColumnPtr column);

  /// Binds every column to `source`'s raw columns.
  void Bind(const ColumnSource& source);
  /// Binds, then learns statistics (standardization) from training data.
  void Fit(const ColumnSource& source);

  // ---- Linear (wide) inputs ----------------------------------------------------------------------
  /// Size of the linear feature space. Embedding columns are not linear inputs (ConfigError).
  Index linear_dimension() const;
  /// Appends rows [begin, end) of `source` to `out` (whose cols is set to linear_dimension()).
  void AppendLinearRows(const ColumnSource& source, Index begin, Index end, SparseRows& out) const;
  /// What linear feature `id` means: "age (standardized)", "city=Paris", "day_x_hour cross bucket 17".
  std::string LinearFeatureName(Index id) const;

  // ---- Deep inputs --------------------------------------------------------------------------------
  /// Width of the dense block (numeric columns side by side).
  Index dense_dimension() const;
  /// Writes rows [begin, end) of the dense block into `out` ((end - begin) x dense_dimension(), row-major).
  void DenseRows(const ColumnSource& source, Index begin, Index end, float* out) const;
  const std::vector<std::shared_ptr<EmbeddingColumn>>& embeddings() const { return embeddings_; }
  const std::vector<std::shared_ptr<IndicatorColumn>>& indicators() const { return indicators_; }
  /// Appends the ids of a categorical column for rows [begin, end) as sparse rows with value 1.
  static void AppendCategoricalRows(const CategoricalFeatureColumn& column, const ColumnSource& source, Index begin,
                                    Index end, SparseRows& out);

  const std::vector<FeatureColumnPtr>& columns() const { return columns_; }
  /// One line per column, for logs and the CLI.
  std::string Describe() const;
  void SaveState(StateWriter& out) const;
  void LoadState(const StateReader& in);

 private:
  std::vector<FeatureColumnPtr> columns_;
  std::vector<DenseColumnPtr> dense_;
  std::vector<CategoricalColumnPtr> categorical_;  // linear categorical inputs, indicators' included
  std::vector<std::shared_ptr<EmbeddingColumn>> embeddings_;
  std::vector<std::shared_ptr<IndicatorColumn>> indicators_;
  std::vector<Index> linear_offsets_;  // dense columns first, then categorical ones
  mutable std::vector<int64_t> ids_;
  mutable std::vector<float> values_;
};

}  // namespace lever
