#include "lever/losses/mean_squared_error.h"

#include <gtest/gtest.h>

#include "lever/error.h"
#include "testing/gradcheck.h"

namespace lever {
namespace {

using testing::GradientsMatch;
using testing::RandomTensor;

TEST(MeanSquaredErrorTest, BackwardMatchesFiniteDifferencesForPredictionsAndTargets) {
  Rng rng(1);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return MeanSquaredError(v[0], v[1]); },
                             {RandomTensor(4, 3, rng, -2, 2), RandomTensor(4, 3, rng, -2, 2)}));
}

TEST(MeanSquaredErrorTest, BackwardMatchesFiniteDifferencesForPredictionsOnly) {
  Rng rng(2);
  const TensorD targets = RandomTensor(5, 1, rng, -2, 2);
  EXPECT_TRUE(
      GradientsMatch([&targets](const auto& v) { return MeanSquaredError(v[0], v[0].graph()->Constant(targets)); },
                     {RandomTensor(5, 1, rng, -2, 2)}));
}

TEST(MeanSquaredErrorTest, ForwardValueAndGradientByHand) {
  Graph g;
  Var p = g.Input("p", {2, 2}, /*requires_grad=*/true);
  Var t = g.Input("t", {2, 2});
  Tensor pv(2, 2), tv(2, 2);
  pv << 1, 2, 3, 4;
  tv << 0, 2, 5, 3.5f;
  g.Feed(p, pv);
  g.Feed(t, tv);
  Var loss = MeanSquaredError(p, t);
  g.Forward();
  // Differences 1, 0, -2, 0.5; squares 1, 0, 4, 0.25; mean 5.25 / 4.
  EXPECT_FLOAT_EQ(loss.scalar(), 1.3125f);
  g.Backward(loss);
  // dL/dp = 2 (p - t) / 4 = (0.5, 0, -1, 0.25).
  EXPECT_FLOAT_EQ(p.grad()(0, 0), 0.5f);
  EXPECT_FLOAT_EQ(p.grad()(0, 1), 0.0f);
  EXPECT_FLOAT_EQ(p.grad()(1, 0), -1.0f);
  EXPECT_FLOAT_EQ(p.grad()(1, 1), 0.25f);
}

TEST(MeanSquaredErrorTest, RejectsShapeMismatch) {
  Graph g;
  Var p = g.Input("p", {4, 2});
  Var wide = g.Input("wide", {4, 3});
  Var short_targets = g.Input("short_targets", {3, 2});
  EXPECT_THROW(MeanSquaredError(p, wide), ShapeError);
  EXPECT_THROW(MeanSquaredError(p, short_targets), ShapeError);
}

TEST(MeanSquaredErrorTest, RejectsShapeMismatchAfterFeed) {
  Graph g;
  Var p = g.Input("p", {4, 2});
  Var t = g.Input("t", {4, 2});
  MeanSquaredError(p, t);
  g.Feed(t, Tensor::Zero(3, 2));
  EXPECT_THROW(g.Forward(), ShapeError);
}

}  // namespace
}  // namespace lever
