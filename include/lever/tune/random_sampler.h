#pragma once
#include "lever/tune/sampler.h"

namespace lever::tune {

/// Independent uniform draws in the scaled space (SearchSpace::Sample): a UNIT_LOG_SCALE parameter is
/// log-uniform, DISCRETE and CATEGORICAL values are equally likely. Ignores the history.
class RandomSampler : public Sampler {
 public:
  explicit RandomSampler(SearchSpace space) : space_(std::move(space)) {}

  std::vector<Assignment> Propose(const std::vector<TrialRecord>& history, int count, Rng& rng) override;
  std::string Describe() const override { return "RandomSampler"; }

 private:
  SearchSpace space_;
};

}  // namespace lever::tune
