#pragma once
#include "lever/optim/optimizer.h"

namespace lever {

struct RmspropOptions {
  double rho = 0.9;
  double momentum = 0.0;
  double epsilon = 1e-7;
  bool centered = false;
};

/// RMSProp (Tieleman and Hinton 2012; TensorFlow's kernel form):
///   ms <- rho ms + (1 - rho) g^2;  centered: mg <- rho mg + (1 - rho) g, denom = ms - mg^2, else denom = ms;
///   mom <- momentum mom + lr g / sqrt(denom + eps);  w <- w - mom.
/// L1 as soft thresholding at lr * l1 / sqrt(denom + eps).
class Rmsprop : public Optimizer {
 public:
  Rmsprop(std::shared_ptr<LearningRateSchedule> schedule, RmspropOptions options = {});
  std::string Name() const override { return "rmsprop"; }
  std::string Describe() const override;

 protected:
  std::vector<std::string> SlotNames() const override { return {"ms", "mom", "mg"}; }
  void UpdateSpan(float* w, float* g, float* const* slots, Index n, const UpdateContext& ctx) override;

 private:
  RmspropOptions options_;
};

}  // namespace lever
