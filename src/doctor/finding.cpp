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

namespace {

struct ConfigKey {
  const char* flag;
  const char* key;
  bool list;  // the value is a comma list that becomes a YAML list
};
constexpr ConfigKey kConfigKeys[] = {{"--learning-rate", "estimator.learning_rate", false},
                                     {"--steps", "train.max_steps", false},
                                     {"--batch-size", "train.batch_size", false},
                                     {"--clip-norm", "train.clip_norm", false},
                                     {"--l1", "estimator.l1", false},
                                     {"--l2", "estimator.l2", false},
                                     {"--dropout", "estimator.dropout", false},
                                     {"--activation", "estimator.activation", false},
                                     {"--optimizer", "estimator.optimizer", false},
                                     {"--hidden", "estimator.hidden_units", true}};

std::string OneAsConfigOverride(const std::string& knob) {
  const size_t space = knob.find(' ');
  const std::string flag = knob.substr(0, space);
  for (const ConfigKey& k : kConfigKeys) {
    if (flag != k.flag || space == std::string::npos) continue;
    const std::string value = knob.substr(space + 1);
    return std::string("--") + k.key + "=" + (k.list ? "[" + value + "]" : value);
  }
  return knob;
}

}  // namespace

std::string AsConfigOverride(const std::string& knobs) {
  std::string out;
  size_t begin = 0;
  while (begin <= knobs.size()) {
    size_t end = knobs.find(", --", begin);
    if (end == std::string::npos) end = knobs.size();
    out += (out.empty() ? "" : ", ") + OneAsConfigOverride(knobs.substr(begin, end - begin));
    begin = end + 2;
  }
  return out;
}

std::vector<Finding> WithConfigKnobs(std::vector<Finding> findings) {
  for (Finding& f : findings) {
    f.knob = AsConfigOverride(f.knob);
    if (!f.alternatives.empty()) f.alternatives = AsConfigOverride(f.alternatives);
  }
  return findings;
}

std::string FindingsText(const std::vector<Finding>& findings, const std::string& healthy_summary) {
  if (findings.empty()) return "doctor: healthy  " + healthy_summary + "\n";
  std::string out;
  for (const Finding& f : findings) out += f.Text();
  return out;
}

}  // namespace lever
