#include "flags.h"

#include <cmath>
#include <exception>

#include "lever/error.h"

namespace lever::cli {

double ParseNumber(const std::string& text, const std::string& what) {
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {  // std::stod: no number at all, or out of range
  }
  throw ConfigError(what + ": expected a number, got '" + text + "'");
}

void AddOptimizerOptions(const std::vector<std::string>& key_values, OptimizerSpec& spec) {
  for (const std::string& kv : key_values) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) throw ConfigError("--opt expects key=value, e.g. --opt beta1=0.95, got '" + kv + "'");
    spec.options[kv.substr(0, eq)] = ParseNumber(kv.substr(eq + 1), "--opt " + kv.substr(0, eq));
  }
}

std::vector<std::string> ConfigOverrides(const CLI::App* cmd) {
  std::vector<std::string> overrides;
  for (const std::string& extra : cmd->remaining()) {
    if (extra.rfind("--", 0) != 0 || extra.find('=') == std::string::npos) {
      throw ConfigError("unknown argument '" + extra + "'; overrides are --key.path=value");
    }
    overrides.push_back(extra.substr(2));
  }
  return overrides;
}

}  // namespace lever::cli
