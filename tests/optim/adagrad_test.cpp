// AdaGrad, hand-worked.
#include "lever/optim/adagrad.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"
#include "lever/io/state.h"
#include "lever/nn/parameter.h"
#include "testing/optimizer_testing.h"

namespace lever {
namespace {

using testing::SavedSlot;

TEST(AdagradTest, ThreeStepsWithSquareAccumulators) {
  // initial accumulator 0 so that s is a perfect square; lr = 0.1, w0 = 1, g = 3, 4, 12.
  // (eps = 1e-7 changes each step by < 1e-8.)
  //   step 1: s = 9,   w = 1 - 0.1*3/3      = 0.9
  //   step 2: s = 25,  w = 0.9 - 0.1*4/5    = 0.82
  //   step 3: s = 169, w = 0.82 - 0.1*12/13 = 0.82 - 0.0923077 = 0.7276923
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  p.value(0) = 1.0f;
  Adagrad adagrad(ConstantSchedule(0.1), {.initial_accumulator_value = 0.0, .epsilon = 1e-7});
  const float gradients[] = {3.0f, 4.0f, 12.0f};
  const double expected[] = {0.9, 0.82, 0.7276923};
  for (int k = 0; k < 3; ++k) {
    p.grad(0) = gradients[k];
    adagrad.Step({&p});
    EXPECT_CLOSE(p.value(0), expected[k]);
  }
  EXPECT_CLOSE(SavedSlot(adagrad, "w/accumulator")(0), 169.0);
}

TEST(AdagradTest, StartsFromInitialAccumulator) {
  // Defaults: s0 = 0.1. g = 0.3: s = 0.1 + 0.09 = 0.19, sqrt(s) = 0.43588989,
  // w = 1 - 0.1*0.3/0.43588989 = 1 - 0.06882470 = 0.93117530.
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  p.value(0) = 1.0f;
  p.grad(0) = 0.3f;
  Adagrad adagrad(ConstantSchedule(0.1));
  adagrad.Step({&p});
  EXPECT_CLOSE(p.value(0), 0.93117530);
  EXPECT_CLOSE(SavedSlot(adagrad, "w/accumulator")(0), 0.19);
}

TEST(AdagradTest, L1DrivesSmallWeightToExactZero) {
  // lr = 0.1, l1 = 1, s0 = 0; threshold lr * l1 / sqrt(s).
  //   w = 0.01, g = 0.1: s = 0.01, step = 0.1/0.1 = 1; 0.01 - 0.1 = -0.09, threshold 1   -> 0
  //   w = 0.5,  g = -20: s = 400,  step = 0.1/20 = 0.005; 0.5 + 0.1 = 0.6, threshold 0.005 -> 0.595
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 2);
  p.l1 = 1.0;
  p.value << 0.01f, 0.5f;
  p.grad << 0.1f, -20.0f;
  Adagrad adagrad(ConstantSchedule(0.1), {.initial_accumulator_value = 0.0, .epsilon = 1e-7});
  adagrad.Step({&p});
  EXPECT_EQ(p.value(0), 0.0f);
  EXPECT_CLOSE(p.value(1), 0.595);
}

TEST(AdagradTest, RowSparseGradientUpdatesOnlyTouchedRows) {
  ParameterStore store;
  Parameter& p = store.Create("embedding", 3, 2);
  p.grad.setConstant(0.3f);
  p.sparse_grad = true;
  p.touched.Assign({1});
  Adagrad adagrad(ConstantSchedule(0.1));
  adagrad.Step({&p});
  const Tensor accumulator = SavedSlot(adagrad, "embedding/accumulator");
  for (Index c = 0; c < 2; ++c) {
    EXPECT_EQ(p.value(0, c), 0.0f);
    EXPECT_CLOSE(p.value(1, c), -0.06882470);  // as in StartsFromInitialAccumulator, from 0
    EXPECT_EQ(p.value(2, c), 0.0f);
    EXPECT_EQ(accumulator(0, c), 0.1f);
    EXPECT_CLOSE(accumulator(1, c), 0.19);
    EXPECT_EQ(accumulator(2, c), 0.1f);
  }
}

TEST(AdagradTest, RejectsInvalidOptions) {
  EXPECT_THROW(Adagrad(ConstantSchedule(0.1), {.initial_accumulator_value = -0.1}), ConfigError);
  EXPECT_THROW(Adagrad(ConstantSchedule(0.1), {.epsilon = -1e-7}), ConfigError);
  EXPECT_THROW(Adagrad(ConstantSchedule(0.1), {.initial_accumulator_value = 0.0, .epsilon = 0.0}), ConfigError);
  EXPECT_NO_THROW(Adagrad(ConstantSchedule(0.1), {.initial_accumulator_value = 0.1, .epsilon = 0.0}));
  try {
    Adagrad(ConstantSchedule(0.1), {.initial_accumulator_value = -2.0});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, "adagrad: initial_accumulator_value must be in [0, inf), got -2",
                        e.what());
  }
}

TEST(AdagradTest, Describe) {
  EXPECT_EQ(Adagrad(ConstantSchedule(0.05)).Describe(),
            "Adagrad(learning_rate=0.05, initial_accumulator_value=0.1, epsilon=1e-07)");
}

}  // namespace
}  // namespace lever
