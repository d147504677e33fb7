#include "lever/nn/mlp.h"

#include <fmt/core.h>

#include <sstream>

#include "lever/error.h"
#include "lever/nn/activation.h"
#include "lever/nn/activation_layer.h"

namespace lever {

std::vector<Index> ParseLayerSizes(const std::string& text) {
  std::vector<Index> sizes;
  if (text.empty()) return sizes;
  std::stringstream in(text);
  std::string item;
  int position = 0;
  while (std::getline(in, item, ',')) {
    ++position;
    size_t used = 0;
    long long units = 0;
    try {
      units = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || units <= 0) {
      throw ConfigError("hidden layer " + std::to_string(position) + " in '" + text + "' is '" + item +
                        "': every layer needs a positive number of units, e.g. 8,8 (an empty layer cannot pass "
                        "anything on)");
    }
    sizes.push_back(static_cast<Index>(units));
  }
  if (!text.empty() && text.back() == ',') {
    throw ConfigError("hidden layers '" + text + "' end with a comma: the last layer is empty");
  }
  return sizes;
}

std::vector<Activation> HiddenActivations(const std::string& text, size_t layers) {
  std::vector<std::string> names;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) names.push_back(item);
  if (text.empty() || text.back() == ',') names.emplace_back();
  if (names.size() > 1 && names.size() != layers) {
    throw ConfigError(
        fmt::format("activation '{}' names {} activations for {} hidden layers: give one for every "
                    "layer, or one per layer (relu,tanh for 2 layers)",
                    text, names.size(), layers));
  }
  std::vector<Activation> out;
  for (const std::string& name : names) {
    const Activation activation = Activation::Parse(name);
    if (activation.Kind().output_only) {
      throw ConfigError(activation.name +
                        " is an output activation, not a hidden one; choose relu, tanh, sigmoid, ... "
                        "for hidden layers");
    }
    out.push_back(activation);
  }
  out.resize(layers, out.front());
  return out;
}

Sequential MakeMlp(const MlpSpec& spec) {
  const std::vector<Activation> activations = HiddenActivations(spec.activation, spec.hidden.size());
  if (spec.outputs <= 0) throw ConfigError("the model needs at least one output unit");
  if (spec.dropout != 0.0) layers::Dropout(spec.dropout);  // a rate outside [0, 1) is an error, not "none"
  spec.regularizer.Validate();
  Sequential model;
  for (size_t layer = 0; layer < spec.hidden.size(); ++layer) {
    const Index units = spec.hidden[layer];
    const Activation& activation = activations[layer];
    if (units <= 0)
      throw ConfigError("every hidden layer needs a positive number of units, got " + std::to_string(units));
    DenseOptions dense;
    dense.units = units;
    dense.initializer = spec.initializer;
    dense.regularizer = spec.regularizer;
    if (spec.batch_norm) {
      dense.use_bias = false;  // BatchNorm's beta takes the bias's role
      model.Add(std::make_unique<DenseLayer>(dense));
      model.Add(layers::BatchNorm());
      model.Add(std::make_unique<ActivationLayer>(activation));
    } else {
      dense.activation = activation;
      model.Add(std::make_unique<DenseLayer>(dense));
    }
    if (spec.dropout > 0.0) model.Add(layers::Dropout(spec.dropout));
  }
  DenseOptions out;
  out.units = spec.outputs;
  out.initializer = "glorot_uniform";
  out.regularizer = spec.regularizer;
  model.Add(std::make_unique<DenseLayer>(out));
  return model;
}

}  // namespace lever
