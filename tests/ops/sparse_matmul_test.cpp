#include "lever/ops/sparse_matmul.h"

#include <gtest/gtest.h>

#include "lever/error.h"
#include "lever/ops/activations.h"
#include "lever/ops/matmul.h"
#include "lever/ops/reduce.h"
#include "testing/gradcheck.h"

namespace lever {
namespace {

using testing::GradientsMatch;
using testing::RandomTensor;

// Three rows over 6 features: row 0 has three entries, row 1 one, row 2 none.
SparseRows Example() {
  SparseRows s;
  s.cols = 6;
  s.Add(0, 1.0f);
  s.Add(2, 0.5f);
  s.Add(5, -2.0f);
  s.EndRow();
  s.Add(3, 3.0f);
  s.EndRow();
  s.EndRow();
  return s;
}

TensorD Densify(const SparseRows& s) {  // tests only: lever never does this
  TensorD d = TensorD::Zero(s.rows(), s.cols);
  for (Index i = 0; i < s.rows(); ++i) {
    for (int64_t k = s.row_ptr[static_cast<size_t>(i)]; k < s.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
      d(i, s.ids[static_cast<size_t>(k)]) += s.values[static_cast<size_t>(k)];
    }
  }
  return d;
}

class SparseMatMulTest : public ::testing::TestWithParam<Combiner> {};

TEST_P(SparseMatMulTest, TableGradientMatchesFiniteDifferences) {
  const SparseRows s = Example();
  const Combiner combiner = GetParam();
  Rng rng(3);
  EXPECT_TRUE(GradientsMatch(
      [&](const std::vector<VarD>& v) {
        VarD sp = v[0].graph()->SparseInput("ids", 6);
        v[0].graph()->FeedSparse(sp, &s);
        return Tanh(SparseMatMul(sp, v[0], combiner));
      },
      {RandomTensor(6, 4, rng)}));
}

TEST_P(SparseMatMulTest, EqualsTheDenseProductWithNormalizedRows) {
  const SparseRows s = Example();
  const Combiner combiner = GetParam();
  Rng rng(4);
  const TensorD w = RandomTensor(6, 3, rng);
  GraphD g;
  VarD sp = g.SparseInput("ids", 6);
  g.FeedSparse(sp, &s);
  VarD table = g.Constant(w);
  VarD y = SparseMatMul(sp, table, combiner);
  g.Forward();
  TensorD x = Densify(s);
  for (Index i = 0; i < x.rows(); ++i) {
    double norm = 1.0;
    if (combiner == Combiner::kMean) norm = x.row(i).sum();
    if (combiner == Combiner::kSqrtN) norm = x.row(i).norm();
    if (norm != 0.0) x.row(i) /= norm;
  }
  const TensorD expected = x * w;
  EXPECT_TRUE(TensorD(y.value()).isApprox(expected, 1e-12)) << TensorD(y.value()) << "\n vs \n" << expected;
  EXPECT_TRUE(y.value().row(2).isZero());  // an empty row gives zeros
}

INSTANTIATE_TEST_SUITE_P(Combiners, SparseMatMulTest,
                         ::testing::Values(Combiner::kSum, Combiner::kMean, Combiner::kSqrtN),
                         [](const auto& test_info) { return CombinerName(test_info.param); });

TEST(SparseMatMulRowSparseTest, BackwardTouchesOnlyTheRowsInTheBatch) {
  Tensor table = Tensor::Ones(100, 2);
  Tensor grad = Tensor::Zero(100, 2);
  RowSet touched;
  touched.Reset(100);
  Graph g;
  Var sp = g.SparseInput("ids", 100);
  Var w = g.Bind("table", &table, &grad, &touched);
  Var loss = Sum(SparseMatMul(sp, w));
  SparseRows first;
  first.cols = 100;
  first.Add(7, 1.0f);
  first.Add(42, 2.0f);
  first.EndRow();
  first.Add(7, 1.0f);
  first.EndRow();
  g.FeedSparse(sp, &first);
  g.Forward();
  EXPECT_FLOAT_EQ(loss.scalar(), 2 * (1 + 2) + 2 * 1);
  g.Backward(loss);
  EXPECT_EQ(touched.rows(), (std::vector<Index>{7, 42}));
  EXPECT_FLOAT_EQ(grad(7, 0), 2.0f);  // two entries of value 1
  EXPECT_FLOAT_EQ(grad(42, 1), 2.0f);
  EXPECT_EQ((grad.array() != 0.0f).count(), 4);

  // The next pass zeroes the old rows and touches only its own.
  SparseRows second;
  second.cols = 100;
  second.Add(99, 0.5f);
  second.EndRow();
  g.FeedSparse(sp, &second);
  g.Forward();
  g.Backward(loss);
  EXPECT_EQ(touched.rows(), (std::vector<Index>{99}));
  EXPECT_EQ((grad.array() != 0.0f).count(), 2);
  EXPECT_FLOAT_EQ(grad(99, 0), 0.5f);
}

TEST(SparseMatMulRowSparseTest, IdsOutsideTheTableAreADataError) {
  Graph g;
  Var sp = g.SparseInput("ids", 6);
  Var w = g.Constant(Tensor::Ones(5, 1));  // one row short
  EXPECT_THROW(SparseMatMul(sp, w), ShapeError);
  Var ok = g.Constant(Tensor::Ones(6, 1));
  Var y = SparseMatMul(sp, ok);
  SparseRows s;
  s.cols = 6;
  s.Add(9, 1.0f);  // corrupt: beyond cols
  s.EndRow();
  g.FeedSparse(sp, &s);
  try {
    g.Forward();
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("id 9 in row 0"), std::string::npos) << e.what();
  }
  (void)y;
}

TEST(SparseMatMulRowSparseTest, DenseOpsRefuseSparseInputs) {
  Graph g;
  Var sp = g.SparseInput("ids", 6);
  Var w = g.Constant(Tensor::Ones(6, 1));
  EXPECT_THROW(MatMul(sp, w), ShapeError);
  Tensor table = Tensor::Ones(6, 1), grad = Tensor::Zero(6, 1);
  RowSet touched;
  touched.Reset(6);
  Var t = g.Bind("table", &table, &grad, &touched);
  Var x = g.Constant(Tensor::Ones(1, 6));
  EXPECT_THROW(MatMul(x, t), ShapeError);
  SparseRows wrong;
  wrong.cols = 7;
  EXPECT_THROW(g.FeedSparse(sp, &wrong), ShapeError);
  EXPECT_THROW(ParseCombiner("max"), ConfigError);
}

}  // namespace
}  // namespace lever
