#include "lever/memory_limit.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "lever/error.h"

namespace lever {
namespace {

// "8G", "512M", "1000000": bytes; -1 when the text is not a size.
double ParseSize(const std::string& text) {
  char* end = nullptr;
  const double number = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !(number > 0)) return -1;
  const std::string suffix(end);
  static const std::pair<const char*, double> kUnits[] = {
      {"", 1.0}, {"K", 1024.0}, {"M", 1024.0 * 1024}, {"G", 1024.0 * 1024 * 1024}, {"T", 1024.0 * 1024 * 1024 * 1024}};
  for (const auto& [unit, scale] : kUnits) {
    if (suffix == unit) return number * scale;
  }
  return -1;
}

}  // namespace

uint64_t MemoryLimitBytes() {
  if (const char* set = std::getenv("LEVER_MEMORY_LIMIT"); set != nullptr && *set != '\0') {
    const double bytes = ParseSize(set);
    if (bytes < 1) {
      throw ConfigError(std::string("LEVER_MEMORY_LIMIT is '") + set +
                        "'; give the memory lever may use in bytes, or with a K, M, G or T suffix (8G), or unset it");
    }
    return static_cast<uint64_t>(bytes);
  }
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGESIZE);
  uint64_t limit =
      pages > 0 && page_size > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size) : UINT64_MAX;
  // A container's limit (cgroup v2: a number, or "max" for none).
  std::ifstream cgroup("/sys/fs/cgroup/memory.max");
  std::string text;
  if (cgroup >> text) {
    const double bytes = ParseSize(text);
    if (bytes >= 1) limit = std::min(limit, static_cast<uint64_t>(bytes));
  }
  return limit;
}

std::string FormatBytes(double bytes) {
  static const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(static_cast<int64_t>(bytes)) + " bytes";
  int unit = -1;
  while (bytes >= 1024 && unit < 5) {
    bytes /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f %s", bytes, kUnits[unit]);
  return text;
}

void CheckFitsInMemory(double bytes, const std::string& what, const std::string& fix) {
  const uint64_t limit = MemoryLimitBytes();
  if (bytes <= static_cast<double>(limit)) return;
  const bool configured = std::getenv("LEVER_MEMORY_LIMIT") != nullptr && *std::getenv("LEVER_MEMORY_LIMIT") != '\0';
  throw ConfigError(what + " needs about " + FormatBytes(bytes) + ", more than the " +
                    FormatBytes(static_cast<double>(limit)) +
                    (configured ? " LEVER_MEMORY_LIMIT allows" : " of memory this machine has") + ": " + fix);
}

}  // namespace lever
