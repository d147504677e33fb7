#include "lever/io/run_log.h"

#include <filesystem>

namespace lever {

RunLog::RunLog(const std::string& directory)
    : tfevents_(directory), jsonl_((std::filesystem::path(directory) / "events.jsonl").string()) {}

void RunLog::Log(int64_t step, const std::map<std::string, double>& values, double wall_time) {
  if (wall_time == 0.0) wall_time = WallTimeNow();
  jsonl_.Write(step, values, wall_time);  // first: it rejects reserved tags before anything is written
  tfevents_.AddScalars(step, values, wall_time);
}

}  // namespace lever
