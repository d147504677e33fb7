#pragma once
// Samplers propose the next assignments of a study from its history. One interface, one file per
// sampler: GridSampler (grid_sampler.h), RandomSampler (random_sampler.h), GpSampler (gp_sampler.h).
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "lever/tensor/rng.h"
#include "lever/tune/space.h"
#include "lever/tune/study_spec.h"

namespace lever::tune {

enum class TrialState {
  kPending,    // proposed or running: no objective yet
  kCompleted,  // finished and reported its objective
  kStopped,    // stopped early (median rule); objective is its last reported value
  kFailed,     // crashed, timed out or reported nothing: excluded from models
};

/// One trial as samplers see it.
struct TrialRecord {
  Assignment assignment;
  TrialState state = TrialState::kPending;
  double objective = std::numeric_limits<double>::quiet_NaN();  // kCompleted and kStopped
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  /// Proposes up to `count` new assignments given every trial so far (all states; pending trials are
  /// the ones running in parallel). Returns fewer only when the space is exhausted (grid search).
  /// Deterministic given the history, count and the generator's state.
  virtual std::vector<Assignment> Propose(const std::vector<TrialRecord>& history, int count, Rng& rng) = 0;
  /// "GridSampler(12 points)", "GpSampler(initial_trials=3, ...)".
  virtual std::string Describe() const = 0;
};

/// The sampler a spec's algorithm names: GRID_SEARCH, RANDOM_SEARCH or (ALGORITHM_UNSPECIFIED) the
/// Gaussian-process sampler with default options. Throws ConfigError for an invalid combination.
std::unique_ptr<Sampler> MakeSampler(const StudySpec& spec);

}  // namespace lever::tune
