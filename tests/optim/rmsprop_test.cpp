// RMSProp (plain, with momentum, centered), hand-worked.
#include "lever/optim/rmsprop.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"
#include "lever/io/state.h"
#include "lever/nn/parameter.h"
#include "testing/optimizer_testing.h"

namespace lever {
namespace {

using testing::SavedSlot;

// lr = 0.01, rho = 0.9, eps = 1e-7, w0 = 1, g = 1 then 0.5.
void TwoSteps(Rmsprop& rmsprop, Parameter& p, double expected1, double expected2) {
  p.value(0) = 1.0f;
  p.grad(0) = 1.0f;
  rmsprop.Step({&p});
  EXPECT_CLOSE(p.value(0), expected1);
  p.grad(0) = 0.5f;
  rmsprop.Step({&p});
  EXPECT_CLOSE(p.value(0), expected2);
}

TEST(RmspropTest, TwoSteps) {
  //   step 1: ms = 0.1*1 = 0.1; step = 0.01/sqrt(0.1000001) = 0.03162276; w = 1 - 0.03162276 = 0.96837724
  //   step 2: ms = 0.09 + 0.1*0.25 = 0.115; step = 0.01/sqrt(0.1150001) = 0.02948838;
  //           w = 0.96837724 - 0.5*0.02948838 = 0.95363305
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  Rmsprop rmsprop(ConstantSchedule(0.01));
  TwoSteps(rmsprop, p, 0.96837724, 0.95363305);
  EXPECT_CLOSE(SavedSlot(rmsprop, "w/ms")(0), 0.115);
}

TEST(RmspropTest, TwoStepsWithMomentum) {
  // momentum 0.5: step 1 as above (mom = 0.03162276); step 2: mom = 0.5*0.03162276 + 0.5*0.02948838
  // = 0.03055557, w = 0.96837724 - 0.03055557 = 0.93782167.
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  Rmsprop rmsprop(ConstantSchedule(0.01), {.momentum = 0.5});
  TwoSteps(rmsprop, p, 0.96837724, 0.93782167);
  EXPECT_CLOSE(SavedSlot(rmsprop, "w/mom")(0), 0.03055557);
}

TEST(RmspropTest, TwoStepsCentered) {
  //   step 1: ms = 0.1, mg = 0.1*1 = 0.1, denom = 0.1 - 0.01 = 0.09; step = 0.01/sqrt(0.0900001) = 0.03333331;
  //           w = 1 - 0.03333331 = 0.96666669
  //   step 2: ms = 0.115, mg = 0.09 + 0.05 = 0.14, denom = 0.115 - 0.0196 = 0.0954;
  //           step = 0.01/sqrt(0.0954001) = 0.03237618; w = 0.96666669 - 0.5*0.03237618 = 0.95047860
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  Rmsprop rmsprop(ConstantSchedule(0.01), {.centered = true});
  TwoSteps(rmsprop, p, 0.96666669, 0.95047860);
  EXPECT_CLOSE(SavedSlot(rmsprop, "w/mg")(0), 0.14);
}

TEST(RmspropTest, L1DrivesSmallWeightToExactZero) {
  // lr = 0.01, l1 = 1; threshold lr * l1 / sqrt(ms + eps).
  //   w = 0.001, g = 0.01: ms = 1e-5, step = 0.01/sqrt(1.01e-5) = 3.1465839;
  //                        0.001 - 0.031465839 = -0.030465839, threshold 3.1465839 -> 0
  //   w = 0.5, g = -10:    ms = 10, step = 0.01/sqrt(10.0000001) = 0.0031622776;
  //                        0.5 + 0.031622776 = 0.53162278, threshold 0.0031622776 -> 0.52846050
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 2);
  p.l1 = 1.0;
  p.value << 0.001f, 0.5f;
  p.grad << 0.01f, -10.0f;
  Rmsprop rmsprop(ConstantSchedule(0.01));
  rmsprop.Step({&p});
  EXPECT_EQ(p.value(0), 0.0f);
  EXPECT_CLOSE(p.value(1), 0.52846050);
}

TEST(RmspropTest, RowSparseGradientUpdatesOnlyTouchedRows) {
  ParameterStore store;
  Parameter& p = store.Create("embedding", 3, 1);
  p.value.setConstant(1.0f);
  p.grad.setConstant(1.0f);
  p.sparse_grad = true;
  p.touched.Assign({1});
  Rmsprop rmsprop(ConstantSchedule(0.01));
  rmsprop.Step({&p});
  const Tensor ms = SavedSlot(rmsprop, "embedding/ms");
  EXPECT_EQ(p.value(0), 1.0f);
  EXPECT_CLOSE(p.value(1), 0.96837724);
  EXPECT_EQ(p.value(2), 1.0f);
  EXPECT_EQ(ms(0), 0.0f);
  EXPECT_CLOSE(ms(1), 0.1);
  EXPECT_EQ(ms(2), 0.0f);
}

TEST(RmspropTest, RejectsInvalidOptions) {
  EXPECT_THROW(Rmsprop(ConstantSchedule(0.01), {.rho = 1.0}), ConfigError);
  EXPECT_THROW(Rmsprop(ConstantSchedule(0.01), {.momentum = -0.1}), ConfigError);
  EXPECT_THROW(Rmsprop(ConstantSchedule(0.01), {.epsilon = 0.0}), ConfigError);
  try {
    Rmsprop(ConstantSchedule(0.01), {.momentum = 1.0});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, "rmsprop: momentum must be in [0, 1), got 1", e.what());
  }
}

TEST(RmspropTest, Describe) {
  EXPECT_EQ(Rmsprop(ConstantSchedule(0.001)).Describe(),
            "RMSprop(learning_rate=0.001, rho=0.9, momentum=0, epsilon=1e-07, centered=false)");
}

}  // namespace
}  // namespace lever
