#pragma once
#include "lever/optim/optimizer.h"

namespace lever {

struct AdamOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
};

/// Adam (Kingma and Ba 2015, Algorithm 1): m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
/// w <- w - lr * mhat / (sqrt(vhat) + eps) with mhat = m / (1 - b1^t), vhat = v / (1 - b2^t).
/// L1 as soft thresholding at lr * l1 / (sqrt(vhat) + eps), the step size in Adam's own metric.
/// For row-sparse gradients only the touched rows' moments are updated ("lazy Adam"); the bias
/// correction uses the global step count.
class Adam : public Optimizer {
 public:
  Adam(std::shared_ptr<LearningRateSchedule> schedule, AdamOptions options = {});
  std::string Name() const override { return "adam"; }
  std::string Describe() const override;

 protected:
  std::vector<std::string> SlotNames() const override { return {"m", "v"}; }
  void UpdateSpan(float* w, float* g, float* const* slots, Index n, const UpdateContext& ctx) override;

  AdamOptions options_;
};

struct AdamWOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double weight_decay = 0.01;  // PyTorch's AdamW default
};

/// AdamW (Loshchilov and Hutter 2019, decoupled weight decay), as PyTorch's torch.optim.AdamW computes it:
/// w <- w - lr * weight_decay * w, then Adam's step. The decay does not pass through the moments, unlike
/// L2 added to the gradient. In src/optim/adamw.cpp.
class AdamW : public Adam {
 public:
  AdamW(std::shared_ptr<LearningRateSchedule> schedule, AdamWOptions options = {});
  std::string Name() const override { return "adamw"; }
  std::string Describe() const override;

 protected:
  void UpdateSpan(float* w, float* g, float* const* slots, Index n, const UpdateContext& ctx) override;

 private:
  double weight_decay_;
};

}  // namespace lever
