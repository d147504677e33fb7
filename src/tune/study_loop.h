#pragma once
// The loop RunStudy and Optimize share (study_runner.h describes it); they differ in how a trial runs.
#include <memory>
#include <optional>

#include "lever/tune/study_runner.h"

namespace lever::tune::internal {

/// How a trial ended, as far as its runner can tell.
struct TrialEnd {
  bool ok = true;                   // exited with code 0 / the function returned
  std::optional<int> exit_code;     // a subprocess that exited
  std::string error;                // !ok: "exit code 3", "killed by signal 9 (Killed)", an exception's text
  std::optional<double> objective;  // a function's return value (subprocesses report through the file)
  std::string stderr_tail;
  std::string missing_metric_hint;  // appended when no report arrived ("in <metric file>; ...")
};

class RunningTrial {
 public:
  virtual ~RunningTrial() = default;
  /// Metric reports since the last call.
  virtual std::vector<MetricPoint> NewReports() = 0;
  /// Non-blocking: set once the trial has ended.
  virtual std::optional<TrialEnd> Poll() = 0;
  /// Asks the trial to end (early stop or timeout); Poll tells when it has.
  virtual void Stop() = 0;
};

class TrialLauncher {
 public:
  virtual ~TrialLauncher() = default;
  /// The job directory of trial `number` ("" for none).
  virtual std::string JobDir(int number) const = 0;
  /// Starts a trial (attempt 1, 2, ... of the same number). Throws when it cannot start; the loop then
  /// records the trial as FAILED with the message.
  virtual std::unique_ptr<RunningTrial> Start(const StoredTrial& trial) = 0;
};

StudyResult RunStudyLoop(const StudySpec& spec, TrialLauncher& launcher, StudyStorage& storage,
                         const StudyOptions& options, StudyObserver* observer);

}  // namespace lever::tune::internal
