#include "lever/losses/softmax_cross_entropy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "lever/error.h"
#include "testing/gradcheck.h"

namespace lever {
namespace {

using testing::GradientsMatch;
using testing::RandomTensor;

// Rows of positive entries summing to 1.
TensorD SoftLabels(Index rows, Index cols, Rng& rng) {
  TensorD z = RandomTensor(rows, cols, rng, 0.1, 1.0);
  for (Index i = 0; i < rows; ++i) z.row(i) /= z.row(i).sum();
  return z;
}

TensorD OneHot(Index rows, Index cols, Rng& rng) {
  TensorD z = TensorD::Zero(rows, cols);
  for (Index i = 0; i < rows; ++i) z(i, static_cast<Index>(rng.UniformInt(static_cast<uint64_t>(cols)))) = 1.0;
  return z;
}

std::string ForwardDataError(Graph& g) {
  try {
    g.Forward();
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

TEST(SoftmaxCrossEntropyTest, BackwardMatchesFiniteDifferencesForLogits) {
  Rng rng(1);
  const TensorD labels = OneHot(4, 5, rng);
  EXPECT_TRUE(
      GradientsMatch([&labels](const auto& v) { return SoftmaxCrossEntropy(v[0], v[0].graph()->Constant(labels)); },
                     {RandomTensor(4, 5, rng, -3, 3)}));
}

// A step of 1e-6 in one label moves its row sum by far less than the 1e-4 the check allows.
TEST(SoftmaxCrossEntropyTest, BackwardMatchesFiniteDifferencesForLogitsAndSoftLabels) {
  Rng rng(2);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return SoftmaxCrossEntropy(v[0], v[1]); },
                             {RandomTensor(3, 4, rng, -3, 3), SoftLabels(3, 4, rng)}));
}

TEST(SoftmaxCrossEntropyTest, ForwardValueByHand) {
  Graph g;
  Var x = g.Input("x", {2, 3}, /*requires_grad=*/true);
  Var z = g.Input("z", {2, 3});
  Tensor xv(2, 3), zv(2, 3);
  xv << 1, 2, 3, 0, 0, 0;
  zv << 0, 0, 1, 0.5f, 0.25f, 0.25f;
  g.Feed(x, xv);
  g.Feed(z, zv);
  Var loss = SoftmaxCrossEntropy(x, z);
  g.Forward();
  // Row 0: -log softmax(1, 2, 3)_2 = log(e^1 + e^2 + e^3) - 3 = log(1 + e^-1 + e^-2) = 0.407606.
  // Row 1: uniform softmax, so -sum z log(1/3) = log 3 = 1.098612 for any distribution z.
  // Mean: (0.407606 + 1.098612) / 2 = 0.753109.
  EXPECT_NEAR(loss.scalar(), (std::log(1.0 + std::exp(-1.0) + std::exp(-2.0)) + std::log(3.0)) / 2.0, 1e-6);
  EXPECT_NEAR(loss.scalar(), 0.753109, 1e-6);
  g.Backward(loss);
  // dL/dx = (softmax(x) - z) / 2; row 1: (1/3 - 0.5) / 2 = -1/12, (1/3 - 0.25) / 2 = 1/24.
  EXPECT_NEAR(x.grad()(1, 0), -1.0 / 12.0, 1e-6);
  EXPECT_NEAR(x.grad()(1, 1), 1.0 / 24.0, 1e-6);
  EXPECT_NEAR(x.grad().row(0).sum(), 0.0, 1e-6);
}

TEST(SoftmaxCrossEntropyTest, HugeLogitsGiveFiniteLossAtTheAnalyticLimit) {
  Graph g;
  Var x = g.Input("x", {2, 3}, /*requires_grad=*/true);
  Var z = g.Input("z", {2, 3});
  Tensor xv(2, 3), zv(2, 3);
  xv << 1000, -1000, 0, 1000, -1000, 0;
  zv << 1, 0, 0, 0, 1, 0;
  g.Feed(x, xv);
  g.Feed(z, zv);
  Var loss = SoftmaxCrossEntropy(x, z);
  g.Forward();
  // Row 0 picks the largest logit: log(1 + e^-1000 + e^-2000) = 0.
  // Row 1 picks the smallest: 1000 - (-1000) + log(1 + ...) = 2000. Mean 1000.
  EXPECT_TRUE(std::isfinite(loss.scalar()));
  EXPECT_FLOAT_EQ(loss.scalar(), 1000.0f);
  g.Backward(loss);
  EXPECT_TRUE(x.grad().allFinite());
  EXPECT_FLOAT_EQ(x.grad()(1, 0), 0.5f);   // (1 - 0) / 2
  EXPECT_FLOAT_EQ(x.grad()(1, 1), -0.5f);  // (0 - 1) / 2
}

TEST(SoftmaxCrossEntropyTest, LabelRowNotSummingToOneIsADataErrorNamingTheRow) {
  Graph g;
  Var x = g.Input("x", {3, 3});
  Var z = g.Input("z", {3, 3});
  SoftmaxCrossEntropy(x, z);
  Tensor zv(3, 3);
  zv << 1, 0, 0, 0.5f, 0.2f, 0.2f, 0, 0, 1;
  g.Feed(z, zv);
  const std::string message = ForwardDataError(g);
  EXPECT_NE(message.find("row 1"), std::string::npos) << message;
  EXPECT_NE(message.find("0.9"), std::string::npos) << message;
}

TEST(SoftmaxCrossEntropyTest, NegativeSoftLabelIsADataError) {
  Graph g;
  Var x = g.Input("x", {2, 3});
  Var z = g.Input("z", {2, 3});
  SoftmaxCrossEntropy(x, z);
  Tensor zv(2, 3);
  zv << 0, 1, 0, -0.1f, 1.1f, 0;  // sums to 1, but is not a distribution
  g.Feed(z, zv);
  const std::string message = ForwardDataError(g);
  EXPECT_NE(message.find("row 1"), std::string::npos) << message;
  EXPECT_NE(message.find("column 0"), std::string::npos) << message;
}

TEST(SoftmaxCrossEntropyTest, ValidLabelsAreAccepted) {
  Graph g;
  Var x = g.Input("x", {2, 3});
  Var z = g.Input("z", {2, 3});
  SoftmaxCrossEntropy(x, z);
  Tensor zv(2, 3);
  zv << 0, 1, 0, 0.2f, 0.3f, 0.5f;
  g.Feed(z, zv);
  EXPECT_EQ(ForwardDataError(g), "");
}

TEST(SoftmaxCrossEntropyTest, RejectsShapeMismatch) {
  Graph g;
  Var x = g.Input("x", {4, 3});
  Var ids = g.Input("ids", {4, 1});
  Var short_labels = g.Input("short_labels", {2, 3});
  EXPECT_THROW(SoftmaxCrossEntropy(x, ids), ShapeError);
  EXPECT_THROW(SoftmaxCrossEntropy(x, short_labels), ShapeError);
}

}  // namespace
}  // namespace lever
