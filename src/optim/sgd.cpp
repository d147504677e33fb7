// Plain (stochastic) gradient descent: w <- w - lr * g, then the L1 proximal step
// w <- sign(w) max(|w| - lr * l1, 0) (proximal gradient descent, exact zeros).
#include "lever/optim/sgd.h"

#include <sstream>

#include "lever/error.h"

namespace lever {

Sgd::Sgd(std::shared_ptr<LearningRateSchedule> schedule) : Optimizer(std::move(schedule)) {}

std::string Sgd::Describe() const { return "SGD(learning_rate=" + schedule().Describe() + ")"; }

void Sgd::UpdateSpan(float* w, float* g, float* const* /*slots*/, Index n, const UpdateContext& ctx) {
  const float lr = ctx.learning_rate;
  if (ctx.l1 == 0.0f) {
    for (Index i = 0; i < n; ++i) w[i] -= lr * g[i];
  } else {
    const float threshold = lr * ctx.l1;
    for (Index i = 0; i < n; ++i) w[i] = SoftThreshold(w[i] - lr * g[i], threshold);
  }
}

}  // namespace lever
