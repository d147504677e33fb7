#pragma once
// A run directory's scalar logs, written together: events.jsonl (lever/io/events_jsonl.h) for scripts
// and a TensorBoard event file (lever/io/tfevents.h) for `tensorboard --logdir <directory>`.
//
//   RunLog log(model_dir);
//   log.Log(step, {{"loss", loss}, {"learning_rate", rate}});
#include <cstdint>
#include <map>
#include <string>

#include "lever/io/events_jsonl.h"
#include "lever/io/tfevents.h"

namespace lever {

class RunLog {
 public:
  /// Creates `directory` when missing; appends to its events.jsonl and starts a new event file.
  explicit RunLog(const std::string& directory);

  /// One line of events.jsonl and one Event of the event file, both with the same wall time
  /// (0 means now). Values are written as doubles to the JSON and as floats to TensorBoard.
  void Log(int64_t step, const std::map<std::string, double>& values, double wall_time = 0.0);

  const std::string& jsonl_path() const { return jsonl_.path(); }
  const std::string& tfevents_path() const { return tfevents_.path(); }

 private:
  TfEventsWriter tfevents_;  // first: it creates the directory
  EventsJsonlWriter jsonl_;
};

}  // namespace lever
