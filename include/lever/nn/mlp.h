#pragma once
// A multi-layer perceptron described by its knobs, as the CLI, the playground and the tuner give them.
#include <string>
#include <vector>

#include "lever/nn/activation.h"
#include "lever/nn/sequential.h"

namespace lever {

struct MlpSpec {
  std::vector<Index> hidden;        // units per hidden layer; empty = a linear model
  std::string activation = "tanh";  // every hidden layer's (Activation::Parse), or one per layer: "relu,tanh"
  std::string initializer = "glorot_uniform";
  Regularizer regularizer;  // on every kernel, the output layer's included
  double dropout = 0.0;     // after every hidden layer (0 = none)
  bool batch_norm = false;  // normalize every hidden layer before its activation
  Index outputs = 1;        // output units (logits, linear)
};

/// Builds (but does not Build()) the model: for each hidden layer Dense(units, activation) and
/// [Dropout], then Dense(outputs, linear). With batch_norm the hidden Dense layers are linear and the
/// activation follows the normalization (Dense -> BatchNorm -> activation), as Ioffe and Szegedy place it.
/// Throws ConfigError for an empty layer (0 units) or any invalid knob.
Sequential MakeMlp(const MlpSpec& spec);

/// The hidden layers' activations from MlpSpec::activation: one name for all `layers`, or one per layer
/// ("relu,tanh"). Throws ConfigError for another count, an unknown name or an output-only activation.
std::vector<Activation> HiddenActivations(const std::string& text, size_t layers);

/// Parses "8,8" into {8, 8}; "" gives no hidden layers. Throws ConfigError naming the bad entry.
std::vector<Index> ParseLayerSizes(const std::string& text);

}  // namespace lever
