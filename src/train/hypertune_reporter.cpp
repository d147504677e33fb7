#include "lever/train/hypertune_reporter.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "lever/error.h"

namespace lever {
namespace {

std::string FullPrecision(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

}  // namespace

HypertuneReporter HypertuneReporter::FromEnvironment() {
  const char* path = std::getenv("CLOUD_ML_HP_METRIC_FILE");
  const char* trial = std::getenv("CLOUD_ML_TRIAL_ID");
  if (!path || !*path) return {};
  return HypertuneReporter(path, trial ? trial : "");
}

HypertuneReporter::HypertuneReporter(std::string path, std::string trial)
    : path_(std::move(path)), trial_(std::move(trial)) {}

void HypertuneReporter::Report(int64_t step, const std::vector<std::pair<std::string, double>>& metrics) const {
  if (!active()) return;
  nlohmann::ordered_json line;
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  line["timestamp"] = now;
  line["trial"] = trial_;
  line["global_step"] = std::to_string(step);
  for (const auto& [tag, value] : metrics) line[tag] = FullPrecision(value);
  const std::filesystem::path file(path_);
  std::error_code ignored;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ignored);
  errno = 0;
  std::ofstream out(path_, std::ios::app);
  out << line.dump() << '\n';
  out.flush();
  if (!out) {
    throw IoError("cannot append the tuning metrics to " + path_ +
                  " (CLOUD_ML_HP_METRIC_FILE): " + (errno != 0 ? std::strerror(errno) : "unknown error") +
                  "; check that its directory exists, is writable and has free space");
  }
  out.close();
  if (!out) {
    throw IoError("cannot append the tuning metrics to " + path_ + " (CLOUD_ML_HP_METRIC_FILE): " +
                  std::strerror(errno) + "; check that its directory is writable and has free space");
  }
}

}  // namespace lever
