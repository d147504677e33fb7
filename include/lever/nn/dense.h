#pragma once
#include "lever/nn/activation.h"
#include "lever/nn/layer.h"
#include "lever/nn/regularizer.h"

namespace lever {

struct DenseOptions {
  Index units = 0;
  Activation activation;  // default linear
  std::string initializer = "glorot_uniform";
  Regularizer regularizer;  // on the kernel
  bool use_bias = true;
};

/// A fully connected layer: y = activation(x W + b), W (inputs, units) from the initializer, b zeros.
/// PReLU adds a learned slope per unit.
class DenseLayer : public Layer {
 public:
  explicit DenseLayer(DenseOptions options);
  std::string TypeName() const override { return "Dense"; }
  std::string DefaultName() const override { return "dense"; }
  void Build(Index input_units, ParameterStore& store, Rng& rng) override;
  Index OutputUnits(Index) const override { return options_.units; }
  Var Apply(const Var& x, const LayerContext& context) override;
  std::vector<Parameter*> Parameters() const override;
  std::string Describe() const override;
  const DenseOptions& options() const { return options_; }
  Parameter* kernel() const { return kernel_; }
  Parameter* bias() const { return bias_; }

 private:
  DenseOptions options_;
  Parameter* kernel_ = nullptr;
  Parameter* bias_ = nullptr;
  Parameter* slopes_ = nullptr;  // prelu only
};

}  // namespace lever
