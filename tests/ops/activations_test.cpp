#include "lever/ops/activations.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"
#include "lever/ops/reduce.h"
#include "testing/gradcheck.h"

namespace lever {
namespace {

using testing::GradientsMatch;
using testing::RandomTensor;

// Inputs kept away from 0, where ReLU-like functions have a kink.
TensorD AwayFromZero(Index rows, Index cols, Rng& rng) {
  TensorD t = RandomTensor(rows, cols, rng, 0.1, 2.0);
  for (Index i = 0; i < t.size(); ++i) {
    if (rng.Uniform() < 0.5) t.data()[i] = -t.data()[i];
  }
  return t;
}

TEST(SigmoidTest, BackwardMatchesFiniteDifferences) {
  Rng rng(1);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return Sigmoid(v[0]); }, {RandomTensor(3, 4, rng, -4, 4)}));
}

TEST(TanhTest, BackwardMatchesFiniteDifferences) {
  Rng rng(2);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return Tanh(v[0]); }, {RandomTensor(3, 4, rng, -2, 2)}));
}

TEST(ReluTest, BackwardMatchesFiniteDifferences) {
  Rng rng(3);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return Relu(v[0]); }, {AwayFromZero(4, 5, rng)}));
}

TEST(LeakyReluTest, BackwardMatchesFiniteDifferences) {
  Rng rng(4);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return LeakyRelu(v[0], 0.2); }, {AwayFromZero(4, 5, rng)}));
}

TEST(PreluTest, BackwardMatchesFiniteDifferencesForInputAndSlopes) {
  Rng rng(5);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return Prelu(v[0], v[1]); },
                             {AwayFromZero(4, 3, rng), RandomTensor(1, 3, rng, 0.05, 0.5)}));
}

TEST(EluTest, BackwardMatchesFiniteDifferences) {
  Rng rng(6);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return Elu(v[0], 1.3); }, {AwayFromZero(4, 5, rng)}));
}

TEST(SoftmaxTest, BackwardMatchesFiniteDifferences) {
  Rng rng(7);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return Softmax(v[0]); }, {RandomTensor(3, 5, rng, -3, 3)}));
}

TEST(ActivationsTest, ForwardValues) {
  Graph g;
  Var x = g.Input("x", {1, 4});
  Tensor in(1, 4);
  in << -2.0f, -0.5f, 0.5f, 3.0f;
  g.Feed(x, in);
  Var sig = Sigmoid(x), th = Tanh(x), re = Relu(x), lr = LeakyRelu(x, 0.1), el = Elu(x, 1.0);
  g.Forward();
  for (Index j = 0; j < 4; ++j) {
    const double v = in(0, j);
    EXPECT_NEAR(sig.value()(0, j), 1.0 / (1.0 + std::exp(-v)), 1e-6);
    EXPECT_NEAR(th.value()(0, j), std::tanh(v), 1e-6);
    EXPECT_FLOAT_EQ(re.value()(0, j), v > 0 ? v : 0.0f);
    EXPECT_FLOAT_EQ(lr.value()(0, j), v > 0 ? v : 0.1f * in(0, j));
    EXPECT_NEAR(el.value()(0, j), v > 0 ? v : std::expm1(v), 1e-6);
  }
}

TEST(SoftmaxTest, RowsAreDistributionsEvenForHugeLogits) {
  Graph g;
  Var x = g.Input("x", {2, 3});
  Tensor in(2, 3);
  in << 1000.0f, 1001.0f, 999.0f, -1000.0f, 0.0f, 5.0f;
  g.Feed(x, in);
  Var y = Softmax(x);
  g.Forward();
  for (Index i = 0; i < 2; ++i) EXPECT_NEAR(y.value().row(i).sum(), 1.0f, 1e-6);
  EXPECT_NEAR(y.value()(0, 1), std::exp(1.0) / (1.0 + std::exp(1.0) + std::exp(-1.0)), 1e-6);
  EXPECT_TRUE(y.value().allFinite());
}

TEST(PreluTest, SlopeScalesOnlyTheNegativeSideOfItsOwnColumn) {
  // y = x for x > 0, alpha_j * x otherwise, with one slope per column: alpha = (0.25, 0.5, 2).
  //   x = [-2    4   -1  ]   y = [-0.5  4   -2  ]
  //       [ 3   -0.5  0.5]       [ 3   -0.25 0.5]
  // Backward of Sum(y): dx = 1 where x > 0, alpha_j elsewhere; dalpha_j = sum of column j's negative x:
  //   dx = [0.25 1   2]   dalpha = (-2, -0.5, -1)
  //        [1    0.5 1]
  Graph g;
  Var x = g.Input("x", {2, 3}, /*requires_grad=*/true);
  Var alpha = g.Input("alpha", {1, 3}, /*requires_grad=*/true);
  Tensor in(2, 3), slopes(1, 3);
  in << -2.0f, 4.0f, -1.0f, 3.0f, -0.5f, 0.5f;
  slopes << 0.25f, 0.5f, 2.0f;
  g.Feed(x, in);
  g.Feed(alpha, slopes);
  Var y = Prelu(x, alpha);
  Var loss = Sum(y);
  g.Forward();
  Tensor expected(2, 3), expected_dx(2, 3), expected_dalpha(1, 3);
  expected << -0.5f, 4.0f, -2.0f, 3.0f, -0.25f, 0.5f;
  expected_dx << 0.25f, 1.0f, 2.0f, 1.0f, 0.5f, 1.0f;
  expected_dalpha << -2.0f, -0.5f, -1.0f;
  EXPECT_EQ(y.value(), expected);
  g.Backward(loss);
  EXPECT_EQ(x.grad(), expected_dx);
  EXPECT_EQ(alpha.grad(), expected_dalpha);
}

TEST(PreluTest, RejectsSlopesOfWrongShape) {
  Graph g;
  Var x = g.Input("x", {2, 3});
  Var a = g.Input("a", {1, 2});
  EXPECT_THROW(Prelu(x, a), ShapeError);
}

}  // namespace
}  // namespace lever
