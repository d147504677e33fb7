#pragma once
// The one epoch shuffler of lever's training loops: training visits the rows of epoch 0 in a shuffled
// order, then those of epoch 1 in another, and so on; the order of epoch e depends only on (seed, stream,
// e), so training resumed at any step draws the batches an uninterrupted run draws.
//
//   EpochOrder order(seed, rows);
//   order.Batch(step * batch_size, batch_size, batch_rows);   // the rows of step `step`
#include <cstdint>
#include <vector>

#include "lever/tensor/tensor.h"

namespace lever {

class EpochOrder {
 public:
  /// The stream the Trainer and the linear solvers draw from; estimators draw from kEstimatorStream (their
  /// checkpoints resume with it).
  static constexpr uint64_t kTrainerStream = 0xDA7A0D3EULL;
  static constexpr uint64_t kEstimatorStream = 0xE57DA7AULL;

  /// Throws DataError when `rows` < 1.
  EpochOrder(uint64_t seed, Index rows, uint64_t stream = kTrainerStream);

  Index rows() const { return rows_; }
  /// The row visited at `position` of the endless sequence of epochs (position / rows is the epoch).
  Index Row(int64_t position) {
    const int64_t epoch = position / rows_;
    if (epoch != epoch_) Shuffle(epoch);
    return order_[static_cast<size_t>(position % rows_)];
  }
  /// The `count` rows from `first` on, into `out` (resized; no allocation once it is large enough).
  void Batch(int64_t first, Index count, std::vector<Index>& out) {
    out.resize(static_cast<size_t>(count));
    // One division per batch, not two per row: small nets take a step in about a microsecond.
    int64_t epoch = first / rows_;
    auto at = static_cast<size_t>(first % rows_);
    if (epoch != epoch_) Shuffle(epoch);
    for (Index r = 0; r < count; ++r) {
      out[static_cast<size_t>(r)] = order_[at];
      if (++at == order_.size()) {
        at = 0;
        if (r + 1 < count) Shuffle(++epoch);
      }
    }
  }

 private:
  void Shuffle(int64_t epoch);

  uint64_t seed_;
  uint64_t stream_;
  Index rows_;
  int64_t epoch_ = -1;
  std::vector<Index> order_;
};

}  // namespace lever
