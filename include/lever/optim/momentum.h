#pragma once
#include "lever/optim/optimizer.h"

namespace lever {

struct MomentumOptions {
  double momentum = 0.9;
  bool nesterov = false;
};

/// Momentum (Polyak 1964; TensorFlow's form): a <- momentum a + g; w <- w - lr a.
/// Nesterov (Sutskever et al. 2013, as TensorFlow applies it): w <- w - lr (g + momentum a) with the new a.
/// L1 as soft thresholding at lr * l1 after the step.
class Momentum : public Optimizer {
 public:
  Momentum(std::shared_ptr<LearningRateSchedule> schedule, MomentumOptions options = {});
  std::string Name() const override { return options_.nesterov ? "nesterov" : "momentum"; }
  std::string Describe() const override;

 protected:
  std::vector<std::string> SlotNames() const override { return {"accumulator"}; }
  void UpdateSpan(float* w, float* g, float* const* slots, Index n, const UpdateContext& ctx) override;

 private:
  MomentumOptions options_;
};

}  // namespace lever
