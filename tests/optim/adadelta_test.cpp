// AdaDelta, hand-worked.
#include "lever/optim/adadelta.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"
#include "lever/io/state.h"
#include "lever/nn/parameter.h"
#include "testing/optimizer_testing.h"

namespace lever {
namespace {

using testing::SavedSlot;

TEST(AdadeltaTest, TwoSteps) {
  // lr = 1 (Zeiler), rho = 0.5, eps = 0.01, w0 = 1, g = 1 twice.
  //   step 1: s = 0.5*0 + 0.5*1 = 0.5; ratio = sqrt(0 + 0.01)/sqrt(0.51) = 0.1/0.71414284 = 0.14002801;
  //           u = 0.14002801; d = 0.5*0.14002801^2 = 0.00980392; w = 1 - 0.14002801 = 0.85997199
  //   step 2: s = 0.25 + 0.5 = 0.75; ratio = sqrt(0.01980392)/sqrt(0.76) = 0.14072641/0.87177979 = 0.16142426;
  //           d = 0.5*0.00980392 + 0.5*0.16142426^2 = 0.01793086; w = 0.85997199 - 0.16142426 = 0.69854773
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  p.value(0) = 1.0f;
  Adadelta adadelta(ConstantSchedule(1.0), {.rho = 0.5, .epsilon = 0.01});
  p.grad(0) = 1.0f;
  adadelta.Step({&p});
  EXPECT_CLOSE(p.value(0), 0.85997199);
  EXPECT_CLOSE(SavedSlot(adadelta, "w/delta_accumulator")(0), 0.00980392157);
  p.grad(0) = 1.0f;
  adadelta.Step({&p});
  EXPECT_CLOSE(p.value(0), 0.69854773);
  EXPECT_CLOSE(SavedSlot(adadelta, "w/accumulator")(0), 0.75);
  EXPECT_CLOSE(SavedSlot(adadelta, "w/delta_accumulator")(0), 0.01793086);
}

TEST(AdadeltaTest, DefaultsOneStep) {
  // rho = 0.95, eps = 1e-7, lr = 1, g = 2: s = 0.05*4 = 0.2;
  // ratio = sqrt(1e-7)/sqrt(0.2000001) = 3.1622777e-4/0.44721371 = 7.0710661e-4; u = 1.4142132e-3;
  // w = 1 - 0.0014142132 = 0.99858579.
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  p.value(0) = 1.0f;
  p.grad(0) = 2.0f;
  Adadelta adadelta(ConstantSchedule(1.0));
  adadelta.Step({&p});
  EXPECT_CLOSE(p.value(0), 0.99858579);
}

TEST(AdadeltaTest, L1DrivesSmallWeightToExactZero) {
  // lr = 1, rho = 0.95, eps = 1e-6, l1 = 0.1; threshold lr * l1 * ratio with ratio = sqrt(d + eps)/sqrt(s + eps).
  //   w = 0.001, g = 0.01: s = 0.05*1e-4 = 5e-6, ratio = sqrt(1e-6/6e-6) = 0.40824829, u = 0.00408248;
  //                        0.001 - 0.00408248 = -0.00308248, threshold 0.04082483 -> 0
  //   w = 0.5, g = -10:    s = 5, ratio = sqrt(1e-6/5.000001) = 4.4721355e-4, u = -4.4721355e-3;
  //                        0.5 + 0.0044721355 = 0.50447214, threshold 4.4721355e-5 -> 0.50442741
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 2);
  p.l1 = 0.1;
  p.value << 0.001f, 0.5f;
  p.grad << 0.01f, -10.0f;
  Adadelta adadelta(ConstantSchedule(1.0), {.rho = 0.95, .epsilon = 1e-6});
  adadelta.Step({&p});
  EXPECT_EQ(p.value(0), 0.0f);
  EXPECT_CLOSE(p.value(1), 0.50442741);
}

TEST(AdadeltaTest, RowSparseGradientUpdatesOnlyTouchedRows) {
  ParameterStore store;
  Parameter& p = store.Create("embedding", 3, 1);
  p.value.setConstant(1.0f);
  p.grad.setConstant(2.0f);
  p.sparse_grad = true;
  p.touched.Assign({1});
  Adadelta adadelta(ConstantSchedule(1.0));
  adadelta.Step({&p});
  const Tensor accumulator = SavedSlot(adadelta, "embedding/accumulator");
  EXPECT_EQ(p.value(0), 1.0f);
  EXPECT_CLOSE(p.value(1), 0.99858579);  // as in DefaultsOneStep
  EXPECT_EQ(p.value(2), 1.0f);
  EXPECT_EQ(accumulator(0), 0.0f);
  EXPECT_CLOSE(accumulator(1), 0.2);
  EXPECT_EQ(accumulator(2), 0.0f);
}

TEST(AdadeltaTest, RejectsInvalidOptions) {
  EXPECT_THROW(Adadelta(ConstantSchedule(1.0), {.rho = 1.0}), ConfigError);
  EXPECT_THROW(Adadelta(ConstantSchedule(1.0), {.rho = -0.5}), ConfigError);
  EXPECT_THROW(Adadelta(ConstantSchedule(1.0), {.epsilon = 0.0}), ConfigError);
  try {
    Adadelta(ConstantSchedule(1.0), {.rho = 1.5});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, "adadelta: rho must be in [0, 1), got 1.5", e.what());
  }
}

TEST(AdadeltaTest, Describe) {
  EXPECT_EQ(Adadelta(ConstantSchedule(1.0)).Describe(), "Adadelta(learning_rate=1, rho=0.95, epsilon=1e-07)");
}

}  // namespace
}  // namespace lever
