#pragma once
// Products of sparse rows with dense tables: the linear part of a wide model over millions of hashed
// features, indicator columns feeding a layer, and embedding lookups. The sparse rows are never
// densified, and the table's gradient touches only the rows present in the batch.
#include <string>

#include "lever/autodiff/graph.h"

namespace lever {

/// How a row's entries are combined (TensorFlow's embedding combiners).
enum class Combiner {
  kSum,    // y_i = sum_j v_ij W[id_ij]
  kMean,   // y_i = sum_j v_ij W[id_ij] / sum_j v_ij
  kSqrtN,  // y_i = sum_j v_ij W[id_ij] / sqrt(sum_j v_ij^2)
};

/// Parses "sum", "mean" or "sqrtn"; throws ConfigError listing them otherwise.
Combiner ParseCombiner(const std::string& name);
std::string CombinerName(Combiner combiner);

/// y (rows, units) = the combined rows of `table` (features, units) selected by the sparse input's ids,
/// weighted by its values (see Combiner); a row with no entries gives zeros.
/// d/dtable[id] += (v_ij / norm_i) dy_i for every entry; the rows written are recorded when the table
/// is bound row-sparse. Ids must be < table rows (checked, DataError naming the row and the id).
template <class T>
BasicVar<T> SparseMatMul(const BasicVar<T>& sparse, const BasicVar<T>& table, Combiner combiner = Combiner::kSum);

}  // namespace lever
