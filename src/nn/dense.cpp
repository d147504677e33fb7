#include "lever/nn/dense.h"

#include <algorithm>
#include <sstream>

#include "lever/error.h"
#include "lever/nn/initializer.h"
#include "lever/ops/elementwise.h"
#include "lever/ops/matmul.h"

namespace lever {

DenseLayer::DenseLayer(DenseOptions options) : options_(std::move(options)) {
  if (options_.units <= 0) {
    throw ConfigError("Dense layer needs at least one unit, got " + std::to_string(options_.units) +
                      " (an empty layer cannot pass anything on)");
  }
  options_.regularizer.Validate();
  CheckInitializer(options_.initializer);
  // Resolved once here, so building a graph never looks an activation up by name.
  options_.activation.kind = &options_.activation.Kind();
}

void DenseLayer::Build(Index input_units, ParameterStore& store, Rng& rng) {
  kernel_ = &store.Create(name() + "/kernel", input_units, options_.units);
  Initialize(options_.initializer, kernel_->value, rng);
  kernel_->l1 = options_.regularizer.l1;
  kernel_->l2 = options_.regularizer.l2;
  if (options_.use_bias) bias_ = &store.Create(name() + "/bias", 1, options_.units);
  if (options_.activation.kind->learned_slopes) {
    slopes_ = &store.Create(name() + "/prelu_alpha", 1, options_.units);
    slopes_->value.setConstant(static_cast<float>(options_.activation.EffectiveAlpha()));
  }
}

Var DenseLayer::Apply(const Var& x, const LayerContext& context) {
  if (kernel_ == nullptr) throw ConfigError("layer '" + name() + "' is used before the model is built");
  Graph& g = *x.graph();
  Var y = MatMul(x, BindParameter(g, *kernel_, context));
  if (bias_ != nullptr) y = BiasAdd(y, BindParameter(g, *bias_, context));
  Var slopes;
  if (slopes_ != nullptr) slopes = BindParameter(g, *slopes_, context);
  y = ApplyActivation(options_.activation, y, slopes_ != nullptr ? &slopes : nullptr);
  if (context.taps != nullptr && options_.activation.kind->statistic != ActivationStatistic::kNotRecorded) {
    context.taps->push_back({name(), options_.activation.name, y, options_.activation.kind});
  }
  return y;
}

std::vector<Parameter*> DenseLayer::Parameters() const {
  std::vector<Parameter*> out;
  for (Parameter* p : {kernel_, bias_, slopes_}) {
    if (p != nullptr) out.push_back(p);
  }
  return out;
}

std::string DenseLayer::Describe() const {
  std::ostringstream out;
  out << "units=" << options_.units << ", activation=" << options_.activation.ToString()
      << ", initializer=" << options_.initializer;
  if (options_.regularizer.active()) out << ", regularizer=" << options_.regularizer.ToString();
  return out.str();
}

}  // namespace lever
