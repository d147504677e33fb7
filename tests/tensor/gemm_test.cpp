#include "lever/tensor/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "lever/tensor/rng.h"

namespace lever {
namespace {

template <class T>
TensorT<T> Random(Index rows, Index cols, Rng& rng) {
  TensorT<T> t(rows, cols);
  for (Index i = 0; i < t.size(); ++i) t.data()[i] = static_cast<T>(rng.Uniform(-1.0, 1.0));
  return t;
}

// Relative tolerance per element, scaled by |row of op(a)| |column of op(b)| (+ |c| when accumulating).
template <class T>
constexpr double kTolerance = std::is_same_v<T, float> ? 1e-4 : 1e-12;

struct GemmShape {
  Index m, k, n;
  std::string ToString() const { return std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n); }
};

// Each shape lands on one dispatch path (thresholds in gemm.h): work m k n up to kTinyGemmWork runs as
// coefficient loops, more runs on Eigen; float work from kBlasGemmWork goes to OpenBLAS on the calling
// thread, and from kParallelGemmWork it is split by rows or columns of the result across the pool.
constexpr GemmShape kShapes[] = {{10, 2, 8}, {10, 8, 8}, {32, 64, 10}, {32, 64, 64}, {32, 64, 128}, {128, 784, 256}};

Index Work(const GemmShape& s) { return s.m * s.k * s.n; }

TEST(GemmTest, ShapesCoverEveryDispatchPath) {
  EXPECT_LE(Work(kShapes[0]), internal::kTinyGemmWork);
  EXPECT_LE(Work(kShapes[1]), internal::kTinyGemmWork);
  EXPECT_GT(Work(kShapes[2]), internal::kTinyGemmWork);
  EXPECT_LT(Work(kShapes[2]), internal::kBlasGemmWork);
  EXPECT_GE(Work(kShapes[3]), internal::kBlasGemmWork);
  EXPECT_LT(Work(kShapes[3]), internal::kParallelGemmWork);
  EXPECT_GE(Work(kShapes[5]), internal::kParallelGemmWork);
}

// Compares c (from Gemm) with reference (from GemmNaive); c0 is c before the call.
template <class T, class A, class B, class C>
::testing::AssertionResult Agrees(const A& op_a, const B& op_b, const C& c0, const TensorT<T>& c,
                                  const TensorT<T>& reference, bool accumulate) {
  const Eigen::MatrixXd a = op_a.template cast<double>();
  const Eigen::MatrixXd b = op_b.template cast<double>();
  const Eigen::VectorXd row_norms = a.rowwise().norm();
  const Eigen::RowVectorXd col_norms = b.colwise().norm();
  for (Index i = 0; i < c.rows(); ++i) {
    for (Index j = 0; j < c.cols(); ++j) {
      const double scale = row_norms(i) * col_norms(j) + (accumulate ? std::abs(static_cast<double>(c0(i, j))) : 0.0);
      const double error = std::abs(static_cast<double>(c(i, j)) - static_cast<double>(reference(i, j)));
      if (!(error <= kTolerance<T> * scale + 1e-30)) {
        return ::testing::AssertionFailure() << "element (" << i << ", " << j << "): Gemm " << c(i, j) << ", naive "
                                             << reference(i, j) << ", error " << error;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

template <class T>
void ExpectGemmMatchesNaive(const GemmShape& s, bool transpose_a, bool transpose_b, bool accumulate, uint64_t seed) {
  SCOPED_TRACE(s.ToString() + (std::is_same_v<T, float> ? " float" : " double") + (transpose_a ? " a^T" : " a") +
               (transpose_b ? " b^T" : " b") + (accumulate ? " accumulate" : " overwrite"));
  Rng rng(seed);
  const TensorT<T> a = transpose_a ? Random<T>(s.k, s.m, rng) : Random<T>(s.m, s.k, rng);
  const TensorT<T> b = transpose_b ? Random<T>(s.n, s.k, rng) : Random<T>(s.k, s.n, rng);
  const TensorT<T> c0 = Random<T>(s.m, s.n, rng);
  TensorT<T> c = c0;
  TensorT<T> reference = c0;
  Gemm<T>(a, transpose_a, b, transpose_b, c, accumulate);
  GemmNaive<T>(a, transpose_a, b, transpose_b, reference, accumulate);
  const TensorT<T> op_a = transpose_a ? TensorT<T>(a.transpose()) : a;
  const TensorT<T> op_b = transpose_b ? TensorT<T>(b.transpose()) : b;
  EXPECT_TRUE(Agrees<T>(op_a, op_b, c0, c, reference, accumulate));
}

template <class T>
void ExpectAllCombinationsMatchNaive() {
  uint64_t seed = 1;
  for (const GemmShape& s : kShapes) {
    for (bool transpose_a : {false, true}) {
      for (bool transpose_b : {false, true}) {
        for (bool accumulate : {false, true})
          ExpectGemmMatchesNaive<T>(s, transpose_a, transpose_b, accumulate, seed++);
      }
    }
  }
}

TEST(GemmTest, FloatMatchesNaiveOnEveryPathTransposeAndMode) { ExpectAllCombinationsMatchNaive<float>(); }

TEST(GemmTest, DoubleMatchesNaiveOnEveryPathTransposeAndMode) { ExpectAllCombinationsMatchNaive<double>(); }

// Operands and result are blocks of larger matrices, so every outer stride differs from the width:
// the BLAS path must pass the leading dimensions through, and must not touch c's neighbours.
template <class T>
void ExpectBlocksWork(const GemmShape& s, bool transpose_a, bool transpose_b, bool accumulate) {
  SCOPED_TRACE(s.ToString() + (std::is_same_v<T, float> ? " float" : " double") + (transpose_a ? " a^T" : " a") +
               (transpose_b ? " b^T" : " b") + (accumulate ? " accumulate" : " overwrite"));
  Rng rng(17);
  const Index a_rows = transpose_a ? s.k : s.m, a_cols = transpose_a ? s.m : s.k;
  const Index b_rows = transpose_b ? s.n : s.k, b_cols = transpose_b ? s.k : s.n;
  const TensorT<T> big_a = Random<T>(a_rows + 3, a_cols + 5, rng);
  const TensorT<T> big_b = Random<T>(b_rows + 4, b_cols + 2, rng);
  const TensorT<T> big_c0 = Random<T>(s.m + 6, s.n + 7, rng);
  TensorT<T> big_c = big_c0;
  TensorT<T> reference = big_c0.block(2, 3, s.m, s.n);
  const ConstTensorRef<T> a = big_a.block(1, 2, a_rows, a_cols);
  const ConstTensorRef<T> b = big_b.block(3, 1, b_rows, b_cols);
  ASSERT_EQ(a.outerStride(), a_cols + 5);  // viewed in place, not copied
  ASSERT_EQ(b.outerStride(), b_cols + 2);
  TensorRef<T> c = big_c.block(2, 3, s.m, s.n);
  ASSERT_EQ(c.outerStride(), s.n + 7);
  Gemm<T>(a, transpose_a, b, transpose_b, c, accumulate);
  GemmNaive<T>(a, transpose_a, b, transpose_b, reference, accumulate);
  const TensorT<T> op_a = transpose_a ? TensorT<T>(a.transpose()) : TensorT<T>(a);
  const TensorT<T> op_b = transpose_b ? TensorT<T>(b.transpose()) : TensorT<T>(b);
  EXPECT_TRUE(Agrees<T>(op_a, op_b, big_c0.block(2, 3, s.m, s.n), TensorT<T>(c), reference, accumulate));
  TensorT<T> outside = big_c;
  outside.block(2, 3, s.m, s.n) = big_c0.block(2, 3, s.m, s.n);
  EXPECT_EQ(outside, big_c0) << "Gemm wrote outside the target block";
}

TEST(GemmTest, WritesIntoABlockOfALargerMatrixOnTheBlasPath) {
  for (bool transpose_a : {false, true}) {
    for (bool transpose_b : {false, true}) {
      for (bool accumulate : {false, true}) {
        ExpectBlocksWork<float>({32, 64, 128}, transpose_a, transpose_b, accumulate);
      }
    }
  }
}

TEST(GemmTest, WritesIntoABlockOfALargerMatrixOnTheEigenPaths) {
  for (const GemmShape& s : {GemmShape{10, 8, 8}, GemmShape{32, 64, 10}}) {
    for (bool transpose_a : {false, true}) {
      for (bool transpose_b : {false, true}) {
        ExpectBlocksWork<float>(s, transpose_a, transpose_b, true);
        ExpectBlocksWork<double>(s, transpose_a, transpose_b, false);
      }
    }
  }
  ExpectBlocksWork<double>({32, 64, 128}, true, false, true);
}

// Vector-shaped operands (a single row or column) on the BLAS path: the views' strides are the
// ones Eigen infers for vectors.
TEST(GemmTest, VectorShapedOperandsOnTheBlasPath) {
  for (const GemmShape& s : {GemmShape{1, 512, 256}, GemmShape{256, 512, 1}, GemmShape{256, 1, 512}}) {
    for (bool transpose_a : {false, true}) {
      for (bool transpose_b : {false, true}) {
        ExpectGemmMatchesNaive<float>(s, transpose_a, transpose_b, false, 3);
        ExpectGemmMatchesNaive<float>(s, transpose_a, transpose_b, true, 4);
      }
    }
  }
}

// Restores the thread count a test changed.
class GemmThreadsTest : public ::testing::Test {
 protected:
  void TearDown() override { SetGemmThreads(saved_); }
  int saved_ = GemmThreads();
};

// Shapes just above the parallel threshold, whatever it is tuned to: tall results (split by rows), wide
// ones (split by columns), sizes that leave a short last 16-wide chunk, and a thin one.
std::vector<GemmShape> ParallelShapes() {
  const auto above = [](Index a, Index b, Index extra) {
    return (internal::kParallelGemmWork + a * b - 1) / (a * b) + extra;
  };
  return {{above(100, 64, 0), 100, 64},
          {64, 100, above(64, 100, 0)},
          {97, 61, above(97, 61, 3)},
          {above(61, 97, 5), 61, 97},
          {17, 400, above(17, 400, 1)}};
}

TEST_F(GemmThreadsTest, ParallelSplitsMatchNaive) {
  for (int threads : {2, 3, 8}) {
    SetGemmThreads(threads);
    ASSERT_EQ(GemmThreads(), threads);
    for (const GemmShape& s : ParallelShapes()) {
      ASSERT_GE(Work(s), internal::kParallelGemmWork);
      for (bool transpose_a : {false, true}) {
        for (bool transpose_b : {false, true}) {
          ExpectGemmMatchesNaive<float>(s, transpose_a, transpose_b, false, 11);
          ExpectGemmMatchesNaive<float>(s, transpose_a, transpose_b, true, 12);
        }
      }
      ExpectBlocksWork<float>(s, true, false, true);
      ExpectBlocksWork<float>(s, false, true, false);
    }
  }
}

// Exact equality, reporting how many elements differ and the largest difference.
::testing::AssertionResult BitIdentical(const Tensor& actual, const Tensor& expected) {
  Index differing = 0;
  Index worst = 0;
  for (Index i = 0; i < actual.size(); ++i) {
    if (actual.data()[i] != expected.data()[i]) {
      if (differing == 0 ||
          std::abs(actual.data()[i] - expected.data()[i]) > std::abs(actual.data()[worst] - expected.data()[worst])) {
        worst = i;
      }
      ++differing;
    }
  }
  if (differing == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << differing << " of " << actual.size() << " elements differ; largest at "
                                       << worst << ": " << actual.data()[worst] << " vs " << expected.data()[worst];
}

// gemm.h: the split is fixed for a given thread count, so the same count reproduces a result bit for bit,
// also after the pool was resized to another count and back. (A different count may change the last
// bits, so results are not compared across counts.)
TEST_F(GemmThreadsTest, SameThreadCountReproducesResultsExactly) {
  for (const GemmShape& s : ParallelShapes()) {
    for (bool transpose_a : {false, true}) {
      for (bool transpose_b : {false, true}) {
        SCOPED_TRACE(s.ToString() + (transpose_a ? " a^T" : " a") + (transpose_b ? " b^T" : " b"));
        Rng rng(21);
        const Tensor a = transpose_a ? Random<float>(s.k, s.m, rng) : Random<float>(s.m, s.k, rng);
        const Tensor b = transpose_b ? Random<float>(s.n, s.k, rng) : Random<float>(s.k, s.n, rng);
        for (int threads : {1, 3}) {
          SetGemmThreads(threads);
          Tensor first(s.m, s.n);
          Gemm<float>(a, transpose_a, b, transpose_b, first, false);
          Tensor again(s.m, s.n);
          Gemm<float>(a, transpose_a, b, transpose_b, again, false);
          EXPECT_TRUE(BitIdentical(again, first)) << threads << " threads, repeated";
          SetGemmThreads(threads + 1);
          SetGemmThreads(threads);
          Tensor after_resize(s.m, s.n);
          Gemm<float>(a, transpose_a, b, transpose_b, after_resize, false);
          EXPECT_TRUE(BitIdentical(after_resize, first)) << threads << " threads, after a resize";
        }
      }
    }
  }
}

// Many products in quick succession on the pool (a training step's pattern).
TEST_F(GemmThreadsTest, RepeatedParallelProductsStayCorrect) {
  SetGemmThreads(4);
  Rng rng(31);
  const GemmShape s = ParallelShapes()[0];
  const Tensor a = Random<float>(s.m, s.k, rng);
  const Tensor b = Random<float>(s.k, s.n, rng);
  Tensor expected(s.m, s.n);
  GemmNaive<float>(a, false, b, false, expected, false);
  for (int i = 0; i < 100; ++i) {
    Tensor c(s.m, s.n);
    Gemm<float>(a, false, b, false, c, false);
    ASSERT_TRUE(c.isApprox(expected, 1e-5f)) << "iteration " << i;
  }
}

TEST(GemmTest, EmptyInnerDimensionGivesZerosOrLeavesTheResult) {
  Rng rng(5);
  const Tensor a(3, 0), b(0, 4);
  const Tensor c0 = Random<float>(3, 4, rng);
  Tensor c = c0;
  Gemm<float>(a, false, b, false, c, /*accumulate=*/true);
  EXPECT_EQ(c, c0);
  Gemm<float>(a, false, b, false, c, /*accumulate=*/false);
  EXPECT_EQ(c, Tensor::Zero(3, 4));
}

}  // namespace
}  // namespace lever
