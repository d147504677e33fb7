#pragma once
#include <cmath>

#include "lever/optim/optimizer.h"

namespace lever {

struct FtrlOptions {
  double learning_rate_power = -0.5;
  double initial_accumulator_value = 0.1;
  double l1 = 0.0;
  double l2 = 0.0;
  double l2_shrinkage = 0.0;
};

/// FTRL-Proximal (McMahan et al., "Ad Click Prediction: a View from the Trenches", KDD 2013), in
/// TensorFlow's kernel form, per coordinate with accumulator n and linear term z:
///   g' = g + 2 l2_shrinkage w;  n' = n + g^2;
///   z <- z + g' - (n'^(-p) - n^(-p)) / lr * w          (p = learning_rate_power, -0.5 in the paper)
///   w <- (sign(z) l1 - z) / (n'^(-p) / lr + 2 l2)  if |z| > l1, else 0;   n <- n'.
/// The optimizer's l1 and l2 are TensorFlow's: penalties on the sum of all losses so far, so their weight
/// per example fades as training goes on. A parameter's own l1 and l2 (Parameter::l1, ::l2) are penalties
/// on the mean loss like every other optimizer's, and enter as t * l1 and t * l2 at update t, so that the
/// same regularizer means the same objective whichever optimizer minimizes it. With p = -0.5 this is the
/// paper's Algorithm 1 with alpha = lr, beta = 0 and lambda2 = 2 l2.
/// One coordinate of the update above with p = -0.5 (the paper's): w, accumulator n and linear term z
/// are updated in place from gradient g. `inv_lr` is 1 / learning rate.
inline void FtrlCoordinate(float& w, float g, float& n, float& z, float inv_lr, float l1, float two_l2,
                           float two_l2_shrinkage) {
  const float g_shrunk = g + two_l2_shrinkage * w;
  const float n_new = n + g * g;
  const float sqrt_new = std::sqrt(n_new);
  z += g_shrunk - (sqrt_new - std::sqrt(n)) * inv_lr * w;
  const float candidate = (std::copysign(l1, z) - z) / (sqrt_new * inv_lr + two_l2);
  w = std::fabs(z) > l1 ? candidate : 0.0f;
  n = n_new;
}

/// The same update keeping s = sqrt(n) instead of n (one square root per update instead of two): the
/// fused wide-model kernel's form. Equal to FtrlCoordinate up to rounding.
inline void FtrlCoordinateSqrt(float& w, float g, float& s, float& z, float inv_lr, float l1, float two_l2,
                               float two_l2_shrinkage) {
  const float g_shrunk = g + two_l2_shrinkage * w;
  const float s_new = std::sqrt(s * s + g * g);
  z += g_shrunk - (s_new - s) * inv_lr * w;
  const float candidate = (std::copysign(l1, z) - z) / (s_new * inv_lr + two_l2);
  w = std::fabs(z) > l1 ? candidate : 0.0f;
  s = s_new;
}

class Ftrl : public Optimizer {
 public:
  Ftrl(std::shared_ptr<LearningRateSchedule> schedule, FtrlOptions options = {});
  std::string Name() const override { return "ftrl"; }
  std::string Describe() const override;
  const FtrlOptions& options() const { return options_; }

 protected:
  std::vector<std::string> SlotNames() const override { return {"accumulator", "linear"}; }
  float SlotInitialValue(int slot) const override {
    return slot == 0 ? static_cast<float>(options_.initial_accumulator_value) : 0.0f;
  }
  bool HandlesL2() const override { return true; }
  void UpdateSpan(float* w, float* g, float* const* slots, Index n, const UpdateContext& ctx) override;
  void UpdateRows(float* w, float* g, float* const* slots, size_t nslots, Index cols, const std::vector<Index>& rows,
                  const UpdateContext& ctx) override;

 private:
  FtrlOptions options_;
};

}  // namespace lever
