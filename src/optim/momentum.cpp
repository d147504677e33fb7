// Momentum in TensorFlow's form: the accumulator sums raw gradients and the learning rate scales it when
// applied, so a schedule that lowers the rate also damps the velocity already built up.
#include "lever/optim/momentum.h"

#include <sstream>

#include "lever/error.h"

namespace lever {

Momentum::Momentum(std::shared_ptr<LearningRateSchedule> schedule, MomentumOptions options)
    : Optimizer(std::move(schedule)), options_(options) {
  const char* name = options_.nesterov ? "nesterov" : "momentum";
  if (!(options_.momentum >= 0.0 && options_.momentum < 1.0)) {
    std::ostringstream msg;
    msg << name << ": momentum must be in [0, 1), got " << options_.momentum;
    throw ConfigError(msg.str());
  }
}

std::string Momentum::Describe() const {
  std::ostringstream out;
  out << "Momentum(learning_rate=" << schedule().Describe() << ", momentum=" << options_.momentum
      << ", nesterov=" << (options_.nesterov ? "true" : "false") << ")";
  return out.str();
}

void Momentum::UpdateSpan(float* __restrict w, float* __restrict g, float* const* slots, Index n,
                          const UpdateContext& ctx) {
  const float lr = ctx.learning_rate;
  const float momentum = static_cast<float>(options_.momentum);
  float* __restrict accumulator = slots[0];
  if (options_.nesterov) {
    // Look ahead: the step uses the gradient plus the velocity it is about to add to.
    for (Index i = 0; i < n; ++i) {
      accumulator[i] = momentum * accumulator[i] + g[i];
      w[i] -= lr * (g[i] + momentum * accumulator[i]);
    }
  } else {
    for (Index i = 0; i < n; ++i) {
      accumulator[i] = momentum * accumulator[i] + g[i];
      w[i] -= lr * accumulator[i];
    }
  }
  if (ctx.l1 != 0.0f) {
    const float threshold = lr * ctx.l1;
    for (Index i = 0; i < n; ++i) w[i] = SoftThreshold(w[i], threshold);
  }
}

}  // namespace lever
