#pragma once
// Matrix products on row-major tensors, the kernel under Dense layers and their gradients.
#include "lever/tensor/tensor.h"

namespace lever {

/// c = op(a) * op(b), or c += op(a) * op(b) when `accumulate`, where op(m) is m or its transpose.
///
/// Dispatches on the amount of work (rows x inner x cols): tiny products run as coefficient loops
/// (no packing, no threads), medium ones through Eigen's blocked GEMM on one thread, and large ones
/// through OpenBLAS, split across lever's thread pool when they are large enough to pay for it. The
/// thresholds come from bench/tensor/gemm_bench.cpp. Shapes are the caller's responsibility (checked
/// when a graph is built).
template <class T>
void Gemm(const ConstTensorRef<T>& a, bool transpose_a, const ConstTensorRef<T>& b, bool transpose_b, TensorRef<T> c,
          bool accumulate);

/// The reference twin of Gemm: a triple loop accumulating in double. Tests and benchmarks only.
template <class T>
void GemmNaive(const ConstTensorRef<T>& a, bool transpose_a, const ConstTensorRef<T>& b, bool transpose_b,
               TensorRef<T> c, bool accumulate);

/// Sets how many threads large products may use (default: one per hardware thread). Products are split
/// by rows or columns of the result in a fixed way for a given count, so results are reproducible for
/// the same count; a different count may change the last bits.
void SetGemmThreads(int threads);
int GemmThreads();

namespace internal {
/// Work (m * k * n) at or below which products run as coefficient loops.
inline constexpr Index kTinyGemmWork = 4096;
/// Work at or above which float products go to OpenBLAS.
inline constexpr Index kBlasGemmWork = 65536;
/// Work at or above which a float product is split across threads.
inline constexpr Index kParallelGemmWork = 2097152;
}  // namespace internal

}  // namespace lever
