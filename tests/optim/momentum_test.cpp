// Momentum and Nesterov momentum, hand-worked.
#include "lever/optim/momentum.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"
#include "lever/io/state.h"
#include "lever/nn/parameter.h"
#include "testing/optimizer_testing.h"

namespace lever {
namespace {

using testing::SavedSlot;

TEST(MomentumTest, ThreeStepsWithConstantGradient) {
  // lr = 0.1, momentum = 0.9, g = 1 each step, w0 = 1. a <- 0.9 a + g; w <- w - 0.1 a.
  //   step 1: a = 1,    w = 1 - 0.1        = 0.9
  //   step 2: a = 1.9,  w = 0.9 - 0.19     = 0.71
  //   step 3: a = 2.71, w = 0.71 - 0.271   = 0.439
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  p.value(0) = 1.0f;
  Momentum momentum(ConstantSchedule(0.1), {.momentum = 0.9, .nesterov = false});
  const double expected[] = {0.9, 0.71, 0.439};
  for (double e : expected) {
    p.grad(0) = 1.0f;
    momentum.Step({&p});
    EXPECT_CLOSE(p.value(0), e);
  }
  EXPECT_CLOSE(SavedSlot(momentum, "w/accumulator")(0), 2.71);
}

TEST(MomentumTest, NesterovLooksAhead) {
  // Same setting; w <- w - 0.1 (g + 0.9 a) with the new a.
  //   step 1: a = 1,    w = 1 - 0.1 (1 + 0.9)        = 0.81
  //   step 2: a = 1.9,  w = 0.81 - 0.1 (1 + 1.71)    = 0.539
  //   step 3: a = 2.71, w = 0.539 - 0.1 (1 + 2.439)  = 0.1951
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  p.value(0) = 1.0f;
  Momentum nesterov(ConstantSchedule(0.1), {.momentum = 0.9, .nesterov = true});
  const double expected[] = {0.81, 0.539, 0.1951};
  for (double e : expected) {
    p.grad(0) = 1.0f;
    nesterov.Step({&p});
    EXPECT_CLOSE(p.value(0), e);
  }
  EXPECT_CLOSE(SavedSlot(nesterov, "w/accumulator")(0), 2.71);
}

TEST(MomentumTest, L1DrivesSmallWeightToExactZero) {
  // lr = 0.1, l1 = 0.5: threshold 0.05 after the step. First step: a = g.
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 2);
  p.l1 = 0.5;
  p.value << 0.03f, 0.03f;
  p.grad << 0.01f, -5.0f;
  Momentum momentum(ConstantSchedule(0.1));
  momentum.Step({&p});
  EXPECT_EQ(p.value(0), 0.0f);     // 0.03 - 0.001 = 0.029 -> 0
  EXPECT_CLOSE(p.value(1), 0.48);  // 0.03 + 0.5 = 0.53 -> 0.48
}

TEST(MomentumTest, RowSparseGradientUpdatesOnlyTouchedRows) {
  ParameterStore store;
  Parameter& p = store.Create("embedding", 3, 2);
  p.grad.setConstant(1.0f);
  p.sparse_grad = true;
  p.touched.Assign({1});
  Momentum momentum(ConstantSchedule(0.1));
  momentum.Step({&p});
  const Tensor accumulator = SavedSlot(momentum, "embedding/accumulator");
  for (Index c = 0; c < 2; ++c) {
    EXPECT_EQ(p.value(0, c), 0.0f);
    EXPECT_CLOSE(p.value(1, c), -0.1);  // a = 1, w = 0 - 0.1
    EXPECT_EQ(p.value(2, c), 0.0f);
    EXPECT_EQ(accumulator(0, c), 0.0f);
    EXPECT_EQ(accumulator(1, c), 1.0f);
    EXPECT_EQ(accumulator(2, c), 0.0f);
  }
}

TEST(MomentumTest, RejectsMomentumOutsideUnitInterval) {
  for (double bad : {-0.1, 1.0, 1.5, std::nan("")}) {
    EXPECT_THROW(Momentum(ConstantSchedule(0.1), {.momentum = bad}), ConfigError) << bad;
  }
  try {
    Momentum(ConstantSchedule(0.1), {.momentum = 1.5});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, "momentum: momentum must be in [0, 1), got 1.5", e.what());
  }
}

TEST(MomentumTest, NameAndDescribe) {
  Momentum momentum(ConstantSchedule(0.1), {.momentum = 0.9, .nesterov = false});
  Momentum nesterov(ConstantSchedule(0.1), {.momentum = 0.5, .nesterov = true});
  EXPECT_EQ(momentum.Name(), "momentum");
  EXPECT_EQ(nesterov.Name(), "nesterov");
  EXPECT_EQ(momentum.Describe(), "Momentum(learning_rate=0.1, momentum=0.9, nesterov=false)");
  EXPECT_EQ(nesterov.Describe(), "Momentum(learning_rate=0.1, momentum=0.5, nesterov=true)");
}

}  // namespace
}  // namespace lever
