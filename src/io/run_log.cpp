#include "lever/io/run_log.h"

#include <filesystem>

namespace lever {

namespace {

// events.jsonl in `directory` (which exists), without the lines after `start_step`.
std::string PreparedJsonl(const std::string& directory, int64_t start_step) {
  const std::string path = (std::filesystem::path(directory) / "events.jsonl").string();
  if (start_step >= 0) DropEventsAfterStep(path, start_step);
  return path;
}

}  // namespace

RunLog::RunLog(const std::string& directory, int64_t start_step)
    : tfevents_(directory), jsonl_(PreparedJsonl(directory, start_step)) {
  // TensorBoard keeps earlier events of steps below the START's step, so S's own (logged before its
  // checkpoint, not logged again) stay.
  if (start_step >= 0) tfevents_.AddSessionStart(start_step + 1);
}

void RunLog::Close() {
  jsonl_.Close();
  tfevents_.Close();
}

void RunLog::Log(int64_t step, const std::map<std::string, double>& values, double wall_time) {
  if (wall_time == 0.0) wall_time = WallTimeNow();
  jsonl_.Write(step, values, wall_time);  // first: it rejects reserved tags before anything is written
  tfevents_.AddScalars(step, values, wall_time);
}

}  // namespace lever
