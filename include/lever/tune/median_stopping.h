#pragma once
// The median stopping rule (Golovin et al., "Google Vizier: A Service for Black-Box Optimization",
// KDD 2017, section 3.2.2), as a pure function: a running trial is stopped at step s when its best
// objective reported up to s is strictly worse than the median, over the completed trials, of each
// one's running average of the values it reported at steps <= s.
#include <cstdint>
#include <vector>

#include "lever/tune/study_spec.h"

namespace lever::tune {

/// One intermediate report of a trial (cloudml-hypertune's global_step and metric value).
struct MetricPoint {
  int64_t step = 0;
  double value = 0.0;
};

struct MedianStoppingOptions {
  int min_completed_trials = 3;  // completed trials with reports at or before s needed to decide
  int64_t min_step = 0;          // never stop before the running trial reaches this step (grace period)
};

struct StoppingDecision {
  bool stop = false;
  int64_t step = 0;     // s: the running trial's latest step
  double best = 0.0;    // its best value up to s
  double median = 0.0;  // the median of the completed trials' running averages up to s
  int compared = 0;     // completed trials that had reported by s
};

/// Decides for a running trial given its reports and the completed trials' reports (any order; non-finite
/// values are ignored). Continues when there is too little to compare with.
StoppingDecision MedianStoppingRule(const std::vector<MetricPoint>& running,
                                    const std::vector<std::vector<MetricPoint>>& completed, Goal goal,
                                    const MedianStoppingOptions& options = {});

}  // namespace lever::tune
