// FTRL-Proximal in TensorFlow's kernel form (ApplyFtrlV2). The weight is not stepped but recomputed from
// the linear term z in closed form, which is why |z| <= l1 gives an exact zero: the L1 penalty applies to
// the whole history of gradients rather than to each step.
#include "lever/optim/ftrl.h"

#include <cmath>
#include <sstream>

#include "lever/error.h"

namespace lever {
namespace {

// `power(a)` is a^(-learning_rate_power). The selects compile to blends, so the loop has no branches.
template <class Power>
void FtrlSpan(float* __restrict w, const float* __restrict g, float* __restrict accumulator, float* __restrict linear,
              Index n, float lr, float l1, float two_l2, float two_l2_shrinkage, Power power) {
  for (Index i = 0; i < n; ++i) {
    const float g_shrunk = g[i] + two_l2_shrinkage * w[i];
    const float accumulator_new = accumulator[i] + g[i] * g[i];
    const float power_new = power(accumulator_new);
    linear[i] += g_shrunk - (power_new - power(accumulator[i])) / lr * w[i];
    const float quadratic = power_new / lr + two_l2;
    const float candidate = (std::copysign(l1, linear[i]) - linear[i]) / quadratic;
    w[i] = std::fabs(linear[i]) > l1 ? candidate : 0.0f;
    accumulator[i] = accumulator_new;
  }
}

}  // namespace

Ftrl::Ftrl(std::shared_ptr<LearningRateSchedule> schedule, FtrlOptions options)
    : Optimizer(std::move(schedule)), options_(options) {
  std::ostringstream msg;
  auto non_negative = [](double x) { return x >= 0.0 && std::isfinite(x); };
  if (!(options_.learning_rate_power <= 0.0) || !std::isfinite(options_.learning_rate_power)) {
    msg << "ftrl: learning_rate_power must be in (-inf, 0], got " << options_.learning_rate_power;
  } else if (!non_negative(options_.initial_accumulator_value)) {
    msg << "ftrl: initial_accumulator_value must be in [0, inf), got " << options_.initial_accumulator_value;
  } else if (!non_negative(options_.l1)) {
    msg << "ftrl: l1 must be in [0, inf), got " << options_.l1;
  } else if (!non_negative(options_.l2)) {
    msg << "ftrl: l2 must be in [0, inf), got " << options_.l2;
  } else if (!non_negative(options_.l2_shrinkage)) {
    msg << "ftrl: l2_shrinkage must be in [0, inf), got " << options_.l2_shrinkage;
  }
  if (!msg.str().empty()) throw ConfigError(msg.str());
}

std::string Ftrl::Describe() const {
  std::ostringstream out;
  out << "Ftrl(learning_rate=" << schedule().Describe() << ", learning_rate_power=" << options_.learning_rate_power
      << ", initial_accumulator_value=" << options_.initial_accumulator_value << ", l1=" << options_.l1
      << ", l2=" << options_.l2 << ", l2_shrinkage=" << options_.l2_shrinkage << ")";
  return out.str();
}

void Ftrl::UpdateRows(float* w, float* g, float* const* slots, size_t /*nslots*/, Index cols,
                      const std::vector<Index>& rows, const UpdateContext& ctx) {
  if (options_.learning_rate_power != -0.5) {
    Optimizer::UpdateRows(w, g, slots, 2, cols, rows, ctx);
    return;
  }
  // The wide-model hot path: one inlined loop over scattered rows, prefetching ahead.
  const float lr = ctx.learning_rate;
  const double t = static_cast<double>(ctx.t);
  const float l1 = static_cast<float>(options_.l1 + t * ctx.l1);
  const float two_l2 = static_cast<float>(2.0 * (options_.l2 + t * ctx.l2));
  const float two_l2_shrinkage = static_cast<float>(2.0 * options_.l2_shrinkage);
  float* accumulator = slots[0];
  float* linear = slots[1];
  const float inv_lr = 1.0f / lr;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i + kPrefetchRows < rows.size()) {
      const Index ahead = rows[i + kPrefetchRows] * cols;
      __builtin_prefetch(w + ahead, 1);
      __builtin_prefetch(g + ahead, 0);
      __builtin_prefetch(accumulator + ahead, 1);
      __builtin_prefetch(linear + ahead, 1);
    }
    const Index o = rows[i] * cols;
    for (Index j = o; j < o + cols; ++j) {
      FtrlCoordinate(w[j], g[j], accumulator[j], linear[j], inv_lr, l1, two_l2, two_l2_shrinkage);
    }
  }
}

void Ftrl::UpdateSpan(float* __restrict w, float* __restrict g, float* const* slots, Index n,
                      const UpdateContext& ctx) {
  const float lr = ctx.learning_rate;
  // The parameter's l1 and l2 are penalties on the mean loss; FTRL minimizes the sum of the t losses so
  // far, where the same penalty weighs t times as much.
  const double t = static_cast<double>(ctx.t);
  const float l1 = static_cast<float>(options_.l1 + t * ctx.l1);
  const float two_l2 = static_cast<float>(2.0 * (options_.l2 + t * ctx.l2));
  const float two_l2_shrinkage = static_cast<float>(2.0 * options_.l2_shrinkage);
  if (options_.learning_rate_power == -0.5) {
    FtrlSpan(w, g, slots[0], slots[1], n, lr, l1, two_l2, two_l2_shrinkage, [](float a) { return std::sqrt(a); });
  } else {
    const float exponent = static_cast<float>(-options_.learning_rate_power);
    FtrlSpan(w, g, slots[0], slots[1], n, lr, l1, two_l2, two_l2_shrinkage,
             [exponent](float a) { return std::pow(a, exponent); });
  }
}

}  // namespace lever
