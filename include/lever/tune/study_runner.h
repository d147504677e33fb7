#pragma once
// Runs a study: proposes trials with the spec's sampler, runs up to EffectiveParallelism() of them at
// once, records every start, report and end in a StudyStorage, and stops trials by the median rule or
// their timeout. RunStudy runs the spec's trainer command as subprocesses (one directory per trial);
// Optimize (optimize.h) calls a C++ function instead. docs/tuning.md describes the runner in full.
//
// The loop, every poll_seconds:
//  1. Retries INTERRUPTED trials (left RUNNING by a tuner that died) with their parameters, then fills
//     free slots with proposals: Sampler::Propose(history, free slots) where the history holds this
//     study's trials (running ones pending, so the GP's kriging believer spreads parallel trials) after
//     `prior_history`. Proposals draw from Rng::Stream(seed, number of trials so far): a resumed study
//     proposes what an uninterrupted one would have, given the same history.
//  2. Collects new metric reports; with enableTrialEarlyStopping, asks MedianStoppingRule about each
//     running trial with new reports against the COMPLETED trials, and stops it if it says so.
//  3. Records ended trials: COMPLETED with the value at the largest global_step, STOPPED (early) with the
//     same, FAILED with a reason (nonzero exit, signal, timeout, no report of the metric, a non-finite
//     last value).
// It ends when maxTrials trials exist and none is running, when the sampler has nothing left (grid
// search), or, once maxFailedTrials trials have failed, when the running ones have ended (no new ones
// start).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lever/tune/median_stopping.h"
#include "lever/tune/sampler.h"
#include "lever/tune/study_storage.h"

namespace lever::tune {

struct StudyOptions {
  uint64_t seed = 1;
  std::string study_name = "default";  // the study's name in the storage
  double poll_seconds = 0.05;          // how often running trials are checked
  double kill_grace_seconds = 5.0;     // SIGTERM, then SIGKILL this much later
  int stderr_tail_lines = 20;          // kept in the storage for failed trials
  MedianStoppingOptions stopping;
  /// Finished trials of an earlier study (resumePreviousJobId): history for the sampler only; they are
  /// not run, stored or counted towards maxTrials.
  std::vector<TrialRecord> prior_history;
};

/// Progress, from the thread that runs the study.
class StudyObserver {
 public:
  virtual ~StudyObserver() = default;
  /// The study is open: its existing trials (after INTERRUPTED marking) and how many were interrupted.
  virtual void OnStudyOpened(const StudyInfo& /*study*/, const std::vector<StoredTrial>& /*trials*/,
                             int /*interrupted*/) {}
  virtual void OnTrialStarted(const StoredTrial& /*trial*/) {}
  /// After the storage recorded the end.
  virtual void OnTrialFinished(const StoredTrial& /*trial*/, const std::vector<StoredTrial>& /*all*/) {}
};

enum class StudyEnd { kMaxTrials, kExhausted, kMaxFailedTrials };

struct StudyResult {
  StudyInfo study;
  std::vector<StoredTrial> trials;  // every trial of the study, by number
  std::optional<size_t> best;       // index into trials
  StudyEnd end = StudyEnd::kMaxTrials;
  int failed = 0;  // FAILED trials
};

/// The best COMPLETED or STOPPED trial with a finite objective (the lower number among equals).
std::optional<size_t> BestTrial(const std::vector<StoredTrial>& trials, Goal goal);

/// Runs spec.trainer (required: ConfigError otherwise) for each trial in `study_dir`/trials/<number>,
/// which holds the trial's stdout.log, stderr.log and hptuning_metric.jsonl. The trainer gets its
/// command, one --<name>=<value> per parameter and --job-dir=<trial dir>; the environment adds the
/// spec's env, CLOUD_ML_HP_METRIC_FILE and CLOUD_ML_TRIAL_ID. `study_dir` is created if needed.
/// Runs in the calling thread until the study ends; storage errors propagate (running trials are
/// killed).
StudyResult RunStudy(const StudySpec& spec, const std::string& study_dir, StudyStorage& storage,
                     const StudyOptions& options = {}, StudyObserver* observer = nullptr);

/// The finished trials (COMPLETED, STOPPED, FAILED) of the study in `study_dir`/study.db, as sampler
/// history for resumePreviousJobId. Throws ConfigError when there is no such study or its definition
/// differs from `spec`'s.
std::vector<TrialRecord> LoadPriorHistory(const StudySpec& spec, const std::string& study_dir,
                                          const std::string& study_name = "default");

}  // namespace lever::tune
