#include "lever/nn/sequential.h"

#include <iomanip>
#include <map>
#include <sstream>

#include "lever/error.h"

namespace lever {

Sequential& Sequential::Add(std::unique_ptr<Layer> layer) {
  if (built_) throw ConfigError("model '" + name_ + "' is already built; add layers before Build()");
  if (!layer) throw ConfigError("cannot add an empty layer to model '" + name_ + "'");
  layers_.push_back(std::move(layer));
  return *this;
}

void Sequential::Build(Index input_units, uint64_t seed) {
  if (built_) throw ConfigError("model '" + name_ + "' is already built");
  if (layers_.empty()) throw ConfigError("model '" + name_ + "' has no layers; add at least one Dense layer");
  if (input_units <= 0) throw ConfigError("model '" + name_ + "' needs at least one input feature");
  std::map<std::string, int> seen;
  for (auto& layer : layers_) {
    if (!layer->name().empty()) continue;
    const std::string stem = layer->DefaultName();
    const int k = seen[stem]++;
    layer->set_name(k == 0 ? stem : stem + "_" + std::to_string(k));
  }
  Rng rng(seed);
  Index units = input_units;
  for (auto& layer : layers_) {
    layer->Build(units, store_, rng);
    units = layer->OutputUnits(units);
  }
  input_units_ = input_units;
  built_ = true;
}

Var Sequential::Apply(const Var& input, const LayerContext& context) const {
  if (!built_) throw ConfigError("model '" + name_ + "' must be built (Build(inputs, seed)) before use");
  if (input.cols() != input_units_) {
    throw ShapeError("model '" + name_ + "' was built for " + std::to_string(input_units_) + " input features, got " +
                     std::to_string(input.cols()));
  }
  Var x = input;
  for (const auto& layer : layers_) x = layer->Apply(x, context);
  return x;
}

Index Sequential::output_units() const {
  Index units = input_units_;
  for (const auto& layer : layers_) units = layer->OutputUnits(units);
  return units;
}

Index Sequential::CountNonzeroWeights() const {
  Index n = 0;
  for (const Parameter* p : store_.All()) {
    if (IsKernelName(p->name)) n += p->CountNonzero();
  }
  return n;
}

Index Sequential::CountKernelWeights() const {
  Index n = 0;
  for (const Parameter* p : store_.All()) {
    if (IsKernelName(p->name)) n += p->size();
  }
  return n;
}

std::string Sequential::Summary() const {
  const std::string rule(65, '_');
  const std::string double_rule(65, '=');
  std::ostringstream out;
  out << "Model: \"" << name_ << "\"\n" << rule << "\n";
  out << std::left << " " << std::setw(28) << "Layer (type)" << std::setw(26) << "Output Shape"
      << "Param #\n";
  out << double_rule << "\n";
  Index units = input_units_;
  Index total = 0, trainable = 0;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& layer = *layers_[i];
    units = built_ ? layer.OutputUnits(units) : 0;
    Index count = 0;
    for (const Parameter* p : layer.Parameters()) {
      count += p->size();
      if (p->trainable) trainable += p->size();
    }
    total += count;
    const std::string label =
        (layer.name().empty() ? layer.DefaultName() : layer.name()) + " (" + layer.TypeName() + ")";
    const std::string shape = built_ ? "(None, " + std::to_string(units) + ")" : "(unbuilt)";
    out << " " << std::setw(28) << label << std::setw(26) << shape << count << "\n";
    out << (i + 1 < layers_.size() ? rule : double_rule) << "\n";
  }
  out << "Total params: " << total << "\n";
  out << "Trainable params: " << trainable << "\n";
  out << "Non-trainable params: " << total - trainable << "\n";
  out << rule << "\n";
  return out.str();
}

namespace layers {

std::unique_ptr<Layer> Dense(Index units, const std::string& activation, const std::string& initializer,
                             Regularizer regularizer) {
  DenseOptions options;
  options.units = units;
  options.activation = Activation::Parse(activation);
  options.initializer = initializer;
  options.regularizer = regularizer;
  return std::make_unique<DenseLayer>(options);
}

std::unique_ptr<Layer> Dropout(double rate) { return std::make_unique<DropoutLayer>(rate); }

std::unique_ptr<Layer> BatchNorm(BatchNormOptions options) { return std::make_unique<BatchNormLayer>(options); }

}  // namespace layers

}  // namespace lever
