#include "lever/ops/reduce.h"

#include <gtest/gtest.h>

#include "lever/ops/elementwise.h"
#include "testing/gradcheck.h"

namespace lever {
namespace {

using testing::GradientsMatch;
using testing::RandomTensor;

TEST(SumTest, BackwardMatchesFiniteDifferences) {
  Rng rng(1);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return Sum(v[0]); }, {RandomTensor(3, 4, rng)}));
}

TEST(MeanTest, BackwardMatchesFiniteDifferences) {
  Rng rng(2);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return Mean(v[0]); }, {RandomTensor(3, 4, rng)}));
}

TEST(SumRowsTest, BackwardMatchesFiniteDifferences) {
  Rng rng(3);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return SumRows(v[0]); }, {RandomTensor(5, 3, rng)}));
}

// Reductions composed: the projection in GradientsMatch is skipped for a scalar, so also check a chain
// whose scalar output depends on every element with a different weight.
TEST(ReduceTest, ComposedBackwardMatchesFiniteDifferences) {
  Rng rng(4);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return Mean(Square(SumRows(v[0]))); }, {RandomTensor(4, 3, rng)}));
}

// x = [[1, 2, 3], [4, 5, 6]]
class ReduceValuesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Tensor xv(2, 3);
    xv << 1, 2, 3, 4, 5, 6;
    g_.Feed(x_, xv);
  }
  Graph g_;
  Var x_ = g_.Input("x", {2, 3}, /*requires_grad=*/true);
};

TEST_F(ReduceValuesTest, Sum) {
  Var y = Sum(x_);
  g_.Forward();
  ASSERT_EQ(y.shape(), (Shape{1, 1}));
  EXPECT_FLOAT_EQ(y.scalar(), 21.0f);
  g_.Backward(y);
  EXPECT_TRUE(x_.grad().isApprox(Tensor::Ones(2, 3)));
}

TEST_F(ReduceValuesTest, Mean) {
  Var y = Mean(x_);
  g_.Forward();
  ASSERT_EQ(y.shape(), (Shape{1, 1}));
  EXPECT_FLOAT_EQ(y.scalar(), 3.5f);  // 21 / 6
  g_.Backward(y);
  EXPECT_TRUE(x_.grad().isApprox(Tensor::Constant(2, 3, 1.0f / 6.0f)));
}

TEST_F(ReduceValuesTest, SumRows) {
  Var y = SumRows(x_);
  g_.Forward();
  ASSERT_EQ(y.shape(), (Shape{1, 3}));
  EXPECT_FLOAT_EQ(y.value()(0, 0), 5.0f);  // 1 + 4
  EXPECT_FLOAT_EQ(y.value()(0, 1), 7.0f);  // 2 + 5
  EXPECT_FLOAT_EQ(y.value()(0, 2), 9.0f);  // 3 + 6
}

TEST_F(ReduceValuesTest, SumRowsFollowsTheBatchSize) {
  Var y = SumRows(x_);
  Tensor xv(3, 3);
  xv << 1, 2, 3, 4, 5, 6, 7, 8, 9;
  g_.Feed(x_, xv);
  g_.Forward();
  ASSERT_EQ(y.shape(), (Shape{1, 3}));
  EXPECT_FLOAT_EQ(y.value()(0, 0), 12.0f);
  EXPECT_FLOAT_EQ(y.value()(0, 1), 15.0f);
  EXPECT_FLOAT_EQ(y.value()(0, 2), 18.0f);
}

}  // namespace
}  // namespace lever
