#include "lever/autodiff/graph.h"

#include <gtest/gtest.h>

#include "lever/error.h"
#include "lever/ops/elementwise.h"
#include "lever/ops/matmul.h"
#include "lever/ops/reduce.h"

namespace lever {
namespace {

TEST(GraphTest, BackwardOnANonScalarThrows) {
  Graph g;
  Var x = g.Input("x", {2, 3}, /*requires_grad=*/true);
  Var y = Square(x);
  g.Forward();
  EXPECT_THROW(g.Backward(y), ShapeError);
  EXPECT_THROW(g.Backward(SumRows(x)), ShapeError);
}

TEST(GraphTest, BackwardOnALossWithoutGradientThrows) {
  Graph g;
  Var x = g.Input("x", {2, 3});
  Var loss = Sum(x);
  g.Forward();
  EXPECT_THROW(g.Backward(loss), ShapeError);
}

TEST(GraphTest, GradientsAccumulateOverEveryUseOfAVariable) {
  Graph g;
  Var x = g.Input("x", {1, 3}, /*requires_grad=*/true);
  Tensor xv(1, 3);
  xv << 1, -2, 3;
  g.Feed(x, xv);
  Var loss = Sum(Mul(x, x));  // d/dx sum(x x) = 2 x, one x from each operand
  g.Forward();
  g.Backward(loss);
  EXPECT_FLOAT_EQ(loss.scalar(), 14.0f);
  EXPECT_EQ(Tensor(x.grad()), 2.0f * xv);

  // Three paths: loss = sum(x x) + sum(3 x), so d/dx = 2 x + 3.
  Var loss2 = Add(loss, Sum(Scale(x, 3.0)));
  g.Forward();
  g.Backward(loss2);
  EXPECT_EQ(Tensor(x.grad()), (2.0f * xv.array() + 3.0f).matrix());
}

TEST(GraphTest, BackwardStartsFromZeroEachTime) {
  Graph g;
  Var x = g.Input("x", {1, 2}, /*requires_grad=*/true);
  g.Feed(x, Tensor::Constant(1, 2, 2.0f));
  Var loss = Sum(Square(x));
  g.Forward();
  g.Backward(loss);
  g.Backward(loss);
  EXPECT_EQ(Tensor(x.grad()), Tensor::Constant(1, 2, 4.0f));
}

TEST(GraphTest, FeedWithANewRowCountReinfersShapes) {
  Graph g;
  Var x = g.Input("x", {2, 3}, /*requires_grad=*/true);
  Tensor wv(3, 2);
  wv << 1, 0, 0, 1, 1, 1;
  Tensor w_grad = Tensor::Zero(3, 2);
  Var w = g.Bind("w", &wv, &w_grad);
  Var y = MatMul(x, w);
  Var loss = Sum(y);
  Tensor x2(2, 3);
  x2 << 1, 2, 3, 4, 5, 6;
  g.Feed(x, x2);
  g.Forward();
  ASSERT_EQ(y.shape(), (Shape{2, 2}));

  Tensor x4(4, 3);
  x4 << 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, 0, 1;
  g.Feed(x, x4);
  g.Forward();
  ASSERT_EQ(y.shape(), (Shape{4, 2}));
  ASSERT_EQ(x.shape(), (Shape{4, 3}));
  Tensor expected(4, 2);  // columns: x0 + x2 and x1 + x2
  expected << 4, 5, 10, 11, 16, 17, 0, 1;
  EXPECT_EQ(Tensor(y.value()), expected);
  EXPECT_FLOAT_EQ(loss.scalar(), expected.sum());
  g.Backward(loss);
  // d/dw = x^T 1: the column sums of x in each column.
  Tensor expected_dw(3, 2);
  expected_dw << 11, 11, 15, 15, 19, 19;
  EXPECT_EQ(w_grad, expected_dw);
  ASSERT_EQ(x.grad().rows(), 4);
  EXPECT_EQ(Tensor(x.grad().row(3)), Tensor(wv.rowwise().sum().transpose()));

  // Back to fewer rows.
  Tensor x1(1, 3);
  x1 << 2, 0, -1;
  g.Feed(x, x1);
  g.Forward();
  ASSERT_EQ(y.shape(), (Shape{1, 2}));
  EXPECT_FLOAT_EQ(y.value()(0, 0), 1.0f);
  EXPECT_FLOAT_EQ(y.value()(0, 1), -1.0f);
}

TEST(GraphTest, ForwardUntilComputesOnlyUpToThatNode) {
  Graph g;
  Var x = g.Input("x", {1, 2});
  Var doubled = Scale(x, 2.0);
  Var squared = Square(doubled);
  g.Feed(x, Tensor::Constant(1, 2, 1.0f));
  g.Forward();
  EXPECT_EQ(Tensor(squared.value()), Tensor::Constant(1, 2, 4.0f));

  g.Feed(x, Tensor::Constant(1, 2, 3.0f));
  g.Forward(doubled);
  EXPECT_EQ(Tensor(doubled.value()), Tensor::Constant(1, 2, 6.0f));
  EXPECT_EQ(Tensor(squared.value()), Tensor::Constant(1, 2, 4.0f)) << "a later node was recomputed";
  g.Forward(squared);
  EXPECT_EQ(Tensor(squared.value()), Tensor::Constant(1, 2, 36.0f));
}

TEST(GraphTest, ForwardUntilReinfersShapesAfterAFeed) {
  Graph g;
  Var x = g.Input("x", {1, 2});
  Var doubled = Scale(x, 2.0);
  g.Feed(x, Tensor::Constant(3, 2, 1.0f));
  g.Forward(doubled);
  ASSERT_EQ(doubled.shape(), (Shape{3, 2}));
  EXPECT_EQ(Tensor(doubled.value()), Tensor::Constant(3, 2, 2.0f));
}

TEST(GraphTest, BindViewsExternalStorage) {
  Graph g;
  Tensor weights(1, 3);
  weights << 1, 2, 3;
  Tensor dweights = Tensor::Constant(1, 3, 99.0f);  // stale values Backward must clear
  Var x = g.Input("x", {2, 3});
  Var w = g.Bind("w", &weights, &dweights);
  Tensor xv(2, 3);
  xv << 1, 1, 1, 2, 0, -1;
  g.Feed(x, xv);
  Var loss = Sum(Mul(x, w));
  g.Forward();
  EXPECT_FLOAT_EQ(loss.scalar(), 5.0f);  // (1 + 2 + 3) + (2 + 0 - 3)
  EXPECT_EQ(w.value().data(), weights.data());

  weights << 0, 0, 10;  // an optimizer updating the parameter in place
  g.Forward();
  EXPECT_FLOAT_EQ(loss.scalar(), 0.0f);  // 10 - 10

  g.Backward(loss);
  Tensor expected(1, 3);  // column sums of x
  expected << 3, 1, 0;
  EXPECT_EQ(dweights, expected);
  EXPECT_EQ(w.grad().data(), dweights.data());
}

TEST(GraphTest, BindWithoutGradientIsFrozen) {
  Graph g;
  Tensor weights = Tensor::Ones(1, 2);
  Var x = g.Input("x", {1, 2}, /*requires_grad=*/true);
  Var w = g.Bind("w", &weights, nullptr);
  EXPECT_FALSE(w.requires_grad());
  Var loss = Sum(Mul(x, w));
  g.Forward();
  g.Backward(loss);
  EXPECT_THROW(w.grad(), ShapeError);
  EXPECT_EQ(Tensor(x.grad()), weights);
}

TEST(GraphTest, BindRejectsMismatchedGradientStorage) {
  Graph g;
  Tensor weights(2, 3), wrong_grad(3, 2);
  EXPECT_THROW(g.Bind("w", &weights, &wrong_grad), ShapeError);
  EXPECT_THROW(g.Bind("w", nullptr, nullptr), ShapeError);
}

TEST(GraphTest, FeedWithWrongColumnCountThrows) {
  Graph g;
  Var x = g.Input("x", {2, 3});
  EXPECT_THROW(g.Feed(x, Tensor::Zero(2, 4)), ShapeError);
  EXPECT_THROW(g.Feed(x, Tensor::Zero(2, 2)), ShapeError);
  EXPECT_NO_THROW(g.Feed(x, Tensor::Zero(5, 3)));
}

TEST(GraphTest, FeedOnlyAcceptsInputs) {
  Graph g;
  Var x = g.Input("x", {2, 3});
  Var y = Square(x);
  EXPECT_THROW(g.Feed(y, Tensor::Zero(2, 3)), ShapeError);
  Graph other;
  Var z = other.Input("z", {2, 3});
  EXPECT_THROW(g.Feed(z, Tensor::Zero(2, 3)), ShapeError);
}

TEST(GraphTest, ConstantsGetNoGradient) {
  Graph g;
  Tensor cv(1, 2);
  cv << 2, 5;
  Var c = g.Constant(cv);
  Var x = g.Input("x", {1, 2}, /*requires_grad=*/true);
  g.Feed(x, Tensor::Ones(1, 2));
  Var loss = Sum(Mul(c, x));
  EXPECT_FALSE(c.requires_grad());
  EXPECT_EQ(c.op(), "constant");
  g.Forward();
  g.Backward(loss);
  EXPECT_EQ(Tensor(x.grad()), cv);
  EXPECT_THROW(c.grad(), ShapeError);
  EXPECT_EQ(Tensor(c.value()), cv);
}

TEST(GraphTest, OpsRequireGradientOnlyWhenAnInputDoes) {
  Graph g;
  Var x = g.Input("x", {1, 2});
  Var p = g.Input("p", {1, 2}, /*requires_grad=*/true);
  EXPECT_FALSE(Square(x).requires_grad());
  EXPECT_TRUE(Mul(x, p).requires_grad());
}

}  // namespace
}  // namespace lever
