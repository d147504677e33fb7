#pragma once
#include "lever/optim/optimizer.h"

namespace lever {

struct AdadeltaOptions {
  double rho = 0.95;
  double epsilon = 1e-7;
};

/// AdaDelta (Zeiler 2012): s <- rho s + (1 - rho) g^2;  u = sqrt(d + eps) / sqrt(s + eps) * g;
/// d <- rho d + (1 - rho) u^2;  w <- w - lr u. (Zeiler's algorithm has lr = 1; Keras and TensorFlow
/// keep a learning rate.) L1 as soft thresholding at lr * l1 * sqrt(d + eps) / sqrt(s + eps).
class Adadelta : public Optimizer {
 public:
  Adadelta(std::shared_ptr<LearningRateSchedule> schedule, AdadeltaOptions options = {});
  std::string Name() const override { return "adadelta"; }
  std::string Describe() const override;

 protected:
  std::vector<std::string> SlotNames() const override { return {"accumulator", "delta_accumulator"}; }
  void UpdateSpan(float* w, float* g, float* const* slots, Index n, const UpdateContext& ctx) override;

 private:
  AdadeltaOptions options_;
};

}  // namespace lever
