#include "lever/losses/sigmoid_cross_entropy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "lever/error.h"
#include "testing/gradcheck.h"

namespace lever {
namespace {

using testing::GradientsMatch;
using testing::RandomTensor;

// Labels of 0 or 1.
TensorD BinaryLabels(Index rows, Index cols, Rng& rng) {
  TensorD z(rows, cols);
  for (Index i = 0; i < z.size(); ++i) z.data()[i] = rng.Uniform() < 0.5 ? 0.0 : 1.0;
  return z;
}

// The message of the DataError Forward() throws, or "" if it throws none.
std::string ForwardDataError(Graph& g) {
  try {
    g.Forward();
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

TEST(SigmoidCrossEntropyTest, BackwardMatchesFiniteDifferencesForLogits) {
  Rng rng(1);
  const TensorD labels = BinaryLabels(4, 1, rng);
  EXPECT_TRUE(
      GradientsMatch([&labels](const auto& v) { return SigmoidCrossEntropy(v[0], v[0].graph()->Constant(labels)); },
                     {RandomTensor(4, 1, rng, -4, 4)}));
}

TEST(SigmoidCrossEntropyTest, BackwardMatchesFiniteDifferencesMultiLabel) {
  Rng rng(2);
  const TensorD labels = BinaryLabels(5, 4, rng);
  EXPECT_TRUE(
      GradientsMatch([&labels](const auto& v) { return SigmoidCrossEntropy(v[0], v[0].graph()->Constant(labels)); },
                     {RandomTensor(5, 4, rng, -4, 4)}));
}

// Soft labels kept inside (0, 1) so the finite-difference steps stay valid labels.
TEST(SigmoidCrossEntropyTest, BackwardMatchesFiniteDifferencesForLogitsAndLabels) {
  Rng rng(3);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return SigmoidCrossEntropy(v[0], v[1]); },
                             {RandomTensor(3, 3, rng, -4, 4), RandomTensor(3, 3, rng, 0.05, 0.95)}));
}

TEST(SigmoidCrossEntropyTest, ForwardValueByHand) {
  Graph g;
  Var x = g.Input("x", {1, 2}, /*requires_grad=*/true);
  Var z = g.Input("z", {1, 2});
  Tensor xv(1, 2), zv(1, 2);
  xv << 0, 2;
  zv << 1, 0;
  g.Feed(x, xv);
  g.Feed(z, zv);
  Var loss = SigmoidCrossEntropy(x, z);
  g.Forward();
  // x = 0, z = 1: -log sigmoid(0) = log 2 = 0.693147.
  // x = 2, z = 0: -log(1 - sigmoid(2)) = log(1 + e^2) = 2.126928.
  // Mean: (0.693147 + 2.126928) / 2 = 1.410038.
  EXPECT_NEAR(loss.scalar(), (std::log(2.0) + std::log(1.0 + std::exp(2.0))) / 2.0, 1e-6);
  EXPECT_NEAR(loss.scalar(), 1.410038, 1e-6);
  g.Backward(loss);
  // dL/dx = (sigmoid(x) - z) / 2: (0.5 - 1) / 2 = -0.25 and sigmoid(2) / 2 = 0.880797 / 2 = 0.440399.
  EXPECT_NEAR(x.grad()(0, 0), -0.25, 1e-6);
  EXPECT_NEAR(x.grad()(0, 1), 0.440399, 1e-6);
}

TEST(SigmoidCrossEntropyTest, MultiLabelIsTheMeanOfIndependentBinaryLosses) {
  Graph g;
  Var x = g.Input("x", {2, 3});
  Var z = g.Input("z", {2, 3});
  Tensor xv(2, 3), zv(2, 3);
  xv << -1.5f, 0.25f, 3, 2, -0.5f, 0;
  zv << 0, 1, 1, 0, 0, 0.5f;
  g.Feed(x, xv);
  g.Feed(z, zv);
  Var loss = SigmoidCrossEntropy(x, z);
  g.Forward();
  double expected = 0.0;  // -z log p - (1 - z) log(1 - p) per element, then the mean of six
  for (Index i = 0; i < xv.size(); ++i) {
    const double p = 1.0 / (1.0 + std::exp(-static_cast<double>(xv.data()[i])));
    const double label = zv.data()[i];
    expected += -label * std::log(p) - (1.0 - label) * std::log(1.0 - p);
  }
  EXPECT_NEAR(loss.scalar(), expected / 6.0, 1e-6);
}

TEST(SigmoidCrossEntropyTest, HugeLogitsGiveTheAnalyticLimit) {
  struct Case {
    float logit, label, loss, grad;
  };
  // max(x, 0) - x z + log(1 + exp(-|x|)): exp(-1000) underflows to 0 and the rest is exact.
  for (const Case& c : {Case{1000, 0, 1000, 1}, Case{-1000, 1, 1000, -1}, Case{1000, 1, 0, 0}, Case{-1000, 0, 0, 0}}) {
    SCOPED_TRACE("logit " + std::to_string(c.logit) + ", label " + std::to_string(c.label));
    Graph g;
    Var x = g.Input("x", {1, 1}, /*requires_grad=*/true);
    Var z = g.Input("z", {1, 1});
    g.Feed(x, Tensor::Constant(1, 1, c.logit));
    g.Feed(z, Tensor::Constant(1, 1, c.label));
    Var loss = SigmoidCrossEntropy(x, z);
    g.Forward();
    EXPECT_TRUE(std::isfinite(loss.scalar()));
    EXPECT_FLOAT_EQ(loss.scalar(), c.loss);
    g.Backward(loss);
    EXPECT_FLOAT_EQ(x.grad()(0, 0), c.grad);
  }
}

TEST(SigmoidCrossEntropyTest, LabelOutsideZeroOneIsADataErrorNamingRowAndColumn) {
  Graph g;
  Var x = g.Input("x", {3, 4});
  Var z = g.Input("z", {3, 4});
  SigmoidCrossEntropy(x, z);
  Tensor zv = Tensor::Zero(3, 4);
  zv(1, 2) = 1.5f;
  g.Feed(z, zv);
  const std::string message = ForwardDataError(g);
  EXPECT_NE(message.find("1.5"), std::string::npos) << message;
  EXPECT_NE(message.find("row 1"), std::string::npos) << message;
  EXPECT_NE(message.find("column 2"), std::string::npos) << message;

  zv(1, 2) = 0;
  zv(2, 0) = -0.25f;
  g.Feed(z, zv);
  EXPECT_NE(ForwardDataError(g).find("row 2, column 0"), std::string::npos);

  zv(2, 0) = std::numeric_limits<float>::quiet_NaN();
  g.Feed(z, zv);
  EXPECT_NE(ForwardDataError(g), "");

  zv(2, 0) = 1;
  g.Feed(z, zv);
  EXPECT_EQ(ForwardDataError(g), "");
}

TEST(SigmoidCrossEntropyTest, RejectsShapeMismatch) {
  Graph g;
  Var x = g.Input("x", {4, 3});
  Var one_column = g.Input("one_column", {4, 1});
  Var short_labels = g.Input("short_labels", {2, 3});
  EXPECT_THROW(SigmoidCrossEntropy(x, one_column), ShapeError);
  EXPECT_THROW(SigmoidCrossEntropy(x, short_labels), ShapeError);
}

}  // namespace
}  // namespace lever
