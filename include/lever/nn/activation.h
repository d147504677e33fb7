#pragma once
// Activations by name, for layers, the CLI and config files. The table is in src/nn/activation.cpp: one
// line per activation; a new one is its op (src/ops/) plus one line there.
#include <string>
#include <vector>

#include "lever/autodiff/graph.h"
#include "lever/registry.h"

namespace lever {

/// What training statistics look for in an activation's outputs (TrainingStatistics::activations).
enum class ActivationStatistic {
  kNotRecorded,  // linear: outputs are the inputs, nothing to watch
  kMeanOnly,     // mean and spread only (softmax)
  kDeadUnits,    // ReLU-like: outputs <= 0 and units that are <= 0 for a whole batch
  kSaturation,   // sigmoid-like: outputs outside (saturation_low, saturation_high), where gradients vanish
};

/// One registered activation: one line of the table in src/nn/activation.cpp.
struct ActivationKind {
  const char* name = "";
  std::vector<std::string> aliases = {};
  const char* help = "";
  /// > 0: takes an optional parameter (`name:alpha`) with this default; 0: takes none.
  double default_alpha = 0.0;
  /// True for prelu: a (1, units) slope parameter per layer, starting at alpha.
  bool learned_slopes = false;
  /// True for sigmoid and softmax: an output layer must not apply it before a loss that takes logits.
  bool squashes = false;
  /// True for softmax: meaningless in a hidden layer.
  bool output_only = false;
  ActivationStatistic statistic = ActivationStatistic::kMeanOnly;
  float saturation_low = 0.0f, saturation_high = 0.0f;  // kSaturation only
  /// y = f(x). `slopes` is the (1, cols) learned slope variable when learned_slopes, else nullptr.
  Var (*apply)(const Var& x, double alpha, const Var* slopes) = nullptr;
};

/// An activation and its parameter, e.g. "relu", "leaky_relu:0.1" (ActivationEntries() lists them all).
struct Activation {
  std::string name = "linear";
  double alpha = 0.0;  // 0 = the activation's default
  /// The table entry for `name`, set by Parse; Kind() looks it up when an Activation was built by hand.
  const ActivationKind* kind = nullptr;

  /// Parses "relu", "leaky_relu", "leaky_relu:0.1", "elu:0.5" (case-insensitive, aliases allowed). Throws
  /// ConfigError for an unknown name, listing the valid ones.
  static Activation Parse(const std::string& text);
  const ActivationKind& Kind() const;
  double EffectiveAlpha() const;
  std::string ToString() const;
};

/// Every registered activation name, in table order.
std::vector<std::string> ActivationNames();

/// Every activation with its aliases and help, in table order (`lever names`, docs/names.md).
std::vector<NameEntry> ActivationEntries();

/// The entry for `name` or an alias of it; ConfigError listing the valid names for an unknown one.
const ActivationKind& FindActivation(const std::string& name);

/// Applies `activation` to x. `prelu_slopes` is the (1, cols) slope variable, required for "prelu".
Var ApplyActivation(const Activation& activation, const Var& x, const Var* prelu_slopes = nullptr);

}  // namespace lever
