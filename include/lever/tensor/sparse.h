#pragma once
// Sparse rows in compressed sparse row (CSR) form: the input of linear models over millions of hashed
// features and of embedding lookups. Never densified: ops consume the CSR arrays directly.
#include <cstdint>
#include <vector>

#include "lever/tensor/tensor.h"

namespace lever {

/// Row i holds the entries ids[row_ptr[i] .. row_ptr[i + 1]) with their values, ids in [0, cols).
struct SparseRows {
  Index cols = 0;                   // size of the feature space (or vocabulary)
  std::vector<int64_t> row_ptr{0};  // rows() + 1 offsets
  std::vector<int32_t> ids;
  std::vector<float> values;

  Index rows() const { return static_cast<Index>(row_ptr.size()) - 1; }
  Index nnz() const { return static_cast<Index>(ids.size()); }
  void Clear() {
    row_ptr.assign(1, 0);
    ids.clear();
    values.clear();
  }
  /// Appends one entry to the row being built; EndRow() closes it.
  void Add(int32_t id, float value) {
    ids.push_back(id);
    values.push_back(value);
  }
  void EndRow() { row_ptr.push_back(static_cast<int64_t>(ids.size())); }
};

}  // namespace lever
