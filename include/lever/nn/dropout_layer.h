#pragma once
#include "lever/nn/layer.h"

namespace lever {

/// Inverted dropout between layers: drops a fraction `rate` of units while training, identity at
/// inference (see the Dropout op).
class DropoutLayer : public Layer {
 public:
  explicit DropoutLayer(double rate);
  std::string TypeName() const override { return "Dropout"; }
  std::string DefaultName() const override { return "dropout"; }
  void Build(Index, ParameterStore&, Rng&) override {}
  Index OutputUnits(Index input_units) const override { return input_units; }
  Var Apply(const Var& x, const LayerContext& context) override;
  std::string Describe() const override;
  double rate() const { return rate_; }

 private:
  double rate_;
};

}  // namespace lever
