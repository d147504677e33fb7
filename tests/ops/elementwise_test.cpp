#include "lever/ops/elementwise.h"

#include <gtest/gtest.h>

#include <functional>

#include "lever/error.h"
#include "lever/ops/reduce.h"
#include "testing/gradcheck.h"

namespace lever {
namespace {

using testing::GradientsMatch;
using testing::RandomTensor;

using BinaryOp = std::function<VarD(const VarD&, const VarD&)>;

// Gradient-checks a binary op on both inputs for equal shapes, a broadcast b row and a broadcast a row.
void ExpectBinaryGradientsMatch(const BinaryOp& op, uint64_t seed) {
  Rng rng(seed);
  auto f = [&op](const std::vector<VarD>& v) { return op(v[0], v[1]); };
  {
    SCOPED_TRACE("equal shapes");
    EXPECT_TRUE(GradientsMatch(f, {RandomTensor(3, 4, rng, -2, 2), RandomTensor(3, 4, rng, -2, 2)}));
  }
  {
    SCOPED_TRACE("b is a (1, cols) row");
    EXPECT_TRUE(GradientsMatch(f, {RandomTensor(3, 4, rng, -2, 2), RandomTensor(1, 4, rng, -2, 2)}));
  }
  {
    SCOPED_TRACE("a is a (1, cols) row");
    EXPECT_TRUE(GradientsMatch(f, {RandomTensor(1, 4, rng, -2, 2), RandomTensor(3, 4, rng, -2, 2)}));
  }
}

TEST(AddTest, BackwardMatchesFiniteDifferences) {
  ExpectBinaryGradientsMatch([](const VarD& a, const VarD& b) { return Add(a, b); }, 1);
}

TEST(SubTest, BackwardMatchesFiniteDifferences) {
  ExpectBinaryGradientsMatch([](const VarD& a, const VarD& b) { return Sub(a, b); }, 2);
}

TEST(MulTest, BackwardMatchesFiniteDifferences) {
  ExpectBinaryGradientsMatch([](const VarD& a, const VarD& b) { return Mul(a, b); }, 3);
}

TEST(BiasAddTest, BackwardMatchesFiniteDifferences) {
  Rng rng(4);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return BiasAdd(v[0], v[1]); },
                             {RandomTensor(4, 3, rng, -2, 2), RandomTensor(1, 3, rng, -2, 2)}));
}

TEST(ScaleTest, BackwardMatchesFiniteDifferences) {
  Rng rng(5);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return Scale(v[0], -2.5); }, {RandomTensor(3, 4, rng, -2, 2)}));
}

TEST(SquareTest, BackwardMatchesFiniteDifferences) {
  Rng rng(6);
  EXPECT_TRUE(GradientsMatch([](const auto& v) { return Square(v[0]); }, {RandomTensor(3, 4, rng, -2, 2)}));
}

// a = [[1, 2, 3], [4, 5, 6]], b = [[10, 20, 30], [40, 50, 60]], row r = [[-1, 0.5, 2]].
class ElementwiseValuesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Tensor av(2, 3), bv(2, 3), rv(1, 3);
    av << 1, 2, 3, 4, 5, 6;
    bv << 10, 20, 30, 40, 50, 60;
    rv << -1, 0.5f, 2;
    g_.Feed(a_, av);
    g_.Feed(b_, bv);
    g_.Feed(r_, rv);
  }
  static void ExpectValues(const Var& y, std::initializer_list<float> expected) {
    ASSERT_EQ(y.shape(), (Shape{2, 3}));
    Index i = 0;
    for (float e : expected) {
      EXPECT_FLOAT_EQ(y.value().data()[i], e) << "element " << i;
      ++i;
    }
  }
  Graph g_;
  Var a_ = g_.Input("a", {2, 3});
  Var b_ = g_.Input("b", {2, 3});
  Var r_ = g_.Input("r", {1, 3});
};

