#include "lever/nn/activation.h"

#include <algorithm>
#include <cctype>

#include "lever/error.h"
#include "lever/ops/activations.h"
#include "lever/registry.h"

namespace lever {
namespace {

using Stat = ActivationStatistic;

// Adapters from an op to the table's apply signature.
template <Var (*Op)(const Var&)>
Var Plain(const Var& x, double, const Var*) {
  return Op(x);
}
template <Var (*Op)(const Var&, double)>
Var WithAlpha(const Var& x, double alpha, const Var*) {
  return Op(x, alpha);
}
Var Identity(const Var& x, double, const Var*) { return x; }
Var WithSlopes(const Var& x, double, const Var* slopes) {
  if (slopes == nullptr) throw ConfigError("prelu needs its slope parameter");
  return Prelu(x, *slopes);
}

// One line per activation: name, aliases, help, parameter default, what training statistics watch, the op.
// clang-format off
const std::vector<ActivationKind>& Registry() {
  static const std::vector<ActivationKind> table = {
      {.name = "linear", .aliases = {"none", "identity"}, .help = "y = x", .statistic = Stat::kNotRecorded, .apply = Identity},
      {.name = "sigmoid", .help = "y = 1 / (1 + exp(-x))", .squashes = true, .statistic = Stat::kSaturation, .saturation_low = 0.01f, .saturation_high = 0.99f, .apply = Plain<Sigmoid>},
      {.name = "tanh", .help = "y = tanh(x)", .statistic = Stat::kSaturation, .saturation_low = -0.99f, .saturation_high = 0.99f, .apply = Plain<Tanh>},
      {.name = "relu", .help = "y = max(x, 0)", .statistic = Stat::kDeadUnits, .apply = Plain<Relu>},
      {.name = "leaky_relu", .aliases = {"leakyrelu"}, .help = "y = x, or alpha x below 0 (leaky_relu[:alpha], default 0.2)", .default_alpha = 0.2, .statistic = Stat::kDeadUnits, .apply = WithAlpha<LeakyRelu>},
      {.name = "prelu", .help = "leaky_relu with a learned slope per unit, starting at alpha (default 0.25)", .default_alpha = 0.25, .learned_slopes = true, .statistic = Stat::kDeadUnits, .apply = WithSlopes},
      {.name = "elu", .help = "y = x, or alpha (exp(x) - 1) below 0 (elu[:alpha], default 1.0)", .default_alpha = 1.0, .statistic = Stat::kDeadUnits, .apply = WithAlpha<Elu>},
      {.name = "gelu", .help = "x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (Hendrycks and Gimpel 2016)", .statistic = Stat::kDeadUnits, .apply = Plain<Gelu>},
      {.name = "softmax", .help = "row-wise softmax (output layers only)", .squashes = true, .output_only = true, .apply = Plain<Softmax>},
  };
  return table;
}
// clang-format on

}  // namespace

std::vector<std::string> ActivationNames() { return internal::EntryNames(Registry()); }

std::vector<NameEntry> ActivationEntries() { return internal::Describe(Registry()); }

const ActivationKind& FindActivation(const std::string& name) {
  return internal::LookUp(Registry(), name, "activation",
                          " leaky_relu, prelu and elu take an optional slope, e.g. leaky_relu:0.1.");
}

Activation Activation::Parse(const std::string& text) {
  std::string s = text;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto colon = s.find(':');
  const ActivationKind* found = internal::FindEntry(Registry(), s.substr(0, colon));
  if (found == nullptr) FindActivation(text);  // throws, listing the valid names
  Activation a;
  a.kind = found;
  a.name = found->name;
  if (colon != std::string::npos) {
    if (found->default_alpha == 0.0) {
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

const ActivationKind& Activation::Kind() const { return kind != nullptr ? *kind : FindActivation(name); }

double Activation::EffectiveAlpha() const { return alpha > 0.0 ? alpha : Kind().default_alpha; }

std::string Activation::ToString() const {
  if (alpha > 0.0) return name + ":" + FormatValue(alpha);
  return name;
}

Var ApplyActivation(const Activation& activation, const Var& x, const Var* prelu_slopes) {
  const ActivationKind& kind = activation.Kind();
  return kind.apply(x, activation.alpha > 0.0 ? activation.alpha : kind.default_alpha, prelu_slopes);
}

}  // namespace lever
