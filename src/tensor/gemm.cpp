#include "lever/tensor/gemm.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>

#include "tensor/thread_pool.h"

namespace lever {
namespace {

using internal::ThreadPool;

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

// One chunk of a product split across threads: rows [begin, end) of C (split_rows) or its columns.
struct SgemmJob {
  CBLAS_TRANSPOSE trans_a, trans_b;
  blasint m, n, k;
  const float* a;
  blasint lda;
  const float* b;
  blasint ldb;
  float beta;
  float* c;
  blasint ldc;
  bool split_rows;
  blasint chunk;
};

void RunSgemmChunk(void* context, int task) {
  const SgemmJob& j = *static_cast<const SgemmJob*>(context);
  const blasint total = j.split_rows ? j.m : j.n;
  const blasint begin = static_cast<blasint>(task) * j.chunk;
  const blasint size = std::min(j.chunk, total - begin);
  if (size <= 0) return;
  if (j.split_rows) {
    // Rows of C come from rows of op(A): A's rows, or A's columns when A is transposed.
    const float* a = j.trans_a == CblasNoTrans ? j.a + static_cast<ptrdiff_t>(begin) * j.lda : j.a + begin;
    cblas_sgemm(CblasRowMajor, j.trans_a, j.trans_b, size, j.n, j.k, 1.0f, a, j.lda, j.b, j.ldb, j.beta,
                j.c + static_cast<ptrdiff_t>(begin) * j.ldc, j.ldc);
  } else {
    const float* b = j.trans_b == CblasNoTrans ? j.b + begin : j.b + static_cast<ptrdiff_t>(begin) * j.ldb;
    cblas_sgemm(CblasRowMajor, j.trans_a, j.trans_b, j.m, size, j.k, 1.0f, j.a, j.lda, b, j.ldb, j.beta, j.c + begin,
                j.ldc);
  }
}

// OpenBLAS runs single-threaded inside lever: lever splits large products over its own pool, which
// allocates nothing per call (OpenBLAS's threaded path allocates on every call).
ThreadPool& GemmPool() {
  static ThreadPool& pool = []() -> ThreadPool& {
    openblas_set_num_threads(1);
    return ThreadPool::Instance();
  }();
  return pool;
}

}  // namespace

template <class T>
void Gemm(const ConstTensorRef<T>& a, bool transpose_a, const ConstTensorRef<T>& b, bool transpose_b, TensorRef<T> c,
          bool accumulate) {
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
      ThreadPool& pool = GemmPool();
      SgemmJob job{transpose_a ? CblasTrans : CblasNoTrans,
                   transpose_b ? CblasTrans : CblasNoTrans,
                   static_cast<blasint>(m),
                   static_cast<blasint>(n),
                   static_cast<blasint>(k),
                   a.data(),
                   static_cast<blasint>(a.outerStride()),
                   b.data(),
                   static_cast<blasint>(b.outerStride()),
                   accumulate ? 1.0f : 0.0f,
                   c.data(),
                   static_cast<blasint>(c.outerStride()),
                   m >= n,
                   0};
      const blasint split = job.split_rows ? job.m : job.n;
      int tasks = work >= internal::kParallelGemmWork ? pool.threads() : 1;
      // Chunks of at least 16 rows or columns, rounded to 16 for the kernels' register blocking.
      job.chunk = std::max<blasint>(16, ((split + tasks - 1) / tasks + 15) / 16 * 16);
      tasks = static_cast<int>((split + job.chunk - 1) / job.chunk);
      // The pool runs one product at a time: a product asked for while another thread's holds it (a
      // sweep's runs, a library user's threads) runs on its own thread, whole.
      static std::atomic<bool> pool_busy{false};
      if (tasks <= 1 || pool_busy.exchange(true, std::memory_order_acquire)) {
        job.chunk = split;
        RunSgemmChunk(&job, 0);
      } else {
        pool.Run(tasks, RunSgemmChunk, &job);
        pool_busy.store(false, std::memory_order_release);
      }
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

void SetGemmThreads(int threads) { GemmPool().Resize(std::max(1, threads)); }
int GemmThreads() { return GemmPool().threads(); }

template void Gemm<float>(const ConstTensorRef<float>&, bool, const ConstTensorRef<float>&, bool, TensorRef<float>,
                          bool);
template void Gemm<double>(const ConstTensorRef<double>&, bool, const ConstTensorRef<double>&, bool, TensorRef<double>,
                           bool);
template void GemmNaive<float>(const ConstTensorRef<float>&, bool, const ConstTensorRef<float>&, bool, TensorRef<float>,
                               bool);
template void GemmNaive<double>(const ConstTensorRef<double>&, bool, const ConstTensorRef<double>&, bool,
                                TensorRef<double>, bool);

}  // namespace lever
