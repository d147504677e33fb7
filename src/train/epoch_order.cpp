#include "lever/train/epoch_order.h"

#include <numeric>
#include <string>
#include <utility>

#include "lever/error.h"
#include "lever/tensor/rng.h"

namespace lever {

EpochOrder::EpochOrder(uint64_t seed, Index rows, uint64_t stream) : seed_(seed), stream_(stream), rows_(rows) {
  if (rows < 1) throw DataError("training needs at least one row, got " + std::to_string(rows));
}

void EpochOrder::Shuffle(int64_t epoch) {
  // Fisher-Yates from the identity, so the order depends on nothing but (seed, stream, epoch).
  order_.resize(static_cast<size_t>(rows_));
  std::iota(order_.begin(), order_.end(), Index{0});
  Rng rng = Rng::Stream(seed_, stream_, static_cast<uint64_t>(epoch));
  for (size_t i = order_.size() - 1; i > 0; --i) std::swap(order_[i], order_[rng.UniformInt(i + 1)]);
  epoch_ = epoch;
}

}  // namespace lever
