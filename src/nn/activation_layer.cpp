#include "lever/nn/activation_layer.h"

namespace lever {

void ActivationLayer::Build(Index input_units, ParameterStore& store, Rng&) {
  activation_.kind = &activation_.Kind();  // resolved once, not per graph
  if (activation_.kind->learned_slopes) {
    slopes_ = &store.Create(name() + "/prelu_alpha", 1, input_units);
    slopes_->value.setConstant(static_cast<float>(activation_.EffectiveAlpha()));
  }
}

Var ActivationLayer::Apply(const Var& x, const LayerContext& context) {
  Var slopes;
  if (slopes_ != nullptr) slopes = BindParameter(*x.graph(), *slopes_, context);
  Var y = ApplyActivation(activation_, x, slopes_ != nullptr ? &slopes : nullptr);
  if (context.taps != nullptr && activation_.Kind().statistic != ActivationStatistic::kNotRecorded) {
    context.taps->push_back({name(), activation_.name, y, &activation_.Kind()});
  }
  return y;
}

std::vector<Parameter*> ActivationLayer::Parameters() const {
  if (slopes_ == nullptr) return {};
  return {slopes_};
}

}  // namespace lever
