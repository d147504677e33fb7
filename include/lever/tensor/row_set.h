#pragma once
// Which rows of a table a step touched: the bookkeeping behind row-sparse gradients.
#include <cstdint>
#include <vector>

#include "lever/tensor/tensor.h"

namespace lever {

/// Distinct row indices in first-insertion order, with O(1) membership.
class RowSet {
 public:
  /// Prepares for a table of `rows` rows and empties the set.
  void Reset(Index rows) {
    marked_.assign(static_cast<size_t>(rows), 0);
    rows_.clear();
  }
  Index capacity() const { return static_cast<Index>(marked_.size()); }
  /// Grows the table the set refers to (new rows unmarked).
  void Grow(Index rows) {
    if (rows > capacity()) marked_.resize(static_cast<size_t>(rows), 0);
  }
  void Insert(Index row) {
    uint8_t& m = marked_[static_cast<size_t>(row)];
    if (m == 0) {
      m = 1;
      rows_.push_back(row);
    }
  }
  /// Replaces the contents (distinct rows, each < capacity()).
  void Assign(const std::vector<Index>& rows) {
    Clear();
    for (Index r : rows) Insert(r);
  }
  void Clear() {
    for (Index r : rows_) marked_[static_cast<size_t>(r)] = 0;
    rows_.clear();
  }
  void Prefetch(Index row) const { __builtin_prefetch(marked_.data() + row, 1); }
  bool Contains(Index row) const { return marked_[static_cast<size_t>(row)] != 0; }
  const std::vector<Index>& rows() const { return rows_; }
  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }

 private:
  std::vector<Index> rows_;
  std::vector<uint8_t> marked_;
};

}  // namespace lever
