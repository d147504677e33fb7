#include "lever/nn/batch_norm_layer.h"

#include <sstream>

#include "lever/error.h"

namespace lever {

BatchNormLayer::BatchNormLayer(BatchNormOptions options) : options_(options) {
  if (!(options_.momentum >= 0.0 && options_.momentum < 1.0)) {
    throw ConfigError("BatchNorm momentum must be in [0, 1), got " + FormatValue(options_.momentum) +
                      " (Keras' default is 0.99)");
  }
  if (!(options_.epsilon > 0.0)) {
    throw ConfigError("BatchNorm epsilon must be > 0, got " + FormatValue(options_.epsilon));
  }
}

void BatchNormLayer::Build(Index input_units, ParameterStore& store, Rng&) {
  gamma_ = &store.Create(name() + "/gamma", 1, input_units);
  gamma_->value.setOnes();
  beta_ = &store.Create(name() + "/beta", 1, input_units);
  moving_mean_ = &store.Create(name() + "/moving_mean", 1, input_units);
  moving_mean_->trainable = false;
  moving_variance_ = &store.Create(name() + "/moving_variance", 1, input_units);
  moving_variance_->value.setOnes();
  moving_variance_->trainable = false;
  state_.moving_mean = &moving_mean_->value;
  state_.moving_variance = &moving_variance_->value;
  state_.momentum = options_.momentum;
  state_.epsilon = options_.epsilon;
}

Var BatchNormLayer::Apply(const Var& x, const LayerContext& context) {
  if (gamma_ == nullptr) throw ConfigError("layer '" + name() + "' is used before the model is built");
  Graph& g = *x.graph();
  return BatchNorm(x, BindParameter(g, *gamma_, context), BindParameter(g, *beta_, context), &state_);
}

std::vector<Parameter*> BatchNormLayer::Parameters() const {
  if (gamma_ == nullptr) return {};
  return {gamma_, beta_, moving_mean_, moving_variance_};
}

std::string BatchNormLayer::Describe() const {
  std::ostringstream out;
  out << "momentum=" << options_.momentum << ", epsilon=" << options_.epsilon;
  return out.str();
}

}  // namespace lever
