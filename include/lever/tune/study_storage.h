#pragma once
// Where a study's trials live: one interface, so a study can be kept in a local SQLite file
// (sqlite_storage.h) today and in a server database shared by many tuners later. Every method is one
// transaction: a tuner killed at any moment leaves each trial either as it was before the call or as it
// is after it, never half-written.
//
// A trial's life: AddTrial (RUNNING), any number of AddMetricPoints, then FinishTrial (COMPLETED, STOPPED
// or FAILED). A tuner that finds RUNNING trials left by a tuner that died marks them INTERRUPTED
// (InterruptRunningTrials) and runs them again with the same parameters (RestartTrial: RUNNING again,
// attempt + 1, the old attempt's metric points dropped).
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "lever/tune/median_stopping.h"
#include "lever/tune/sampler.h"
#include "lever/tune/space.h"
#include "lever/tune/study_spec.h"

namespace lever::tune {

enum class TrialStatus {
  kRunning,      // started, no result yet
  kCompleted,    // ended and reported its metric: the objective is its last report
  kStopped,      // stopped early by the median rule: the objective is its last report
  kFailed,       // crashed, exited nonzero, timed out or never reported the metric (see reason)
  kInterrupted,  // was running when its tuner died; the next tuner on the study runs it again
};

/// "RUNNING", "COMPLETED", "STOPPED", "FAILED", "INTERRUPTED".
std::string ToString(TrialStatus status);
/// The inverse of ToString; throws DataError for any other text.
TrialStatus ParseTrialStatus(const std::string& text);
/// The samplers' view: RUNNING and INTERRUPTED are pending (they will have a result), the rest map 1:1.
TrialState SamplerState(TrialStatus status);

/// What a study is about: it cannot change once trials exist, or their metrics would not compare.
struct StudyDefinition {
  Goal goal = Goal::kMaximize;
  std::string metric_tag;
  std::vector<ParameterSpec> params;

  static StudyDefinition Of(const StudySpec& spec) { return {spec.goal, spec.metric_tag, spec.params}; }
};

struct StudyInfo {
  int64_t id = 0;
  std::string name;
  StudyDefinition definition;
  double created = 0.0;  // seconds since the Unix epoch
};

/// How a trial ended, as FinishTrial records it.
struct TrialOutcome {
  TrialStatus status = TrialStatus::kCompleted;                 // kCompleted, kStopped or kFailed
  double objective = std::numeric_limits<double>::quiet_NaN();  // NaN when there is none
  double finished = 0.0;                                        // seconds since the Unix epoch
  double duration = 0.0;                                        // seconds the last attempt ran
  std::optional<int> exit_code;                                 // a subprocess that exited
  std::string reason;       // why it failed or stopped, one line ("exit code 3", "timed out after 10s", ...)
  std::string stderr_tail;  // a failed subprocess's last lines of stderr
};

struct StoredTrial {
  int number = 0;  // 0, 1, 2, ... within its study
  TrialStatus status = TrialStatus::kRunning;
  Assignment assignment;
  double objective = std::numeric_limits<double>::quiet_NaN();
  double started = 0.0, finished = 0.0;  // seconds since the Unix epoch (finished 0 = not yet)
  double duration = 0.0;
  std::optional<int> exit_code;
  std::string reason, stderr_tail;
  std::string job_dir;               // empty for in-process trials without one
  int attempts = 1;                  // 2 and more after restarts of INTERRUPTED trials
  std::vector<MetricPoint> metrics;  // the current attempt's intermediate reports, by step
};

class StudyStorage {
 public:
  virtual ~StudyStorage() = default;

  /// The study named `name`, if it exists.
  virtual std::optional<StudyInfo> FindStudy(const std::string& name) = 0;
  /// Creates a study and returns its id. Throws ConfigError if the name is taken.
  virtual int64_t CreateStudy(const std::string& name, const StudyDefinition& definition) = 0;
  /// Every study's name, oldest first.
  virtual std::vector<std::string> ListStudies() = 0;

  /// Adds a RUNNING trial with the next number (one more than the study's largest) and returns it.
  virtual int AddTrial(int64_t study, const Assignment& assignment, const std::string& job_dir, double started) = 0;
  /// INTERRUPTED -> RUNNING: a new attempt with the same parameters; drops the old attempt's metrics.
  virtual void RestartTrial(int64_t study, int number, double started) = 0;
  /// Appends intermediate reports (cloudml-hypertune's global_step and value) of a running trial.
  virtual void AddMetricPoints(int64_t study, int number, const std::vector<MetricPoint>& points, double timestamp) = 0;
  /// Records the end of a running trial.
  virtual void FinishTrial(int64_t study, int number, const TrialOutcome& outcome) = 0;
  /// Marks every RUNNING trial of the study INTERRUPTED with `reason`; returns how many.
  virtual int InterruptRunningTrials(int64_t study, const std::string& reason) = 0;

  /// The study's trials by number, with their metric points.
  virtual std::vector<StoredTrial> ListTrials(int64_t study) = 0;
};

}  // namespace lever::tune
