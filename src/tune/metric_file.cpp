#include "lever/tune/metric_file.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lever/error.h"

namespace lever::tune {
namespace {

// A JSON number, or a string holding one ("0.42", "nan" as Python's str(float) writes it).
bool ToNumber(const nlohmann::json& v, double& out) {
  if (v.is_number()) {
    out = v.get<double>();
    return true;
  }
  if (!v.is_string()) return false;
  std::string text = v.get<std::string>();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  if (start < text.size() && text[start] == '+') ++start;
  const char* end = text.data() + text.size();
  const auto result = std::from_chars(text.data() + start, end, out);
  return result.ec == std::errc() && result.ptr == end && start < text.size();
}

}  // namespace

std::optional<MetricPoint> ParseMetricLine(const std::string& line, const std::string& tag) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception&) {
    throw DataError("not a JSON object: " + line.substr(0, 120));
  }
  if (!j.is_object()) throw DataError("not a JSON object: " + line.substr(0, 120));
  if (!j.contains(tag)) return std::nullopt;
  MetricPoint point;
  if (!ToNumber(j[tag], point.value)) {
    throw DataError("'" + tag + "' is " + j[tag].dump() + ", not a number");
  }
  if (j.contains("global_step")) {
    double step = 0;
    if (!ToNumber(j["global_step"], step) || !std::isfinite(step) || step != std::floor(step)) {
      throw DataError("'global_step' is " + j["global_step"].dump() + ", not a whole number");
    }
    // 2^63: the doubles that convert to int64_t are those in [-2^63, 2^63); any other is undefined.
    constexpr double kStepLimit = 9223372036854775808.0;
    if (step < -kStepLimit || step >= kStepLimit) {
      throw DataError("'global_step' is " + j["global_step"].dump() + ", beyond a 64-bit step count");
    }
    point.step = static_cast<int64_t>(step);
  }
  return point;
}

std::vector<MetricPoint> MetricFileReader::Poll() {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return {};
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::vector<MetricPoint> fresh;
  size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    const size_t newline = text.find('\n', start);
    if (newline == std::string::npos) break;  // unfinished: read it next time
    std::string line = text.substr(start, newline - start);
    start = newline + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (!seen_lines_.insert(line).second) continue;
    try {
      if (const auto point = ParseMetricLine(line, tag_)) fresh.push_back(*point);
    } catch (const DataError& e) {
      problem_ = path_ + ":" + std::to_string(line_number) + ": " + e.message();
    }
  }
  reports_.insert(reports_.end(), fresh.begin(), fresh.end());
  return fresh;
}

std::optional<double> FinalValue(const std::vector<MetricPoint>& points) {
  std::optional<double> value;
  int64_t step = 0;
  for (const MetricPoint& p : points) {
    if (!value || p.step >= step) {
      value = p.value;
      step = p.step;
    }
  }
  return value;
}

std::optional<double> MetricFileReader::Final() const { return FinalValue(reports_); }

}  // namespace lever::tune
