#pragma once
#include "lever/optim/optimizer.h"

namespace lever {

struct AdagradOptions {
  double initial_accumulator_value = 0.1;  // TensorFlow and Keras
  double epsilon = 1e-7;
};

/// AdaGrad (Duchi, Hazan and Singer 2011): s <- s + g^2; w <- w - lr g / (sqrt(s) + eps).
/// L1 as soft thresholding at the per-coordinate step lr * l1 / (sqrt(s) + eps) (proximal AdaGrad).
class Adagrad : public Optimizer {
 public:
  Adagrad(std::shared_ptr<LearningRateSchedule> schedule, AdagradOptions options = {});
  std::string Name() const override { return "adagrad"; }
  std::string Describe() const override;

 protected:
  std::vector<std::string> SlotNames() const override { return {"accumulator"}; }
  float SlotInitialValue(int) const override { return static_cast<float>(options_.initial_accumulator_value); }
  void UpdateSpan(float* w, float* g, float* const* slots, Index n, const UpdateContext& ctx) override;

 private:
  AdagradOptions options_;
};

}  // namespace lever
