// Gemm (size-dispatched: coefficient loops, Eigen, OpenBLAS over lever's pool) against its naive twin
// and against Eigen and OpenBLAS called directly, on the shapes MLP training produces.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include "lever/tensor/gemm.h"
#include "lever/tensor/rng.h"

namespace lever {
namespace {

Tensor Random(Index rows, Index cols, uint64_t seed) {
  Rng rng(seed);
  Tensor t(rows, cols);
  for (Index i = 0; i < t.size(); ++i) t.data()[i] = static_cast<float>(rng.Uniform(-1, 1));
  return t;
}

void SetFlops(benchmark::State& state, Index m, Index k, Index n) {
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * static_cast<double>(m * k * n) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

void BM_Gemm(benchmark::State& state) {
  const Index m = state.range(0), k = state.range(1), n = state.range(2);
  Tensor a = Random(m, k, 1), b = Random(k, n, 2), c = Tensor::Zero(m, n);
  for (auto _ : state) {
    Gemm<float>(a, false, b, false, c, false);
    benchmark::DoNotOptimize(c.data());
  }
  SetFlops(state, m, k, n);
}

void BM_GemmTransposedA(benchmark::State& state) {  // dW = X^T dY
  const Index m = state.range(0), k = state.range(1), n = state.range(2);
  Tensor a = Random(k, m, 1), b = Random(k, n, 2), c = Tensor::Zero(m, n);
  for (auto _ : state) {
    Gemm<float>(a, true, b, false, c, true);
    benchmark::DoNotOptimize(c.data());
  }
  SetFlops(state, m, k, n);
}

void BM_GemmTransposedB(benchmark::State& state) {  // dX = dY W^T
  const Index m = state.range(0), k = state.range(1), n = state.range(2);
  Tensor a = Random(m, k, 1), b = Random(n, k, 2), c = Tensor::Zero(m, n);
  for (auto _ : state) {
    Gemm<float>(a, false, b, true, c, true);
    benchmark::DoNotOptimize(c.data());
  }
  SetFlops(state, m, k, n);
}

void BM_GemmNaive(benchmark::State& state) {
  const Index m = state.range(0), k = state.range(1), n = state.range(2);
  Tensor a = Random(m, k, 1), b = Random(k, n, 2), c = Tensor::Zero(m, n);
  for (auto _ : state) {
    GemmNaive<float>(a, false, b, false, c, false);
    benchmark::DoNotOptimize(c.data());
  }
  SetFlops(state, m, k, n);
}

void BM_EigenProduct(benchmark::State& state) {
  const Index m = state.range(0), k = state.range(1), n = state.range(2);
  Tensor a = Random(m, k, 1), b = Random(k, n, 2), c = Tensor::Zero(m, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  SetFlops(state, m, k, n);
}

void BM_OpenBlasDirect(benchmark::State& state) {
  const Index m = state.range(0), k = state.range(1), n = state.range(2);
  Tensor a = Random(m, k, 1), b = Random(k, n, 2), c = Tensor::Zero(m, n);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
                static_cast<int>(k), 1.0f, a.data(), static_cast<int>(k), b.data(), static_cast<int>(n), 0.0f, c.data(),
                static_cast<int>(n));
    benchmark::DoNotOptimize(c.data());
  }
  SetFlops(state, m, k, n);
}

// Shapes of the three benchmark networks (forward products) plus square ones for the peak.
void Shapes(benchmark::internal::Benchmark* b) {
  for (const auto& s : std::vector<std::vector<int64_t>>{{10, 2, 8},
                                                         {10, 8, 8},
                                                         {10, 8, 1},
                                                         {32, 64, 128},
                                                         {32, 128, 64},
                                                         {32, 64, 10},
                                                         {128, 784, 256},
                                                         {128, 256, 128},
                                                         {784, 128, 256},
                                                         {512, 512, 512},
                                                         {2048, 2048, 2048}}) {
    b->Args(s);
  }
}

void SmallShapes(benchmark::internal::Benchmark* b) {
  for (const auto& s : std::vector<std::vector<int64_t>>{{10, 2, 8}, {10, 8, 8}, {32, 64, 10}, {32, 64, 128}})
    b->Args(s);
}

BENCHMARK(BM_Gemm)->Apply(Shapes)->UseRealTime();
BENCHMARK(BM_GemmTransposedA)->Apply(Shapes)->UseRealTime();
BENCHMARK(BM_GemmTransposedB)->Apply(Shapes)->UseRealTime();
BENCHMARK(BM_GemmNaive)->Apply(SmallShapes)->UseRealTime();
BENCHMARK(BM_EigenProduct)->Apply(Shapes)->UseRealTime();
BENCHMARK(BM_OpenBlasDirect)->Apply(Shapes)->UseRealTime();

}  // namespace
}  // namespace lever
