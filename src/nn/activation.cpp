#include "lever/nn/activation.h"

#include <algorithm>
#include <cctype>

#include "lever/error.h"
#include "lever/ops/activations.h"

namespace lever {

std::vector<std::string> ActivationNames() {
  return {"linear", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "softmax"};
}

Activation Activation::Parse(const std::string& text) {
  std::string s = text;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  Activation a;
  const auto colon = s.find(':');
  a.name = s.substr(0, colon);
  if (a.name == "none" || a.name == "identity") a.name = "linear";
  if (a.name == "leakyrelu") a.name = "leaky_relu";
  const auto names = ActivationNames();
  if (std::find(names.begin(), names.end(), a.name) == names.end()) {
    std::string valid;
    for (const auto& n : names) valid += (valid.empty() ? "" : ", ") + n;
    throw ConfigError("unknown activation '" + text + "'. Valid activations: " + valid +
                      " (leaky_relu, prelu and elu take an optional slope, e.g. leaky_relu:0.1).");
  }
  if (colon != std::string::npos) {
    if (a.name != "leaky_relu" && a.name != "prelu" && a.name != "elu") {
      throw ConfigError("activation '" + a.name + "' takes no parameter, got '" + text + "'");
    }
    try {
      size_t used = 0;
      a.alpha = std::stod(s.substr(colon + 1), &used);
      if (used != s.size() - colon - 1) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      throw ConfigError("activation '" + text + "': the value after ':' must be a number, e.g. leaky_relu:0.1");
    }
    if (!(a.alpha > 0.0)) throw ConfigError("activation '" + text + "': alpha must be positive");
  }
  return a;
}

double Activation::EffectiveAlpha() const {
  if (alpha > 0.0) return alpha;
  if (name == "leaky_relu") return 0.2;
  if (name == "prelu") return 0.25;
  if (name == "elu") return 1.0;
  return 0.0;
}

std::string Activation::ToString() const {
  if (alpha > 0.0) return name + ":" + FormatValue(alpha);
  return name;
}

Var ApplyActivation(const Activation& activation, const Var& x, const Var* prelu_slopes) {
  const std::string& n = activation.name;
  if (n == "linear") return x;
  if (n == "sigmoid") return Sigmoid(x);
  if (n == "tanh") return Tanh(x);
  if (n == "relu") return Relu(x);
  if (n == "leaky_relu") return LeakyRelu(x, activation.EffectiveAlpha());
  if (n == "elu") return Elu(x, activation.EffectiveAlpha());
  if (n == "softmax") return Softmax(x);
  if (n == "prelu") {
    if (prelu_slopes == nullptr) throw ConfigError("prelu needs its slope parameter");
    return Prelu(x, *prelu_slopes);
  }
  throw ConfigError("unknown activation '" + n + "'");
}

}  // namespace lever
