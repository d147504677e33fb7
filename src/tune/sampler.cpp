#include "lever/tune/sampler.h"

#include "lever/tune/gp_sampler.h"
#include "lever/tune/grid_sampler.h"
#include "lever/tune/random_sampler.h"

namespace lever::tune {

std::unique_ptr<Sampler> MakeSampler(const StudySpec& spec) {
  SearchSpace space(spec.params);
  switch (spec.algorithm) {
    case Algorithm::kGridSearch:
      return std::make_unique<GridSampler>(std::move(space));
    case Algorithm::kRandomSearch:
      return std::make_unique<RandomSampler>(std::move(space));
    case Algorithm::kBayesian:
      break;
  }
  return std::make_unique<GpSampler>(std::move(space), spec.goal);
}

}  // namespace lever::tune
