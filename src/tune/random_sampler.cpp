#include "lever/tune/random_sampler.h"

namespace lever::tune {

std::vector<Assignment> RandomSampler::Propose(const std::vector<TrialRecord>& /*history*/, int count, Rng& rng) {
  std::vector<Assignment> proposals;
  for (int i = 0; i < count; ++i) proposals.push_back(space_.Sample(rng));
  return proposals;
}

}  // namespace lever::tune
