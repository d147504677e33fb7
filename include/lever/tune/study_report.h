#pragma once
// A study as text, the way `lever tune` prints it: the trial table (one row per trial event, a failed
// trial's reason and stderr below its row), the progress line, and at the end the best trial and the
// parameters' importance (lever/tune/importance.h).
//
//   trial  state              loss      time  parameters
//       0  COMPLETED      0.012345      1.2s  x=0.41, opt=adam
//          [1/8 finished, 1 running; best loss 0.012345 (trial 0)]
#include <string>
#include <vector>

#include "lever/tune/space.h"
#include "lever/tune/study_runner.h"
#include "lever/tune/study_storage.h"

namespace lever::tune {

/// An objective as the tables show it: 6 significant digits, "-" when not finite.
std::string FormatObjective(double value);

class TrialTable {
 public:
  /// `max_trials`: the study's total, for the progress line.
  TrialTable(const StudyDefinition& study, int max_trials);

  /// Each ends with a line break.
  std::string Header() const;
  std::string Row(const StoredTrial& trial) const;
  /// "[3/8 finished, 2 running; best loss 0.01 (trial 1)]" over every trial of the study.
  std::string Progress(const std::vector<StoredTrial>& all) const;

 private:
  SearchSpace space_;
  Goal goal_;
  std::string metric_;
  int max_trials_;
};

/// The best trial (and its job directory) and, with two or more finished trials, each parameter's importance
/// as a bar; each line ends with a line break.
std::string StudySummary(const StudyDefinition& study, const std::vector<StoredTrial>& trials);

/// Why the study ended: "maxTrials reached", "the grid is exhausted", "maxFailedTrials reached".
std::string StudyEndText(StudyEnd end);

/// The error when a study ended without a usable trial, or at maxFailedTrials, naming the last failed trial
/// and what to do; empty when the study succeeded.
std::string StudyFailureText(const StudyResult& result);

}  // namespace lever::tune
