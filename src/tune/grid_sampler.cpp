#include "lever/tune/grid_sampler.h"

#include <limits>
#include <set>

#include "lever/error.h"

namespace lever::tune {

GridSampler::GridSampler(SearchSpace space) : space_(std::move(space)) {
  for (int i = 0; i < space_.size(); ++i) {
    const ParameterSpec& p = space_.parameter(i);
    uint64_t count = 0;
    switch (p.type) {
      case ParameterType::kDouble:
        throw ConfigError("params[" + std::to_string(i) +
                          "].type: GRID_SEARCH enumerates INTEGER, CATEGORICAL and "
                          "DISCRETE parameters only, and '" +
                          p.name +
                          "' is DOUBLE; list its values with type: "
                          "DISCRETE and discreteValues, or use RANDOM_SEARCH or ALGORITHM_UNSPECIFIED");
      case ParameterType::kInteger:
        count = static_cast<uint64_t>(p.max_value - p.min_value) + 1;
        break;
      case ParameterType::kDiscrete:
        count = p.discrete_values.size();
        break;
      case ParameterType::kCategorical:
        count = p.categorical_values.size();
        break;
    }
    counts_.push_back(count);
    const uint64_t max = std::numeric_limits<uint64_t>::max();
    size_ = size_ > max / count ? max : size_ * count;
  }
}

Assignment GridSampler::At(uint64_t index) const {
  Assignment assignment(counts_.size());
  // Mixed radix, the last parameter the fastest digit.
  for (size_t i = counts_.size(); i-- > 0;) {
    const uint64_t digit = index % counts_[i];
    index /= counts_[i];
    const ParameterSpec& p = space_.parameter(static_cast<int>(i));
    switch (p.type) {
      case ParameterType::kInteger:
        assignment[i] = p.min_value + static_cast<double>(digit);
        break;
      case ParameterType::kDiscrete:
        assignment[i] = p.discrete_values[digit];
        break;
      case ParameterType::kCategorical:
      case ParameterType::kDouble:
        assignment[i] = static_cast<double>(digit);
        break;
    }
  }
  return assignment;
}

std::vector<Assignment> GridSampler::Propose(const std::vector<TrialRecord>& history, int count, Rng& /*rng*/) {
  const std::set<Assignment> seen = [&] {
    std::set<Assignment> out;
    for (const TrialRecord& trial : history) out.insert(trial.assignment);
    return out;
  }();
  std::vector<Assignment> proposals;
  // At most |history| points are skipped, so the walk is short however large the grid.
  for (uint64_t index = 0; index < size_ && static_cast<int>(proposals.size()) < count; ++index) {
    Assignment point = At(index);
    if (seen.count(point) == 0) proposals.push_back(std::move(point));
  }
  return proposals;
}

std::string GridSampler::Describe() const {
  return "GridSampler(" +
         (size_ == std::numeric_limits<uint64_t>::max() ? std::string("more than 2^64") : std::to_string(size_)) +
         " points)";
}

}  // namespace lever::tune
