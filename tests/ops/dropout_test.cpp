#include "lever/ops/dropout.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "lever/error.h"
#include "lever/ops/reduce.h"
#include "testing/gradcheck.h"

namespace lever {
namespace {

using testing::GradientsMatch;
using testing::RandomTensor;

// The mask depends only on (seed, node, step), and the checker holds the step fixed, so every
// perturbed forward pass drops the same units and finite differences see a linear function.
TEST(DropoutTest, BackwardMatchesFiniteDifferencesInTraining) {
  Rng rng(1);
  EXPECT_TRUE(
      GradientsMatch([](const auto& v) { return Dropout(v[0], 0.4); }, {RandomTensor(6, 5, rng)}, {.training = true}));
}

TEST(DropoutTest, BackwardMatchesFiniteDifferencesInInference) {
  Rng rng(2);
  EXPECT_TRUE(
      GradientsMatch([](const auto& v) { return Dropout(v[0], 0.4); }, {RandomTensor(6, 5, rng)}, {.training = false}));
}

class DropoutLargeTest : public ::testing::Test {
 protected:
  static constexpr double kRate = 0.3;
  void SetUp() override { g_.Feed(x_, Tensor::Ones(200, 200)); }
  Graph g_{/*seed=*/123};
  Var x_ = g_.Input("x", {200, 200}, /*requires_grad=*/true);
  Var y_ = Dropout(x_, kRate);
};

TEST_F(DropoutLargeTest, DropsTheRateFractionAndScalesKeptValuesExactly) {
  g_.Forward();
  const float keep_scale = static_cast<float>(1.0 / (1.0 - kRate));
  Index dropped = 0;
  Index other = 0;
  auto y = y_.value();
  for (Index i = 0; i < y.size(); ++i) {
    const float v = y.data()[i];
    if (v == 0.0f) {
      ++dropped;
    } else if (v != keep_scale) {
      ++other;
    }
  }
  EXPECT_EQ(other, 0) << "kept values must be exactly x / (1 - rate)";
  EXPECT_NEAR(static_cast<double>(dropped) / static_cast<double>(y.size()), kRate, 0.01);
}

TEST_F(DropoutLargeTest, PreservesTheExpectedMean) {
  Rng rng(5);
  Tensor xv = RandomTensor(200, 200, rng, 1.0, 3.0).cast<float>();
  g_.Feed(x_, xv);
  g_.Forward();
  const double mean_in = xv.cast<double>().mean();
  const double mean_out = y_.value().cast<double>().mean();
  // Standard error of the mean of 40000 draws of x m / (1 - rate): about 0.007 here.
  EXPECT_NEAR(mean_out, mean_in, 0.03);
}

TEST_F(DropoutLargeTest, GradientIsTheSameMaskAndScale) {
  Var loss = Sum(y_);
  g_.Forward();
  g_.Backward(loss);
  // x is all ones, so y is exactly the mask times the scale, and so must the gradient be.
  EXPECT_EQ(Tensor(x_.grad()), Tensor(y_.value()));
}

TEST_F(DropoutLargeTest, SameStepSameMaskDifferentStepDifferentMask) {
  g_.set_step(4);
  g_.Forward();
  const Tensor step4 = y_.value();
  g_.set_step(5);
  g_.Forward();
  const Tensor step5 = y_.value();
  g_.set_step(4);
  g_.Forward();
  EXPECT_EQ(Tensor(y_.value()), step4);
  EXPECT_NE(step5, step4);

  // Another graph with the same seed and the same structure draws the same mask.
  Graph other(/*seed=*/123);
  Var x = other.Input("x", {200, 200});
  Var y = Dropout(x, kRate);
  other.Feed(x, Tensor::Ones(200, 200));
  other.set_step(4);
  other.Forward();
  EXPECT_EQ(Tensor(y.value()), step4);

  // A different seed draws a different one.
  Graph reseeded(/*seed=*/124);
  Var x2 = reseeded.Input("x", {200, 200});
  Var y2 = Dropout(x2, kRate);
  reseeded.Feed(x2, Tensor::Ones(200, 200));
  reseeded.set_step(4);
  reseeded.Forward();
  EXPECT_NE(Tensor(y2.value()), step4);
}

TEST_F(DropoutLargeTest, InferenceIsTheIdentity) {
  Rng rng(6);
  Tensor xv = RandomTensor(200, 200, rng).cast<float>();
  g_.Feed(x_, xv);
  g_.set_training(false);
  Var loss = Sum(y_);
  g_.Forward();
  EXPECT_EQ(Tensor(y_.value()), xv);
  g_.Backward(loss);
  EXPECT_EQ(Tensor(x_.grad()), Tensor::Ones(200, 200));
}

TEST_F(DropoutLargeTest, MaskFollowsTheBatchSize) {
  g_.Feed(x_, Tensor::Ones(7, 200));
  g_.Forward();
  ASSERT_EQ(y_.shape(), (Shape{7, 200}));
  const float keep_scale = static_cast<float>(1.0 / (1.0 - kRate));
  EXPECT_TRUE((y_.value().array() == 0.0f || y_.value().array() == keep_scale).all());
}

// Each dropout node draws from its own stream (the node id), so two layers do not drop the same units.
TEST(DropoutTest, TwoNodesDrawDifferentMasks) {
  Graph g(/*seed=*/9);
  Var x = g.Input("x", {50, 50});
  g.Feed(x, Tensor::Ones(50, 50));
  Var first = Dropout(x, 0.5);
  Var second = Dropout(x, 0.5);
  g.Forward();
  EXPECT_NE(Tensor(first.value()), Tensor(second.value()));
}

TEST(DropoutTest, RateZeroIsTheIdentity) {
  Graph g;
  Var x = g.Input("x", {20, 10});
  Rng rng(7);
  Tensor xv = RandomTensor(20, 10, rng).cast<float>();
  g.Feed(x, xv);
  Var y = Dropout(x, 0.0);
  g.Forward();
  EXPECT_EQ(Tensor(y.value()), xv);
}

TEST(DropoutTest, RejectsRateOutsideZeroToOne) {
  Graph g;
  Var x = g.Input("x", {2, 2});
  EXPECT_THROW(Dropout(x, 1.0), ConfigError);
  EXPECT_THROW(Dropout(x, 1.5), ConfigError);
  EXPECT_THROW(Dropout(x, -0.1), ConfigError);
  EXPECT_THROW(Dropout(x, std::numeric_limits<double>::quiet_NaN()), ConfigError);
  EXPECT_NO_THROW(Dropout(x, 0.999));
}

}  // namespace
}  // namespace lever
