// AdamW, hand-worked: Adam's steps (tests/optim/adam_test.cpp) plus decoupled weight decay.
#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"
#include "lever/nn/parameter.h"
#include "lever/optim/adam.h"
#include "lever/optim/registry.h"
#include "testing/optimizer_testing.h"

namespace lever {
namespace {

using testing::SavedSlot;

TEST(AdamWTest, ThreeSteps) {
  // lr = 0.1, weight_decay = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, w0 = 1, g = 2, -1, 0.5.
  // PyTorch's AdamW: w <- w - lr*wd*w, then w <- w - lr*mhat/(sqrt(vhat) + eps). The Adam steps are those
  // of AdamTest.ThreeSteps: 0.1 (to 1e-8), 0.02663370, 0.03404291; the decay removes 0.001 w each step.
  //   step 1: w = 1 - 0.001*1 - 0.1 = 0.899
  //   step 2: w = 0.899 - 0.000899 - 0.02663370 = 0.87146730
  //   step 3: w = 0.87146730 - 0.00087146730 - 0.03404291 = 0.83655291
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  p.value(0) = 1.0f;
  AdamW adamw(ConstantSchedule(0.1));
  const float gradients[] = {2.0f, -1.0f, 0.5f};
  const double expected[] = {0.899, 0.87146730, 0.83655291};
  for (int k = 0; k < 3; ++k) {
    p.grad(0) = gradients[k];
    adamw.Step({&p});
    EXPECT_CLOSE(p.value(0), expected[k]);
  }
  // The moments are Adam's: the decay does not pass through them.
  EXPECT_CLOSE(SavedSlot(adamw, "w/m")(0), 0.122);
  EXPECT_CLOSE(SavedSlot(adamw, "w/v")(0), 0.005241004);
}

TEST(AdamWTest, ZeroWeightDecayIsAdam) {
  ParameterStore store;
  Parameter& a = store.Create("a", 1, 1);
  Parameter& b = store.Create("b", 1, 1);
  a.value(0) = b.value(0) = 1.0f;
  Adam adam(ConstantSchedule(0.1));
  AdamW adamw(ConstantSchedule(0.1), {.weight_decay = 0.0});
  for (float g : {2.0f, -1.0f, 0.5f}) {
    a.grad(0) = b.grad(0) = g;
    adam.Step({&a});
    adamw.Step({&b});
    EXPECT_EQ(a.value(0), b.value(0));
  }
}

TEST(AdamWTest, RegisteredWithPyTorchDefaults) {
  const auto defaults = OptimizerDefaults("adamw");
  EXPECT_EQ(defaults.at("weight_decay"), 0.01);
  EXPECT_EQ(defaults.at("beta1"), 0.9);
  EXPECT_EQ(defaults.at("beta2"), 0.999);
  EXPECT_EQ(defaults.at("epsilon"), 1e-8);
  OptimizerSpec spec;
  spec.name = "adamw";
  spec.learning_rate = 0.001;
  spec.options = {{"weight_decay", 0.1}};
  auto optimizer = MakeOptimizer(spec);
  EXPECT_EQ(optimizer->Describe(),
            "AdamW(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08, weight_decay=0.1)");
}

TEST(AdamWTest, RejectsNegativeWeightDecay) {
  EXPECT_THROW(AdamW(ConstantSchedule(0.1), {.weight_decay = -0.01}), ConfigError);
  EXPECT_THROW(AdamW(ConstantSchedule(0.1), {.beta1 = 1.0}), ConfigError);
}

}  // namespace
}  // namespace lever
