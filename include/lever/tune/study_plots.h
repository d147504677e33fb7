#pragma once
// A study's plots as standalone SVG documents (written by hand: points, lines, axes, ticks, text).
// Points are COMPLETED trials (filled) and STOPPED ones (hollow); failed and running trials have no
// metric and are left out. The metric axis turns logarithmic when every value is positive and they
// span more than two decades.
#include <string>
#include <vector>

#include "lever/tune/sampler.h"
#include "lever/tune/space.h"
#include "lever/tune/study_spec.h"
#include "lever/tune/study_storage.h"

namespace lever::tune {

/// The metric of each trial by trial number (trials in number order), with the best so far as a step line.
std::string MetricByTrialSvg(const std::vector<TrialRecord>& trials, Goal goal, const std::string& metric_tag);

/// The metric against parameter `i`: a logarithmic axis for UNIT_LOG_SCALE, categories evenly spaced.
std::string MetricVsParameterSvg(const SearchSpace& space, int i, const std::vector<TrialRecord>& trials,
                                 const std::string& metric_tag);

/// Writes metric_by_trial.svg and metric_vs_<param>.svg for every parameter into `directory` and returns
/// their paths. Throws IoError naming a file it cannot write.
std::vector<std::string> WriteStudyPlots(const std::string& directory, const StudyDefinition& study,
                                         const std::vector<StoredTrial>& trials);

/// The samplers' view of stored trials (SamplerState, objective), for the functions above.
std::vector<TrialRecord> AsTrialRecords(const std::vector<StoredTrial>& trials);

}  // namespace lever::tune
