#pragma once
#include "lever/optim/optimizer.h"

namespace lever {

/// Stochastic gradient descent: w <- w - lr g. With L1, followed by soft thresholding at lr * l1
/// (proximal gradient descent), which leaves exact zeros.
class Sgd : public Optimizer {
 public:
  explicit Sgd(std::shared_ptr<LearningRateSchedule> schedule);
  std::string Name() const override { return "sgd"; }
  std::string Describe() const override;

 protected:
  std::vector<std::string> SlotNames() const override { return {}; }
  void UpdateSpan(float* w, float* g, float* const* slots, Index n, const UpdateContext& ctx) override;
};

}  // namespace lever
