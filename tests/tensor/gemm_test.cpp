#include "lever/tensor/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <type_traits>

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
  std::string ToString() const {
    return std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n);
  }
};

// Each shape lands on one dispatch path: work m k n <= 4096 runs as coefficient loops, more runs on
// Eigen, and float work >= 65536 goes to OpenBLAS.
constexpr GemmShape kShapes[] = {{10, 2, 8}, {10, 8, 8}, {32, 64, 10}, {32, 64, 128}, {128, 784, 256}};

TEST(GemmTest, ShapesCoverEveryDispatchPath) {
  EXPECT_LE(kShapes[0].m * kShapes[0].k * kShapes[0].n, internal::kTinyGemmWork);
  EXPECT_LE(kShapes[1].m * kShapes[1].k * kShapes[1].n, internal::kTinyGemmWork);
  const Index medium = kShapes[2].m * kShapes[2].k * kShapes[2].n;
  EXPECT_GT(medium, internal::kTinyGemmWork);
  EXPECT_LT(medium, internal::kBlasGemmWork);
  EXPECT_GE(kShapes[3].m * kShapes[3].k * kShapes[3].n, internal::kBlasGemmWork);
  EXPECT_GE(kShapes[4].m * kShapes[4].k * kShapes[4].n, internal::kBlasGemmWork);
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
        return ::testing::AssertionFailure() << "element (" << i << ", " << j << "): Gemm " << c(i, j)
                                             << ", naive " << reference(i, j) << ", error " << error;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

template <class T>
void ExpectGemmMatchesNaive(const GemmShape& s, bool transpose_a, bool transpose_b, bool accumulate,
                            uint64_t seed) {
  SCOPED_TRACE(s.ToString() + (std::is_same_v<T, float> ? " float" : " double") +
               (transpose_a ? " a^T" : " a") + (transpose_b ? " b^T" : " b") +
               (accumulate ? " accumulate" : " overwrite"));
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
        for (bool accumulate : {false, true}) ExpectGemmMatchesNaive<T>(s, transpose_a, transpose_b, accumulate, seed++);
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
