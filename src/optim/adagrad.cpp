// AdaGrad: per-coordinate step lr / (sqrt(s) + eps) shrinks with the sum of squared gradients, so rare
// features keep large steps. The same step scales the L1 threshold (proximal AdaGrad, Duchi et al. 2011).
#include "lever/optim/adagrad.h"

#include <cmath>
#include <sstream>

#include "lever/error.h"

namespace lever {

Adagrad::Adagrad(std::shared_ptr<LearningRateSchedule> schedule, AdagradOptions options)
    : Optimizer(std::move(schedule)), options_(options) {
  std::ostringstream msg;
  if (!(options_.initial_accumulator_value >= 0.0) || !std::isfinite(options_.initial_accumulator_value)) {
    msg << "adagrad: initial_accumulator_value must be in [0, inf), got " << options_.initial_accumulator_value;
  } else if (!(options_.epsilon >= 0.0) || !std::isfinite(options_.epsilon)) {
    msg << "adagrad: epsilon must be in [0, inf), got " << options_.epsilon;
  } else if (options_.initial_accumulator_value == 0.0 && options_.epsilon == 0.0) {
    // The first step would divide 0 by 0 for a coordinate whose gradient is 0.
    msg << "adagrad: initial_accumulator_value and epsilon cannot both be 0; set epsilon (e.g. 1e-7) "
           "or initial_accumulator_value (e.g. 0.1) to a positive value";
  }
  if (!msg.str().empty()) throw ConfigError(msg.str());
}

std::string Adagrad::Describe() const {
  std::ostringstream out;
  out << "Adagrad(learning_rate=" << schedule().Describe()
      << ", initial_accumulator_value=" << options_.initial_accumulator_value << ", epsilon=" << options_.epsilon
      << ")";
  return out.str();
}

void Adagrad::UpdateSpan(float* __restrict w, float* __restrict g, float* const* slots, Index n,
                         const UpdateContext& ctx) {
  const float lr = ctx.learning_rate;
  const float epsilon = static_cast<float>(options_.epsilon);
  float* __restrict accumulator = slots[0];
  if (ctx.l1 == 0.0f) {
    for (Index i = 0; i < n; ++i) {
      accumulator[i] += g[i] * g[i];
      w[i] -= lr * g[i] / (std::sqrt(accumulator[i]) + epsilon);
    }
  } else {
    const float l1 = ctx.l1;
    for (Index i = 0; i < n; ++i) {
      accumulator[i] += g[i] * g[i];
      const float step = lr / (std::sqrt(accumulator[i]) + epsilon);
      w[i] = SoftThreshold(w[i] - step * g[i], step * l1);
    }
  }
}

}  // namespace lever
