#include "lever/tensor/gemm.h"

#include <cblas.h>

namespace lever {
namespace {

template <class T, class A, class B>
void EigenProduct(const A& a, const B& b, TensorRef<T>& c, bool accumulate, bool tiny) {
  if (tiny) {
    // Coefficient-based evaluation: no packing, which dominates at these sizes.
    if (accumulate) {
      c.noalias() += a.lazyProduct(b);
    } else {
      c.noalias() = a.lazyProduct(b);
    }
  } else if (accumulate) {
    c.noalias() += a * b;
  } else {
    c.noalias() = a * b;
  }
}

}  // namespace

template <class T>
void Gemm(const ConstTensorRef<T>& a, bool transpose_a, const ConstTensorRef<T>& b, bool transpose_b,
            TensorRef<T> c, bool accumulate) {
  const Index m = transpose_a ? a.cols() : a.rows();
  const Index k = transpose_a ? a.rows() : a.cols();
  const Index n = transpose_b ? b.rows() : b.cols();
  const Index work = m * k * n;
  if (work == 0) {
    if (!accumulate) c.setZero();
    return;
  }
  if constexpr (std::is_same_v<T, float>) {
    if (work >= internal::kBlasGemmWork) {
      cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans,
                  static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), 1.0f, a.data(),
                  static_cast<blasint>(a.outerStride()), b.data(), static_cast<blasint>(b.outerStride()), accumulate ? 1.0f : 0.0f,
                  c.data(), static_cast<blasint>(c.outerStride()));
      return;
    }
  }
  // Eigen's lazy product is only fast when both operands are read along rows (no transpose).
  const bool tiny = work <= internal::kTinyGemmWork && !transpose_a && !transpose_b;
  if (transpose_a && transpose_b) {
    EigenProduct<T>(a.transpose(), b.transpose(), c, accumulate, false);
  } else if (transpose_a) {
    EigenProduct<T>(a.transpose(), b, c, accumulate, false);
  } else if (transpose_b) {
    EigenProduct<T>(a, b.transpose(), c, accumulate, false);
  } else {
    EigenProduct<T>(a, b, c, accumulate, tiny);
  }
}

template <class T>
void GemmNaive(const ConstTensorRef<T>& a, bool transpose_a, const ConstTensorRef<T>& b, bool transpose_b,
                 TensorRef<T> c, bool accumulate) {
  const Index m = transpose_a ? a.cols() : a.rows();
  const Index k = transpose_a ? a.rows() : a.cols();
  const Index n = transpose_b ? b.rows() : b.cols();
  for (Index i = 0; i < m; ++i) {
    for (Index j = 0; j < n; ++j) {
      double sum = accumulate ? static_cast<double>(c(i, j)) : 0.0;
      for (Index p = 0; p < k; ++p) {
        const double av = transpose_a ? a(p, i) : a(i, p);
        const double bv = transpose_b ? b(j, p) : b(p, j);
        sum += av * bv;
      }
      c(i, j) = static_cast<T>(sum);
    }
  }
}

void SetGemmThreads(int threads) { openblas_set_num_threads(threads < 1 ? 1 : threads); }
int GemmThreads() { return openblas_get_num_threads(); }

template void Gemm<float>(const ConstTensorRef<float>&, bool, const ConstTensorRef<float>&, bool,
                            TensorRef<float>, bool);
template void Gemm<double>(const ConstTensorRef<double>&, bool, const ConstTensorRef<double>&, bool,
                             TensorRef<double>, bool);
template void GemmNaive<float>(const ConstTensorRef<float>&, bool, const ConstTensorRef<float>&, bool,
                                 TensorRef<float>, bool);
template void GemmNaive<double>(const ConstTensorRef<double>&, bool, const ConstTensorRef<double>&, bool,
                                  TensorRef<double>, bool);

}  // namespace lever
