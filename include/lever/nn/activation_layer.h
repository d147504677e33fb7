#pragma once
#include "lever/nn/activation.h"
#include "lever/nn/layer.h"

namespace lever {

/// An activation on its own, for placing after BatchNorm (PReLU slopes are learned per unit).
class ActivationLayer : public Layer {
 public:
  explicit ActivationLayer(Activation activation) : activation_(std::move(activation)) {}
  std::string TypeName() const override { return "Activation"; }
  std::string DefaultName() const override { return "activation"; }
  void Build(Index input_units, ParameterStore& store, Rng& rng) override;
  Index OutputUnits(Index input_units) const override { return input_units; }
  Var Apply(const Var& x, const LayerContext& context) override;
  std::vector<Parameter*> Parameters() const override;
  std::string Describe() const override { return activation_.ToString(); }

 private:
  Activation activation_;
  Parameter* slopes_ = nullptr;
};

}  // namespace lever
