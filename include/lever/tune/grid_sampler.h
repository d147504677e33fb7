#pragma once
#include <cstdint>

#include "lever/tune/sampler.h"

namespace lever::tune {

/// Every combination of the parameters' values, as nested loops in the spec's order: the first
/// parameter changes slowest, the last fastest; INTEGER from minValue to maxValue, DISCRETE and
/// CATEGORICAL in their listed order. Propose returns the first points not already in the history
/// (whatever their state: failed points are not retried), so a resumed study continues where it stopped;
/// it returns fewer than asked once the grid is exhausted.
class GridSampler : public Sampler {
 public:
  /// Throws ConfigError naming the first DOUBLE parameter (a continuous range has no grid).
  explicit GridSampler(SearchSpace space);

  std::vector<Assignment> Propose(const std::vector<TrialRecord>& history, int count, Rng& rng) override;
  std::string Describe() const override;

  /// Number of grid points (saturates at UINT64_MAX).
  uint64_t size() const { return size_; }
  /// The index-th point in the order above, index < size().
  Assignment At(uint64_t index) const;

 private:
  SearchSpace space_;
  std::vector<uint64_t> counts_;  // values per parameter
  uint64_t size_ = 1;
};

}  // namespace lever::tune
