#pragma once
// events.jsonl: a run's scalars as JSON lines, one object per logged step:
//
//   {"step": 100, "wall_time": 1767225600.25, "loss": 0.4132, "learning_rate": 0.01}
//
// "step" is an integer, "wall_time" seconds since the Unix epoch, every other key a scalar's tag with its
// value: a number, or the string "nan", "inf" or "-inf" (JSON has no such numbers). Each line reaches the
// file in one write() as soon as it is logged, so a crash loses at most the line being written. A run that
// resumes from the checkpoint of step S logs the steps after S again; DropEventsAfterStep removes the
// crashed run's lines of those steps first, so each step is in the file once.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lever {

/// One line of events.jsonl.
struct ScalarEvent {
  int64_t step = 0;
  double wall_time = 0.0;
  std::map<std::string, double> values;
};

class EventsJsonlWriter {
 public:
  /// Opens `path` for appending (creating it). A partial last line left by a crash is cut off first, so
  /// new lines start on a line of their own. Throws IoError naming the file.
  explicit EventsJsonlWriter(const std::string& path);
  ~EventsJsonlWriter();
  EventsJsonlWriter(const EventsJsonlWriter&) = delete;
  EventsJsonlWriter& operator=(const EventsJsonlWriter&) = delete;

  /// Appends one line. `wall_time` 0 means now. Throws ConfigError for a tag that is empty, "step" or
  /// "wall_time", IoError when the write fails.
  void Write(int64_t step, const std::map<std::string, double>& values, double wall_time = 0.0);
  /// Closes the file; throws IoError with the reason when close() reports a write that failed late (a full
  /// disk on NFS, say). The destructor closes a file not closed so, without a word.
  void Close();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

/// The lines of an events.jsonl file.
struct EventsJsonl {
  std::vector<ScalarEvent> events;
  /// True when the last line was cut off (a crash while it was written); it is left out of `events`.
  bool truncated_last_line = false;
};

/// Reads an events.jsonl file, tolerating a truncated last line. Any other malformed line is an IoError
/// naming the file and line number.
EventsJsonl ReadEventsJsonl(const std::string& path);

/// Removes every line whose step is after `step` from the events.jsonl file at `path`, and a truncated
/// last line, by rewriting the file atomically (lever/io/atomic_file.h): a crash leaves the old file or
/// the new one. A line that is not a JSON object with an integer "step" is kept as it is. Does nothing
/// when the file does not exist or has nothing to remove. Returns the number of lines removed; throws
/// IoError naming the file.
int64_t DropEventsAfterStep(const std::string& path, int64_t step);

/// Seconds since the Unix epoch, as the run logs record wall time.
double WallTimeNow();

}  // namespace lever
