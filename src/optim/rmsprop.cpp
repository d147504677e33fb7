// RMSProp in TensorFlow's kernel form: the learning rate enters the momentum buffer, so with momentum 0
// this is w <- w - lr g / sqrt(ms + eps). Centered RMSProp divides by an estimate of the variance instead
// of the raw second moment.
#include "lever/optim/rmsprop.h"

#include <cmath>
#include <sstream>

#include "lever/error.h"

namespace lever {
namespace {

// One loop per (centered, L1) combination keeps each inner loop free of branches.
template <bool kCentered, bool kL1>
void RmspropSpan(float* __restrict w, const float* __restrict g, float* __restrict ms, float* __restrict mom,
                 float* __restrict mg, Index n, float lr, float rho, float one_minus_rho, float momentum, float epsilon,
                 float l1) {
  for (Index i = 0; i < n; ++i) {
    ms[i] = rho * ms[i] + one_minus_rho * g[i] * g[i];
    float denom = ms[i];
    if constexpr (kCentered) {
      mg[i] = rho * mg[i] + one_minus_rho * g[i];
      denom -= mg[i] * mg[i];
    }
    const float step = lr / std::sqrt(denom + epsilon);
    mom[i] = momentum * mom[i] + step * g[i];
    if constexpr (kL1) {
      w[i] = SoftThreshold(w[i] - mom[i], step * l1);
    } else {
      w[i] -= mom[i];
    }
  }
}

}  // namespace

Rmsprop::Rmsprop(std::shared_ptr<LearningRateSchedule> schedule, RmspropOptions options)
    : Optimizer(std::move(schedule)), options_(options) {
  std::ostringstream msg;
  if (!(options_.rho >= 0.0 && options_.rho < 1.0)) {
    msg << "rmsprop: rho must be in [0, 1), got " << options_.rho;
  } else if (!(options_.momentum >= 0.0 && options_.momentum < 1.0)) {
    msg << "rmsprop: momentum must be in [0, 1), got " << options_.momentum;
  } else if (!(options_.epsilon > 0.0) || !std::isfinite(options_.epsilon)) {
    // The mean square starts at 0: eps keeps the first step finite.
    msg << "rmsprop: epsilon must be in (0, inf), got " << options_.epsilon;
  }
  if (!msg.str().empty()) throw ConfigError(msg.str());
}

std::string Rmsprop::Describe() const {
  std::ostringstream out;
  out << "RMSprop(learning_rate=" << schedule().Describe() << ", rho=" << options_.rho
      << ", momentum=" << options_.momentum << ", epsilon=" << options_.epsilon
      << ", centered=" << (options_.centered ? "true" : "false") << ")";
  return out.str();
}

void Rmsprop::UpdateSpan(float* __restrict w, float* __restrict g, float* const* slots, Index n,
                         const UpdateContext& ctx) {
  const float rho = static_cast<float>(options_.rho);
  const float one_minus_rho = static_cast<float>(1.0 - options_.rho);
  const float momentum = static_cast<float>(options_.momentum);
  const float epsilon = static_cast<float>(options_.epsilon);
  auto* span = options_.centered ? (ctx.l1 != 0.0f ? &RmspropSpan<true, true> : &RmspropSpan<true, false>)
                                 : (ctx.l1 != 0.0f ? &RmspropSpan<false, true> : &RmspropSpan<false, false>);
  span(w, g, slots[0], slots[1], slots[2], n, ctx.learning_rate, rho, one_minus_rho, momentum, epsilon, ctx.l1);
}

}  // namespace lever
