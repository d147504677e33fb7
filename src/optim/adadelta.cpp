// AdaDelta: the step is the ratio of two running RMS values (past updates over past gradients), which
// gives the update the units of w. The learning rate multiplies it as in Keras and TensorFlow.
#include "lever/optim/adadelta.h"

#include <cmath>
#include <sstream>

#include "lever/error.h"

namespace lever {

Adadelta::Adadelta(std::shared_ptr<LearningRateSchedule> schedule, AdadeltaOptions options)
    : Optimizer(std::move(schedule)), options_(options) {
  std::ostringstream msg;
  if (!(options_.rho >= 0.0 && options_.rho < 1.0)) {
    msg << "adadelta: rho must be in [0, 1), got " << options_.rho;
  } else if (!(options_.epsilon > 0.0) || !std::isfinite(options_.epsilon)) {
    // With eps = 0 the update accumulator starts at 0 and every update would stay 0.
    msg << "adadelta: epsilon must be in (0, inf), got " << options_.epsilon;
  }
  if (!msg.str().empty()) throw ConfigError(msg.str());
}

std::string Adadelta::Describe() const {
  std::ostringstream out;
  out << "Adadelta(learning_rate=" << schedule().Describe() << ", rho=" << options_.rho
      << ", epsilon=" << options_.epsilon << ")";
  return out.str();
}

void Adadelta::UpdateSpan(float* __restrict w, float* __restrict g, float* const* slots, Index n,
                          const UpdateContext& ctx) {
  const float lr = ctx.learning_rate;
  const float rho = static_cast<float>(options_.rho);
  const float one_minus_rho = static_cast<float>(1.0 - options_.rho);
  const float epsilon = static_cast<float>(options_.epsilon);
  float* __restrict accumulator = slots[0];
  float* __restrict delta_accumulator = slots[1];
  if (ctx.l1 == 0.0f) {
    for (Index i = 0; i < n; ++i) {
      accumulator[i] = rho * accumulator[i] + one_minus_rho * g[i] * g[i];
      const float update = std::sqrt(delta_accumulator[i] + epsilon) / std::sqrt(accumulator[i] + epsilon) * g[i];
      delta_accumulator[i] = rho * delta_accumulator[i] + one_minus_rho * update * update;
      w[i] -= lr * update;
    }
  } else {
    // The threshold uses the same per-coordinate ratio as this step's update (the old delta accumulator).
    const float l1 = ctx.l1;
    for (Index i = 0; i < n; ++i) {
      accumulator[i] = rho * accumulator[i] + one_minus_rho * g[i] * g[i];
      const float ratio = std::sqrt(delta_accumulator[i] + epsilon) / std::sqrt(accumulator[i] + epsilon);
      const float update = ratio * g[i];
      delta_accumulator[i] = rho * delta_accumulator[i] + one_minus_rho * update * update;
      w[i] = SoftThreshold(w[i] - lr * update, lr * l1 * ratio);
    }
  }
}

}  // namespace lever
