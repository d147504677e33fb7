#pragma once
// Examples as an estimator feeds them to a model function: a dense block, named sparse inputs (CSR rows)
// and labels, all rows in memory.
//
// From feature columns: the wide (linear) columns become the sparse input "wide" over their linear
// feature space; of the deep columns, numeric ones form the dense block and each embedding column its
// categorical ids as the sparse input "embedding:<column name>". Sparse inputs are never densified: a
// model multiplies them into weight tables with SparseMatMul, touching only the rows present.
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "lever/data/dataset.h"
#include "lever/features/feature_set.h"
#include "lever/tensor/sparse.h"
#include "lever/tensor/tensor.h"

namespace lever {

struct Examples {
  Tensor dense;                              // (rows, dense features); may have no columns
  std::map<std::string, SparseRows> sparse;  // each with `rows` rows
  Tensor labels;                             // (rows, label columns)
  std::vector<std::string> dense_names;

  Index size() const { return labels.rows(); }
  /// Examples present, with or without labels (prediction inputs have none).
  Index rows() const;
  /// Throws DataError when the parts disagree on the number of rows, or a dense value is not finite
  /// (naming the example and the feature).
  void Validate(const char* what) const;
  /// A dense dataset as examples (features become the dense block).
  static Examples FromDataset(const Dataset& data);
  /// Rows [begin, end) into `out` (reusing its storage).
  void Slice(Index begin, Index end, Examples& out) const;
};

/// Copies rows `rows` of `data` into `out` (reusing its storage; the dense names are left as they are).
void GatherRows(const Examples& data, std::span<const Index> rows, Examples& out);

/// Splits `data` into (rest, holdout) by the rows SplitHoldout (lever/data/dataset.h) holds out of a
/// dataset of its size: the same fraction, seed and checks.
std::pair<Examples, Examples> SplitHoldout(const Examples& data, double fraction, uint64_t seed);

/// The inputs of `wide` (linear columns; may be null) and `deep` (numeric and embedding columns; may be
/// null) feature sets for every row of `source`, with `labels` (source rows x label columns). The sets
/// must be bound (and fitted) already. Throws ConfigError for a deep indicator column (use an embedding
/// column) and DataError for unusable values (naming the row).
Examples MakeExamples(const FeatureSet* wide, const FeatureSet* deep, const ColumnSource& source, Tensor labels);

}  // namespace lever
