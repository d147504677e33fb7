#include "lever/doctor/finding.h"

#include <fmt/core.h>

namespace lever {

std::string Finding::Text() const {
  std::string out = fmt::format("doctor: {}  {}\n", id, evidence);
  if (!knob.empty()) {
    out += fmt::format("        try: {}{}\n", knob, alternatives.empty() ? "" : "   (or " + alternatives + ")");
  }
  return out;
}

nlohmann::ordered_json Finding::ToJson() const {
  return {{"id", id},     {"confidence", confidence},     {"evidence", evidence},
          {"knob", knob}, {"alternatives", alternatives}, {"step", step}};
}

std::string FindingsText(const std::vector<Finding>& findings, const std::string& healthy_summary) {
  if (findings.empty()) return "doctor: healthy  " + healthy_summary + "\n";
  std::string out;
  for (const Finding& f : findings) out += f.Text();
  return out;
}

}  // namespace lever
