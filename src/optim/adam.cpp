// Adam. The bias corrections 1 - beta^t are computed in double once per call: in float, 1 - 0.999^t
// loses most of its digits for small t, exactly when the correction matters most.
#include "lever/optim/adam.h"

#include <cmath>
#include <sstream>

#include "lever/error.h"

namespace lever {

Adam::Adam(std::shared_ptr<LearningRateSchedule> schedule, AdamOptions options)
    : Optimizer(std::move(schedule)), options_(options) {
  std::ostringstream msg;
  if (!(options_.beta1 >= 0.0 && options_.beta1 < 1.0)) {
    msg << "adam: beta1 must be in [0, 1), got " << options_.beta1;
  } else if (!(options_.beta2 >= 0.0 && options_.beta2 < 1.0)) {
    msg << "adam: beta2 must be in [0, 1), got " << options_.beta2;
  } else if (!(options_.epsilon > 0.0) || !std::isfinite(options_.epsilon)) {
    // A coordinate whose gradient has always been 0 would otherwise divide 0 by 0.
    msg << "adam: epsilon must be in (0, inf), got " << options_.epsilon;
  }
  if (!msg.str().empty()) throw ConfigError(msg.str());
}

std::string Adam::Describe() const {
  std::ostringstream out;
  out << "Adam(learning_rate=" << schedule().Describe() << ", beta1=" << options_.beta1 << ", beta2=" << options_.beta2
      << ", epsilon=" << options_.epsilon << ")";
  return out.str();
}

void Adam::UpdateSpan(float* __restrict w, float* __restrict g, float* const* slots, Index n,
                      const UpdateContext& ctx) {
  const float lr = ctx.learning_rate;
  const float beta1 = static_cast<float>(options_.beta1);
  const float beta2 = static_cast<float>(options_.beta2);
  const float one_minus_beta1 = static_cast<float>(1.0 - options_.beta1);
  const float one_minus_beta2 = static_cast<float>(1.0 - options_.beta2);
  const float epsilon = static_cast<float>(options_.epsilon);
  const double t = static_cast<double>(ctx.t);
  const float inv_correction1 = static_cast<float>(1.0 / (1.0 - std::pow(options_.beta1, t)));
  const float inv_correction2 = static_cast<float>(1.0 / (1.0 - std::pow(options_.beta2, t)));
  float* __restrict m = slots[0];
  float* __restrict v = slots[1];
  if (ctx.l1 == 0.0f) {
    for (Index i = 0; i < n; ++i) {
      m[i] = beta1 * m[i] + one_minus_beta1 * g[i];
      v[i] = beta2 * v[i] + one_minus_beta2 * g[i] * g[i];
      w[i] -= lr * (m[i] * inv_correction1) / (std::sqrt(v[i] * inv_correction2) + epsilon);
    }
  } else {
    const float l1 = ctx.l1;
    for (Index i = 0; i < n; ++i) {
      m[i] = beta1 * m[i] + one_minus_beta1 * g[i];
      v[i] = beta2 * v[i] + one_minus_beta2 * g[i] * g[i];
      const float step = lr / (std::sqrt(v[i] * inv_correction2) + epsilon);
      w[i] = SoftThreshold(w[i] - step * (m[i] * inv_correction1), step * l1);
    }
  }
}

}  // namespace lever
