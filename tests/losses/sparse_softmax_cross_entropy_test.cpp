#include "lever/losses/sparse_softmax_cross_entropy.h"

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

std::string ForwardDataError(Graph& g) {
  try {
    g.Forward();
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

// Class ids are data, not differentiable: they enter as a constant so the checker perturbs only logits.
TEST(SparseSoftmaxCrossEntropyTest, BackwardMatchesFiniteDifferencesForLogits) {
  Rng rng(1);
  TensorD ids(5, 1);
  ids << 0, 3, 1, 3, 2;
  EXPECT_TRUE(
      GradientsMatch([&ids](const auto& v) { return SparseSoftmaxCrossEntropy(v[0], v[0].graph()->Constant(ids)); },
                     {RandomTensor(5, 4, rng, -3, 3)}));
}

TEST(SparseSoftmaxCrossEntropyTest, ForwardValueByHand) {
  Graph g;
  Var x = g.Input("x", {2, 3}, /*requires_grad=*/true);
  Var ids = g.Input("ids", {2, 1});
  Tensor xv(2, 3), idv(2, 1);
  xv << 1, 2, 3, 0, 0, 0;
  idv << 2, 1;
  g.Feed(x, xv);
  g.Feed(ids, idv);
  Var loss = SparseSoftmaxCrossEntropy(x, ids);
  g.Forward();
  // Row 0: -log softmax(1, 2, 3)_2 = log(1 + e^-1 + e^-2) = 0.407606.
  // Row 1: -log(1/3) = log 3 = 1.098612.  Mean: 0.753109.
  EXPECT_NEAR(loss.scalar(), 0.753109, 1e-6);
  g.Backward(loss);
  // dL/dx = (softmax(x) - onehot(id)) / 2; row 1: (1/3 - 1) / 2 = -1/3 at the id, 1/6 elsewhere.
  EXPECT_NEAR(x.grad()(1, 0), 1.0 / 6.0, 1e-6);
  EXPECT_NEAR(x.grad()(1, 1), -1.0 / 3.0, 1e-6);
  EXPECT_NEAR(x.grad()(1, 2), 1.0 / 6.0, 1e-6);
}

TEST(SparseSoftmaxCrossEntropyTest, ForwardValueMatchesLogSumExpMinusTheTrueLogit) {
  // Mean over rows of log(sum_j exp(x_ij)) - x_i,id, computed directly in double.
  Graph g;
  Var x = g.Input("x", {3, 4});
  Var ids = g.Input("ids", {3, 1});
  Tensor xv(3, 4), idv(3, 1);
  xv << 0.5f, -1, 2, 0, 3, 3, -2, 1, 0, 0, 0, 0.25f;
  idv << 0, 1, 3;
  g.Feed(x, xv);
  g.Feed(ids, idv);
  Var loss = SparseSoftmaxCrossEntropy(x, ids);
  g.Forward();
  double expected = 0.0;
  for (Index i = 0; i < 3; ++i) {
    const double log_sum = std::log(xv.row(i).cast<double>().array().exp().sum());
    expected += log_sum - xv(i, static_cast<Index>(idv(i, 0)));
  }
  EXPECT_NEAR(loss.scalar(), expected / 3.0, 1e-6);
}

TEST(SparseSoftmaxCrossEntropyTest, HugeLogitsGiveFiniteLossAtTheAnalyticLimit) {
  Graph g;
  Var x = g.Input("x", {2, 3}, /*requires_grad=*/true);
  Var ids = g.Input("ids", {2, 1});
  Tensor xv(2, 3), idv(2, 1);
  xv << 1000, -1000, 0, 1000, -1000, 0;
  idv << 0, 1;
  g.Feed(x, xv);
  g.Feed(ids, idv);
  Var loss = SparseSoftmaxCrossEntropy(x, ids);
  g.Forward();
  // Row 0: 0; row 1: 1000 - (-1000) = 2000; mean 1000.
  EXPECT_TRUE(std::isfinite(loss.scalar()));
  EXPECT_FLOAT_EQ(loss.scalar(), 1000.0f);
  g.Backward(loss);
  EXPECT_TRUE(x.grad().allFinite());
}

class SparseSoftmaxIdErrorTest : public ::testing::Test {
 protected:
  // The message of the DataError for `id` placed at row 2 of four, with ten classes.
  std::string MessageFor(float id) {
    Tensor idv = Tensor::Zero(4, 1);
    idv(2, 0) = id;
    g_.Feed(ids_, idv);
    return ForwardDataError(g_);
  }
  Graph g_;
  Var x_ = g_.Input("x", {4, 10});
  Var ids_ = g_.Input("ids", {4, 1});
  Var loss_ = SparseSoftmaxCrossEntropy(x_, ids_);
};

TEST_F(SparseSoftmaxIdErrorTest, IdEqualToClassCount) {
  const std::string message = MessageFor(10);
  EXPECT_NE(message.find("row 2"), std::string::npos) << message;
  EXPECT_NE(message.find("id 10"), std::string::npos) << message;
}

TEST_F(SparseSoftmaxIdErrorTest, NegativeId) {
  const std::string message = MessageFor(-1);
  EXPECT_NE(message.find("row 2"), std::string::npos) << message;
  EXPECT_NE(message.find("id -1"), std::string::npos) << message;
}

TEST_F(SparseSoftmaxIdErrorTest, FractionalId) {
  const std::string message = MessageFor(2.5f);
  EXPECT_NE(message.find("row 2"), std::string::npos) << message;
  EXPECT_NE(message.find("id 2.5"), std::string::npos) << message;
}

TEST_F(SparseSoftmaxIdErrorTest, NanId) { EXPECT_NE(MessageFor(std::numeric_limits<float>::quiet_NaN()), ""); }

TEST_F(SparseSoftmaxIdErrorTest, ValidIdsAreAccepted) {
  EXPECT_EQ(MessageFor(9), "");
  EXPECT_EQ(MessageFor(0), "");
}

TEST(SparseSoftmaxCrossEntropyTest, RejectsShapeMismatch) {
  Graph g;
  Var x = g.Input("x", {4, 10});
  Var wrong_rows = g.Input("wrong_rows", {3, 1});
  Var one_hot = g.Input("one_hot", {4, 10});
  EXPECT_THROW(SparseSoftmaxCrossEntropy(x, wrong_rows), ShapeError);
  EXPECT_THROW(SparseSoftmaxCrossEntropy(x, one_hot), ShapeError);
}

}  // namespace
}  // namespace lever
