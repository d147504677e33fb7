// AdamW: Adam's step plus weight decay applied to the weights directly (formula in lever/optim/adam.h).
#include <cmath>
#include <sstream>

#include "lever/error.h"
#include "lever/optim/adam.h"

namespace lever {

AdamW::AdamW(std::shared_ptr<LearningRateSchedule> schedule, AdamWOptions options)
    : Adam(std::move(schedule), {options.beta1, options.beta2, options.epsilon}), weight_decay_(options.weight_decay) {
  if (!(weight_decay_ >= 0.0) || !std::isfinite(weight_decay_)) {
    throw ConfigError("adamw: weight_decay must be a finite number >= 0 (PyTorch's default is 0.01), got " +
                      FormatValue(weight_decay_));
  }
}

std::string AdamW::Describe() const {
  std::ostringstream out;
  out << "AdamW(learning_rate=" << schedule().Describe() << ", beta1=" << options_.beta1 << ", beta2=" << options_.beta2
      << ", epsilon=" << options_.epsilon << ", weight_decay=" << weight_decay_ << ")";
  return out.str();
}

void AdamW::UpdateSpan(float* __restrict w, float* g, float* const* slots, Index n, const UpdateContext& ctx) {
  // Decay first, from the weights before this step, as PyTorch does; Adam's step does not read w, so the
  // order only matters for L1's soft threshold, which then sees the decayed weight.
  const float keep = 1.0f - ctx.learning_rate * static_cast<float>(weight_decay_);
  for (Index i = 0; i < n; ++i) w[i] *= keep;
  Adam::UpdateSpan(w, g, slots, n, ctx);
}

}  // namespace lever