TEST_F(ElementwiseValuesTest, Add) {
  Var same = Add(a_, b_), row_b = Add(a_, r_), row_a = Add(r_, a_);
  g_.Forward();
  ExpectValues(same, {11, 22, 33, 44, 55, 66});
  ExpectValues(row_b, {0, 2.5f, 5, 3, 5.5f, 8});
  ExpectValues(row_a, {0, 2.5f, 5, 3, 5.5f, 8});
}

TEST_F(ElementwiseValuesTest, Sub) {
  Var same = Sub(a_, b_), row_b = Sub(a_, r_), row_a = Sub(r_, a_);
  g_.Forward();
  ExpectValues(same, {-9, -18, -27, -36, -45, -54});
  ExpectValues(row_b, {2, 1.5f, 1, 5, 4.5f, 4});        // a - r
  ExpectValues(row_a, {-2, -1.5f, -1, -5, -4.5f, -4});  // r - a
}

TEST_F(ElementwiseValuesTest, Mul) {
  Var same = Mul(a_, b_), row_b = Mul(a_, r_), row_a = Mul(r_, a_);
  g_.Forward();
  ExpectValues(same, {10, 40, 90, 160, 250, 360});
  ExpectValues(row_b, {-1, 1, 6, -4, 2.5f, 12});
  ExpectValues(row_a, {-1, 1, 6, -4, 2.5f, 12});
}

TEST_F(ElementwiseValuesTest, BiasAddScaleSquare) {
  Var biased = BiasAdd(a_, r_), scaled = Scale(a_, -0.5), squared = Square(a_);
  g_.Forward();
  ExpectValues(biased, {0, 2.5f, 5, 3, 5.5f, 8});
  ExpectValues(scaled, {-0.5f, -1, -1.5f, -2, -2.5f, -3});
  ExpectValues(squared, {1, 4, 9, 16, 25, 36});
}

// The gradient of a broadcast row is the column sum of the full-shape gradient.
TEST(MulTest, BroadcastRowGradientSumsOverRows) {
  Graph g;
  Var a = g.Input("a", {2, 3});
  Var r = g.Input("r", {1, 3}, /*requires_grad=*/true);
  Tensor av(2, 3), rv(1, 3);
  av << 1, 2, 3, 4, 5, 6;
  rv << -1, 0.5f, 2;
  g.Feed(a, av);
  g.Feed(r, rv);
  Var loss = Sum(Mul(a, r));
  g.Forward();
  g.Backward(loss);
  EXPECT_FLOAT_EQ(r.grad()(0, 0), 5.0f);  // 1 + 4
  EXPECT_FLOAT_EQ(r.grad()(0, 1), 7.0f);  // 2 + 5
  EXPECT_FLOAT_EQ(r.grad()(0, 2), 9.0f);  // 3 + 6
}

TEST(ElementwiseTest, RejectsShapesThatNeitherMatchNorBroadcast) {
  Graph g;
  Var a = g.Input("a", {3, 4});
  Var b = g.Input("b", {2, 4});
  Var wide_row = g.Input("wide_row", {1, 5});
  Var column = g.Input("column", {3, 1});
  for (const Var& other : {b, wide_row, column}) {
    EXPECT_THROW(Add(a, other), ShapeError);
    EXPECT_THROW(Sub(a, other), ShapeError);
    EXPECT_THROW(Mul(a, other), ShapeError);
    EXPECT_THROW(Add(other, a), ShapeError);
    EXPECT_THROW(Sub(other, a), ShapeError);
    EXPECT_THROW(Mul(other, a), ShapeError);
  }
}

TEST(BiasAddTest, RejectsBiasOfWrongShape) {
  Graph g;
  Var x = g.Input("x", {3, 4});
  Var short_bias = g.Input("short_bias", {1, 3});
  Var tall_bias = g.Input("tall_bias", {3, 4});
  EXPECT_THROW(BiasAdd(x, short_bias), ShapeError);
  EXPECT_THROW(BiasAdd(x, tall_bias), ShapeError);
}

}  // namespace
}  // namespace lever
