#include "lever/ops/matmul.h"

#include <gtest/gtest.h>

#include "lever/error.h"
#include "testing/gradcheck.h"

namespace lever {
namespace {

using testing::GradientsMatch;
using testing::RandomTensor;

VarD MatMulOf(const std::vector<VarD>& v) { return MatMul(v[0], v[1]); }

TEST(MatMulTest, BackwardMatchesFiniteDifferencesSmall) {
  Rng rng(1);
  EXPECT_TRUE(GradientsMatch(MatMulOf, {RandomTensor(3, 4, rng), RandomTensor(4, 2, rng)}));
}

TEST(MatMulTest, BackwardMatchesFiniteDifferencesRowTimesMatrix) {
  Rng rng(2);
  EXPECT_TRUE(GradientsMatch(MatMulOf, {RandomTensor(1, 5, rng), RandomTensor(5, 3, rng)}));
}

TEST(MatMulTest, BackwardMatchesFiniteDifferencesMatrixTimesColumn) {
  Rng rng(3);
  EXPECT_TRUE(GradientsMatch(MatMulOf, {RandomTensor(4, 6, rng), RandomTensor(6, 1, rng)}));
}

TEST(MatMulTest, BackwardMatchesFiniteDifferencesOuterProduct) {
  Rng rng(4);
  EXPECT_TRUE(GradientsMatch(MatMulOf, {RandomTensor(5, 1, rng), RandomTensor(1, 4, rng)}));
}

// 20 x 30 x 25 = 15000 multiply-adds: above the tiny-kernel threshold, so forward and both backward
// products run through the blocked (Eigen) path, including the transposed ones.
TEST(MatMulTest, BackwardMatchesFiniteDifferencesLarge) {
  Rng rng(5);
  EXPECT_TRUE(GradientsMatch(MatMulOf, {RandomTensor(20, 30, rng), RandomTensor(30, 25, rng)}));
}

TEST(MatMulTest, ForwardValueTwoByTwo) {
  Graph g;
  Var a = g.Input("a", {2, 2});
  Var b = g.Input("b", {2, 2});
  Tensor av(2, 2), bv(2, 2);
  av << 1, 2, 3, 4;
  bv << 5, 6, 7, 8;
  g.Feed(a, av);
  g.Feed(b, bv);
  Var y = MatMul(a, b);
  g.Forward();
  ASSERT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_FLOAT_EQ(y.value()(0, 0), 19.0f);  // 1*5 + 2*7
  EXPECT_FLOAT_EQ(y.value()(0, 1), 22.0f);  // 1*6 + 2*8
  EXPECT_FLOAT_EQ(y.value()(1, 0), 43.0f);  // 3*5 + 4*7
  EXPECT_FLOAT_EQ(y.value()(1, 1), 50.0f);  // 3*6 + 4*8
}

TEST(MatMulTest, ForwardValueNonSquare) {
  Graph g;
  Var a = g.Input("a", {1, 3});
  Var b = g.Input("b", {3, 2});
  Tensor av(1, 3), bv(3, 2);
  av << 1, -1, 2;
  bv << 1, 2, 3, 4, 5, 6;
  g.Feed(a, av);
  g.Feed(b, bv);
  Var y = MatMul(a, b);
  g.Forward();
  ASSERT_EQ(y.shape(), (Shape{1, 2}));
  EXPECT_FLOAT_EQ(y.value()(0, 0), 8.0f);   // 1 - 3 + 10
  EXPECT_FLOAT_EQ(y.value()(0, 1), 10.0f);  // 2 - 4 + 12
}

TEST(MatMulTest, RejectsInnerDimensionMismatch) {
  Graph g;
  Var a = g.Input("a", {2, 3});
  Var b = g.Input("b", {4, 2});
  EXPECT_THROW(MatMul(a, b), ShapeError);
}

}  // namespace
}  // namespace lever
