#include "lever/io/events_jsonl.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>

#include "lever/error.h"
#include "lever/io/atomic_file.h"
#include "lever/io/text_file.h"

namespace lever {
namespace {

IoError FileError(const std::string& what, const std::string& path) {
  if (errno == ELOOP) {
    return IoError("cannot " + what + " run log '" + path +
                   "': it is a symbolic link, and lever does not write through links (it could append to a file "
                   "elsewhere); remove the link");
  }
  return IoError("cannot " + what + " run log '" + path + "': " + std::strerror(errno) +
                 "; check that the run directory exists and is writable");
}

nlohmann::json ValueToJson(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return value;
}

bool ValueFromJson(const nlohmann::json& j, double* value) {
  if (j.is_number()) {
    *value = j.get<double>();
    return true;
  }
  if (!j.is_string()) return false;
  const std::string text = j.get<std::string>();
  if (text == "nan")
    *value = std::nan("");
  else if (text == "inf")
    *value = HUGE_VAL;
  else if (text == "-inf")
    *value = -HUGE_VAL;
  else
    return false;
  return true;
}

// Cuts the file back to its last newline: what follows it is a line a crash interrupted.
void DropPartialLastLine(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw FileError("inspect", path);
  off_t end = st.st_size;
  char c = '\n';
  while (end > 0) {
    if (::pread(fd, &c, 1, end - 1) != 1) throw FileError("read", path);
    if (c == '\n') break;
    --end;
  }
  if (end != st.st_size && ::ftruncate(fd, end) != 0) throw FileError("truncate", path);
}

}  // namespace

int64_t DropEventsAfterStep(const std::string& path, int64_t step) {
  if (!std::filesystem::exists(path)) return 0;
  const std::string text = ReadTextFile(path, "run log");
  std::string kept;
  kept.reserve(text.size());
  int64_t dropped = 0;
  size_t begin = 0;
  while (begin < text.size()) {
    const size_t newline = text.find('\n', begin);
    if (newline == std::string::npos) {  // a line a crash cut off
      ++dropped;
      break;
    }
    const std::string_view line(text.data() + begin, newline + 1 - begin);
    begin = newline + 1;
    const nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("step") && j["step"].is_number_integer() && j["step"].get<int64_t>() > step) {
      ++dropped;
      continue;
    }
    kept.append(line);
  }
  if (dropped > 0) WriteFileAtomically(path, kept);
  return dropped;
}

double WallTimeNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

EventsJsonlWriter::EventsJsonlWriter(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd_ < 0) throw FileError("open", path);
  try {
    DropPartialLastLine(fd_, path);
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

void EventsJsonlWriter::Close() {
  if (fd_ < 0) return;
  const int result = ::close(fd_);
  fd_ = -1;
  if (result != 0) {
    throw IoError("cannot write '" + path_ + "': closing it failed: " + std::strerror(errno) +
                  "; check the disk's free space");
  }
}

EventsJsonlWriter::~EventsJsonlWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void EventsJsonlWriter::Write(int64_t step, const std::map<std::string, double>& values, double wall_time) {
  // Built by hand rather than through nlohmann::json (which sorts keys) so step and wall time lead.
  std::string line = "{\"step\": " + std::to_string(step) +
                     ", \"wall_time\": " + nlohmann::json(wall_time != 0.0 ? wall_time : WallTimeNow()).dump();
  for (const auto& [tag, value] : values) {
    if (tag.empty() || tag == "step" || tag == "wall_time") {
      throw ConfigError("run log '" + path_ + "': a scalar cannot be tagged '" + tag +
                        "' (empty, \"step\" and \"wall_time\" are taken); rename it");
    }
    line += ", " + nlohmann::json(tag).dump() + ": " + ValueToJson(value).dump();
  }
  line += "}\n";
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw FileError("append to", path_);
    written += static_cast<size_t>(n);
  }
}

EventsJsonl ReadEventsJsonl(const std::string& path) {
  const std::string text = ReadTextFile(path, "run log");
  EventsJsonl result;
  size_t begin = 0;
  int64_t line_number = 0;
  while (begin < text.size()) {
    ++line_number;
    size_t end = text.find('\n', begin);
    const bool last = end == std::string::npos;
    if (last) end = text.size();
    const std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    if (line.empty()) continue;

    auto fail = [&](const std::string& problem) {
      if (last) {  // no newline yet: a line the writer did not finish
        result.truncated_last_line = true;
        return;
      }
      throw IoError(path + ":" + std::to_string(line_number) + ": " + problem +
                    "; each line must be a JSON object with \"step\", \"wall_time\" and scalar values");
    };
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      fail("not a JSON object");
      continue;
    }
    ScalarEvent event;
    if (!j.contains("step") || !j["step"].is_number_integer() || !j.contains("wall_time") ||
        !j["wall_time"].is_number()) {
      fail("no integer \"step\" and numeric \"wall_time\"");
      continue;
    }
    event.step = j["step"].get<int64_t>();
    event.wall_time = j["wall_time"].get<double>();
    bool ok = true;
    for (const auto& [tag, value] : j.items()) {
      if (tag == "step" || tag == "wall_time") continue;
      double v = 0.0;
      if (!ValueFromJson(value, &v)) {
        fail("\"" + tag + "\" is " + value.dump() + ", not a number");
        ok = false;
        break;
      }
      event.values[tag] = v;
    }
    if (ok) result.events.push_back(std::move(event));
  }
  return result;
}

}  // namespace lever
