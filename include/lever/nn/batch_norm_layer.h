#pragma once
#include "lever/nn/layer.h"
#include "lever/ops/batch_norm.h"

namespace lever {

struct BatchNormOptions {
  double momentum = 0.99;  // Keras' defaults
  double epsilon = 1e-3;
};

/// Batch normalization (Ioffe and Szegedy 2015): learned scale gamma (ones) and shift beta (zeros),
/// and moving mean and variance kept as non-trainable parameters (saved with the model).
class BatchNormLayer : public Layer {
 public:
  explicit BatchNormLayer(BatchNormOptions options = {});
  std::string TypeName() const override { return "BatchNorm"; }
  std::string DefaultName() const override { return "batch_norm"; }
  void Build(Index input_units, ParameterStore& store, Rng& rng) override;
  Index OutputUnits(Index input_units) const override { return input_units; }
  Var Apply(const Var& x, const LayerContext& context) override;
  std::vector<Parameter*> Parameters() const override;
  std::string Describe() const override;

 private:
  BatchNormOptions options_;
  Parameter* gamma_ = nullptr;
  Parameter* beta_ = nullptr;
  Parameter* moving_mean_ = nullptr;
  Parameter* moving_variance_ = nullptr;
  BatchNormState<float> state_;
};

}  // namespace lever
