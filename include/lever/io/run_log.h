#pragma once
// A run directory's scalar logs, written together: events.jsonl (lever/io/events_jsonl.h) for scripts
// and a TensorBoard event file (lever/io/tfevents.h) for `tensorboard --logdir <directory>`.
//
//   RunLog log(model_dir, start_step);   // start_step: the step training continues from (0 when fresh)
//   log.Log(step, {{"loss", loss}, {"learning_rate", rate}});
//
// A run resumed from the checkpoint of step S repeats the steps after S that the stopped run had logged;
// RunLog removes those from events.jsonl and tells TensorBoard to drop them, so each step shows once.
#include <cstdint>
#include <map>
#include <string>

#include "lever/io/events_jsonl.h"
#include "lever/io/tfevents.h"

namespace lever {

class RunLog {
 public:
  /// Creates `directory` when missing; appends to its events.jsonl and starts a new event file. With a
  /// `start_step` S >= 0 (training continues after step S: 0 for a fresh run, the checkpoint's step for a
  /// resumed one), the lines of events.jsonl with a step after S are removed first (DropEventsAfterStep),
  /// and the event file begins with a SessionLog START at step S + 1: TensorBoard drops the events of
  /// steps >= S + 1 it read from earlier files (and ignores a run's first START, hence one for S = 0 too).
  explicit RunLog(const std::string& directory, int64_t start_step = -1);

  /// One line of events.jsonl and one Event of the event file, both with the same wall time
  /// (0 means now). Values are written as doubles to the JSON and as floats to TensorBoard.
  void Log(int64_t step, const std::map<std::string, double>& values, double wall_time = 0.0);

  /// Closes both files at the end of a run, throwing IoError when either close fails (what was written may
  /// not have reached the disk). The destructor closes them quietly (a run that failed already says why).
  void Close();

  const std::string& jsonl_path() const { return jsonl_.path(); }
  const std::string& tfevents_path() const { return tfevents_.path(); }

 private:
  TfEventsWriter tfevents_;  // first: it creates the directory
  EventsJsonlWriter jsonl_;
};

}  // namespace lever
