// Gradient clipping by global norm and by value.
#include "lever/optim/clipping.h"

#include <gtest/gtest.h>

#include <limits>

#include "lever/error.h"

namespace lever {
namespace {

// Gradients {3, 4} and {12}: global norm sqrt(9 + 16 + 144) = 13.
struct TwoParameters {
  ParameterStore store;
  Parameter& a = store.Create("a", 1, 2);
  Parameter& b = store.Create("b", 1, 1);
  TwoParameters() {
    a.grad << 3.0f, 4.0f;
    b.grad << 12.0f;
  }
  ParameterList list() { return {&a, &b}; }
};

TEST(ClippingTest, GlobalNormOfAllGradients) {
  TwoParameters params;
  EXPECT_DOUBLE_EQ(GlobalGradientNorm(params.list()), 13.0);
}

TEST(ClippingTest, GlobalNormScalesWhenAbove) {
  // clip_norm 6.5: scale 6.5/13 = 0.5.
  TwoParameters params;
  EXPECT_DOUBLE_EQ(ClipByGlobalNorm(params.list(), 6.5), 13.0);
  EXPECT_FLOAT_EQ(params.a.grad(0), 1.5f);
  EXPECT_FLOAT_EQ(params.a.grad(1), 2.0f);
  EXPECT_FLOAT_EQ(params.b.grad(0), 6.0f);
  EXPECT_NEAR(GlobalGradientNorm(params.list()), 6.5, 1e-6);
}

TEST(ClippingTest, GlobalNormLeavesGradientsBelowOrAtTheLimit) {
  TwoParameters params;
  EXPECT_DOUBLE_EQ(ClipByGlobalNorm(params.list(), 20.0), 13.0);
  EXPECT_DOUBLE_EQ(ClipByGlobalNorm(params.list(), 13.0), 13.0);
  EXPECT_EQ(params.a.grad(0), 3.0f);
  EXPECT_EQ(params.a.grad(1), 4.0f);
  EXPECT_EQ(params.b.grad(0), 12.0f);
}

TEST(ClippingTest, RowSparseGradientsCountOnlyTouchedRows) {
  // Row 1 = {3, 4}: norm 5; the other rows hold stale values that must be ignored and left alone.
  ParameterStore store;
  Parameter& p = store.Create("embedding", 3, 2);
  p.grad.setConstant(100.0f);
  p.grad.row(1) << 3.0f, 4.0f;
  p.sparse_grad = true;
  p.touched.Assign({1, 1});  // a row listed twice counts and scales once
  EXPECT_DOUBLE_EQ(GlobalGradientNorm({&p}), 5.0);
  EXPECT_DOUBLE_EQ(ClipByGlobalNorm({&p}, 2.5), 5.0);
  EXPECT_FLOAT_EQ(p.grad(1, 0), 1.5f);
  EXPECT_FLOAT_EQ(p.grad(1, 1), 2.0f);
  EXPECT_EQ(p.grad(0, 0), 100.0f);
  EXPECT_EQ(p.grad(2, 1), 100.0f);
}

TEST(ClippingTest, SkipsNonTrainableParameters) {
  TwoParameters params;
  params.b.trainable = false;  // leaves {3, 4}: norm 5
  EXPECT_DOUBLE_EQ(GlobalGradientNorm(params.list()), 5.0);
  ClipByGlobalNorm(params.list(), 1.0);
  EXPECT_EQ(params.b.grad(0), 12.0f);
  EXPECT_EQ(ClipByValue(params.list(), 0.1), 2);  // 0.6 and 0.8, not b's 12
  EXPECT_EQ(params.b.grad(0), 12.0f);
}

TEST(ClippingTest, ClipByValueClampsAndCounts) {
  ParameterStore store;
  Parameter& p = store.Create("w", 1, 5);
  p.grad << -3.0f, 0.5f, 2.0f, -0.2f, 1.0f;
  EXPECT_EQ(ClipByValue({&p}, 1.0), 2);  // -3 and 2; exactly 1 is not clipped
  EXPECT_EQ(p.grad(0), -1.0f);
  EXPECT_EQ(p.grad(1), 0.5f);
  EXPECT_EQ(p.grad(2), 1.0f);
  EXPECT_EQ(p.grad(3), -0.2f);
  EXPECT_EQ(p.grad(4), 1.0f);
}

TEST(ClippingTest, ClipByValueRespectsTouchedRows) {
  ParameterStore store;
  Parameter& p = store.Create("embedding", 2, 2);
  p.grad.setConstant(5.0f);
  p.sparse_grad = true;
  p.touched.Assign({0});
  EXPECT_EQ(ClipByValue({&p}, 1.0), 2);
  EXPECT_EQ(p.grad(0, 0), 1.0f);
  EXPECT_EQ(p.grad(1, 0), 5.0f);
}

TEST(ClippingTest, RejectsNonPositiveLimits) {
  TwoParameters params;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(ClipByGlobalNorm(params.list(), 0.0), ConfigError);
  EXPECT_THROW(ClipByGlobalNorm(params.list(), -1.0), ConfigError);
  EXPECT_THROW(ClipByGlobalNorm(params.list(), nan), ConfigError);
  EXPECT_THROW(ClipByValue(params.list(), 0.0), ConfigError);
  EXPECT_THROW(ClipByValue(params.list(), -1.0), ConfigError);
  EXPECT_THROW(ClipByValue(params.list(), nan), ConfigError);
}

}  // namespace
}  // namespace lever
