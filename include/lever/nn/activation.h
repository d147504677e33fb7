#pragma once
// Activations by name, for layers, the CLI and config files.
#include <string>
#include <vector>

#include "lever/autodiff/graph.h"

namespace lever {

/// An activation and its parameter: "linear", "sigmoid", "tanh", "relu", "leaky_relu" (alpha, default
/// 0.2 as TensorFlow), "prelu" (learned slopes, initialized to alpha, default 0.25 as He et al.), "elu"
/// (alpha, default 1.0), "softmax".
struct Activation {
  std::string name = "linear";
  double alpha = 0.0;  // 0 = the activation's default

  /// Parses "relu", "leaky_relu", "leaky_relu:0.1", "elu:0.5" (case-insensitive). Throws ConfigError
  /// for an unknown name, listing the valid ones.
  static Activation Parse(const std::string& text);
  double EffectiveAlpha() const;
  std::string ToString() const;
};

std::vector<std::string> ActivationNames();

/// Applies `activation` to x. `prelu_slopes` is the (1, cols) slope variable, required for "prelu".
Var ApplyActivation(const Activation& activation, const Var& x, const Var* prelu_slopes = nullptr);

}  // namespace lever
