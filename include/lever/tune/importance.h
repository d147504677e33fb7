#pragma once
// Which parameters mattered in a study: for each parameter alone, the share of the variation of the
// trials' metric that its value explains, a one-way analysis of variance (the main effects that
// fANOVA, Hutter, Hoos and Leyton-Brown 2014, estimates with a random forest, here by binning).
//
// The data are the COMPLETED and STOPPED trials with a finite metric. The metric is replaced by its
// rank (ties share their mean rank), so one huge value cannot dominate. A parameter's values are
// grouped: one group per value when it takes at most B distinct values, otherwise B groups of about
// equal size along its scale (equal values stay together), B = clamp(round(sqrt(n)), 2, 10) for n trials.
// With k groups, SSB the between-group and SST the total sum of squares, MSW = (SST - SSB) / (n - k):
//   importance = max(0, (SSB - (k - 1) MSW) / (SST + MSW))      (omega squared, Hays 1963)
// Unlike the raw SSB / SST, omega squared is near 0 for a parameter with no effect even with few
// trials (by chance alone SSB / SST averages (k - 1) / (n - 1)). Interactions are not measured: the
// importances need not sum to 1.
#include <string>
#include <vector>

#include "lever/tune/sampler.h"
#include "lever/tune/space.h"

namespace lever::tune {

struct ParameterImportance {
  std::string name;
  double importance = 0.0;  // omega squared, in [0, 1]
  int groups = 0;           // k
};

/// One entry per parameter in the space's order; empty when fewer than 4 trials qualify.
std::vector<ParameterImportance> ParameterImportances(const SearchSpace& space, const std::vector<TrialRecord>& trials);

}  // namespace lever::tune
