#include "lever/ops/batch_norm.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"
#include "testing/gradcheck.h"

namespace lever {
namespace {

using testing::GradientsMatch;
using testing::RandomTensor;

// Moving statistics the tests own; BatchNorm keeps pointers to them.
template <class T>
struct OwnedState {
  TensorT<T> moving_mean;
  TensorT<T> moving_variance;
  BatchNormState<T> state{&moving_mean, &moving_variance};
};

TEST(BatchNormTest, TrainingBackwardMatchesFiniteDifferences) {
  Rng rng(1);
  OwnedState<double> s;
  EXPECT_TRUE(GradientsMatch(
      [&s](const auto& v) { return BatchNorm(v[0], v[1], v[2], &s.state); },
      {RandomTensor(6, 3, rng, -2, 2), RandomTensor(1, 3, rng, 0.5, 2.0), RandomTensor(1, 3, rng, -1, 1)},
      {.training = true}));
}

TEST(BatchNormTest, InferenceBackwardMatchesFiniteDifferences) {
  Rng rng(2);
  OwnedState<double> s;
  s.moving_mean = RandomTensor(1, 3, rng, -0.5, 0.5);
  s.moving_variance = RandomTensor(1, 3, rng, 0.5, 2.0);
  EXPECT_TRUE(GradientsMatch(
      [&s](const auto& v) { return BatchNorm(v[0], v[1], v[2], &s.state); },
      {RandomTensor(5, 3, rng, -2, 2), RandomTensor(1, 3, rng, 0.5, 2.0), RandomTensor(1, 3, rng, -1, 1)},
      {.training = false}));
}

TEST(BatchNormTest, EmptyStateStartsAtZeroMeanAndUnitVariance) {
  Graph g;
  Var x = g.Input("x", {4, 3});
  Var gamma = g.Input("gamma", {1, 3});
  Var beta = g.Input("beta", {1, 3});
  OwnedState<float> s;
  BatchNorm(x, gamma, beta, &s.state);
  EXPECT_EQ(s.moving_mean, Tensor::Zero(1, 3));
  EXPECT_EQ(s.moving_variance, Tensor::Ones(1, 3));
}

TEST(BatchNormTest, TrainingOutputColumnsHaveMeanBetaAndStdGamma) {
  GraphD g;
  VarD x = g.Input("x", {64, 3});
  VarD gamma = g.Input("gamma", {1, 3});
  VarD beta = g.Input("beta", {1, 3});
  Rng rng(3);
  TensorD xv = RandomTensor(64, 3, rng, -3, 5);
  TensorD gv(1, 3), bv(1, 3);
  gv << 0.5, 2.0, 1.5;
  bv << -1.0, 0.0, 3.0;
  g.Feed(x, xv);
  g.Feed(gamma, gv);
  g.Feed(beta, bv);
  OwnedState<double> s;
  VarD y = BatchNorm(x, gamma, beta, &s.state);
  g.Forward();
  auto yv = y.value();
  for (Index j = 0; j < 3; ++j) {
    const double mean = yv.col(j).mean();
    const double std = std::sqrt((yv.col(j).array() - mean).square().mean());
    EXPECT_NEAR(mean, bv(0, j), 1e-12) << "column " << j;
    EXPECT_NEAR(std, gv(0, j), 1e-3 * gv(0, j)) << "column " << j;
    // Exactly: gamma sqrt(var / (var + eps)), the epsilon shrinking the spread slightly.
    const double x_mean = xv.col(j).mean();
    const double x_var = (xv.col(j).array() - x_mean).square().mean();
    EXPECT_NEAR(std, gv(0, j) * std::sqrt(x_var / (x_var + s.state.epsilon)), 1e-12) << "column " << j;
  }
}

TEST(BatchNormTest, TrainingUpdatesMovingStatistics) {
  GraphD g;
  VarD x = g.Input("x", {2, 2});
  VarD gamma = g.Input("gamma", {1, 2});
  VarD beta = g.Input("beta", {1, 2});
  TensorD xv(2, 2);
  xv << 1, 2, 3, 6;
  g.Feed(x, xv);
  g.Feed(gamma, TensorD::Ones(1, 2));
  OwnedState<double> s;
  s.moving_mean.resize(1, 2);
  s.moving_mean << 0.5, -1.0;
  s.moving_variance.resize(1, 2);
  s.moving_variance << 2.0, 3.0;
  s.state.momentum = 0.9;
  BatchNorm(x, gamma, beta, &s.state);
  g.Forward();
  // Batch mean (2, 4); biased batch variance ((1 + 1) / 2, (4 + 4) / 2) = (1, 4).
  EXPECT_NEAR(s.moving_mean(0, 0), 0.65, 1e-12);     // 0.9 * 0.5 + 0.1 * 2
  EXPECT_NEAR(s.moving_mean(0, 1), -0.5, 1e-12);     // 0.9 * -1 + 0.1 * 4
  EXPECT_NEAR(s.moving_variance(0, 0), 1.9, 1e-12);  // 0.9 * 2 + 0.1 * 1
  EXPECT_NEAR(s.moving_variance(0, 1), 3.1, 1e-12);  // 0.9 * 3 + 0.1 * 4
  // A second step moves them again from there.
  g.Forward();
  EXPECT_NEAR(s.moving_mean(0, 0), 0.785, 1e-12);     // 0.9 * 0.65 + 0.1 * 2
  EXPECT_NEAR(s.moving_variance(0, 1), 3.19, 1e-12);  // 0.9 * 3.1 + 0.1 * 4
}

TEST(BatchNormTest, InferenceUsesMovingStatisticsAndLeavesThemAlone) {
  GraphD g;
  g.set_training(false);
  VarD x = g.Input("x", {2, 2});
  VarD gamma = g.Input("gamma", {1, 2});
  VarD beta = g.Input("beta", {1, 2});
  TensorD xv(2, 2), gv(1, 2), bv(1, 2);
  xv << 1, 2, 3, 6;
  gv << 2, 0.5;
  bv << 1, -1;
  g.Feed(x, xv);
  g.Feed(gamma, gv);
  g.Feed(beta, bv);
  OwnedState<double> s;
  s.moving_mean.resize(1, 2);
  s.moving_mean << 0.5, -1.0;
  s.moving_variance.resize(1, 2);
  s.moving_variance << 4.0 - 1e-3, 0.25 - 1e-3;  // plus epsilon 1e-3: standard deviations 2 and 0.5
  VarD y = BatchNorm(x, gamma, beta, &s.state);
  g.Forward();
  EXPECT_NEAR(y.value()(0, 0), 1.5, 1e-12);  // 2 * (1 - 0.5) / 2 + 1
  EXPECT_NEAR(y.value()(0, 1), 2.0, 1e-12);  // 0.5 * (2 + 1) / 0.5 - 1
  EXPECT_NEAR(y.value()(1, 0), 3.5, 1e-12);  // 2 * (3 - 0.5) / 2 + 1
  EXPECT_NEAR(y.value()(1, 1), 6.0, 1e-12);  // 0.5 * (6 + 1) / 0.5 - 1
  EXPECT_DOUBLE_EQ(s.moving_mean(0, 0), 0.5);
  EXPECT_DOUBLE_EQ(s.moving_variance(0, 1), 0.25 - 1e-3);
}

TEST(BatchNormTest, RejectsGammaOrBetaOfWrongShape) {
  Graph g;
  Var x = g.Input("x", {4, 3});
  Var row = g.Input("row", {1, 3});
  Var short_row = g.Input("short_row", {1, 2});
  Var full = g.Input("full", {4, 3});
  OwnedState<float> s;
  EXPECT_THROW(BatchNorm(x, short_row, row, &s.state), ShapeError);
  EXPECT_THROW(BatchNorm(x, row, short_row, &s.state), ShapeError);
  EXPECT_THROW(BatchNorm(x, full, row, &s.state), ShapeError);
  EXPECT_THROW(BatchNorm(x, row, full, &s.state), ShapeError);
}

TEST(BatchNormTest, RejectsMovingStatisticsWithWrongColumns) {
  Graph g;
  Var x = g.Input("x", {4, 3});
  Var row = g.Input("row", {1, 3});
  OwnedState<float> s;
  s.moving_mean = Tensor::Zero(1, 2);
  s.moving_variance = Tensor::Ones(1, 2);
  EXPECT_THROW(BatchNorm(x, row, row, &s.state), ShapeError);
}

// The header requires (1, cols) moving statistics, but only their column count is checked: a (2, cols)
// pair is accepted, and the training forward then adds the (2, cols) moving mean to the (1, cols) batch
// mean (an Eigen assertion in Debug, an out-of-bounds read in Release). It should be a ShapeError here.
TEST(BatchNormTest, RejectsMovingStatisticsWithWrongRows) {
  Graph g;
  Var x = g.Input("x", {4, 3});
  Var row = g.Input("row", {1, 3});
  OwnedState<float> s;
  s.moving_mean = Tensor::Zero(2, 3);
  s.moving_variance = Tensor::Ones(2, 3);
  EXPECT_THROW(BatchNorm(x, row, row, &s.state), ShapeError);
}

TEST(BatchNormTest, RejectsMissingState) {
  Graph g;
  Var x = g.Input("x", {4, 3});
  Var row = g.Input("row", {1, 3});
  Tensor moving;
  BatchNormState<float> no_variance{&moving, nullptr};
  EXPECT_THROW(BatchNorm<float>(x, row, row, nullptr), ConfigError);
  EXPECT_THROW(BatchNorm(x, row, row, &no_variance), ConfigError);
}

}  // namespace
}  // namespace lever
