// SGD, and through it the base class: L2, row-sparse gradients, trainable flags and schedules.
// Expected values are worked out by hand in the comments.
#include "lever/optim/sgd.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/nn/parameter.h"
#include "lever/optim/schedule.h"
#include "testing/optimizer_testing.h"

namespace lever {
namespace {

TEST(SgdTest, ThreeStepsOnQuadratic) {
  // f(w) = 0.5 w^2, so g = w; lr = 0.1 gives w <- 0.9 w.
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  p.value(0) = 2.0f;
  Sgd sgd(ConstantSchedule(0.1));
  const double expected[] = {1.8, 1.62, 1.458};  // 2 - 0.2; 1.8 - 0.18; 1.62 - 0.162
  for (double e : expected) {
    p.grad(0) = p.value(0);
    sgd.Step({&p});
    EXPECT_CLOSE(p.value(0), e);
  }
  EXPECT_EQ(sgd.iterations(), 3);
}

TEST(SgdTest, FixedGradientsPerCoordinate) {
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 2);
  p.value << 1.0f, -2.0f;
  p.grad << 0.5f, -1.0f;
  Sgd sgd(ConstantSchedule(0.1));
  sgd.Step({&p});
  EXPECT_CLOSE(p.value(0), 0.95);  // 1 - 0.1*0.5
  EXPECT_CLOSE(p.value(1), -1.9);  // -2 + 0.1*1
}

TEST(SgdTest, L1DrivesSmallWeightToExactZero) {
  // lr = 0.1, l1 = 0.5: threshold lr * l1 = 0.05.
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 2);
  p.l1 = 0.5;
  p.value << 0.03f, 0.03f;
  p.grad << 0.01f, -5.0f;
  Sgd sgd(ConstantSchedule(0.1));
  sgd.Step({&p});
  EXPECT_EQ(p.value(0), 0.0f);     // 0.03 - 0.001 = 0.029, |0.029| <= 0.05 -> 0
  EXPECT_CLOSE(p.value(1), 0.48);  // 0.03 + 0.5 = 0.53, minus 0.05
  EXPECT_EQ(p.CountNonzero(), 1);
}

TEST(SgdTest, L2IsAddedToTheGradient) {
  // g' = g + 2 * l2 * w = 0 + 2 * 0.5 * 1 = 1; w = 1 - 0.1 * 1 = 0.9.
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  p.l2 = 0.5;
  p.value(0) = 1.0f;
  Sgd sgd(ConstantSchedule(0.1));
  sgd.Step({&p});
  EXPECT_CLOSE(p.value(0), 0.9);
}

TEST(SgdTest, RowSparseGradientUpdatesOnlyTouchedRows) {
  ParameterStore store;
  Parameter& p = store.Create("embedding", 3, 2);
  p.value.setConstant(1.0f);
  p.grad.setConstant(1.0f);  // untouched rows' gradients must be ignored
  p.sparse_grad = true;
  p.touched.Assign({1});
  Sgd sgd(ConstantSchedule(0.1));
  sgd.Step({&p});
  for (Index c = 0; c < 2; ++c) {
    EXPECT_EQ(p.value(0, c), 1.0f);
    EXPECT_CLOSE(p.value(1, c), 0.9);  // 1 - 0.1 * 1
    EXPECT_EQ(p.value(2, c), 1.0f);
  }
}

TEST(SgdTest, SkipsNonTrainableParameters) {
  ParameterStore store;
  Parameter& p = store.Create("frozen", 1, 1);
  p.value(0) = 1.0f;
  p.grad(0) = 1.0f;
  p.trainable = false;
  Sgd sgd(ConstantSchedule(0.1));
  sgd.Step({&p});
  EXPECT_EQ(p.value(0), 1.0f);
}

TEST(SgdTest, FollowsTheSchedule) {
  // Step 0 uses 0.1, step 1 (== boundary) uses 0.01. g = 1: w = 1 - 0.1 = 0.9, then 0.9 - 0.01 = 0.89.
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 1);
  p.value(0) = 1.0f;
  Sgd sgd(StepSchedule({1}, {0.1, 0.01}));
  EXPECT_DOUBLE_EQ(sgd.current_learning_rate(), 0.1);
  p.grad(0) = 1.0f;
  sgd.Step({&p});
  EXPECT_CLOSE(p.value(0), 0.9);
  EXPECT_DOUBLE_EQ(sgd.current_learning_rate(), 0.01);
  p.grad(0) = 1.0f;
  sgd.Step({&p});
  EXPECT_CLOSE(p.value(0), 0.89);
}

TEST(SgdTest, Describe) {
  EXPECT_EQ(Sgd(ConstantSchedule(0.1)).Describe(), "SGD(learning_rate=0.1)");
  EXPECT_EQ(Sgd(ConstantSchedule(0.1)).Name(), "sgd");
}

}  // namespace
}  // namespace lever
