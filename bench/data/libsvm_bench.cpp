// ParseLibsvmChunk on synthetic click-like rows: 30 increasing ids below 2^20 per row, with the value 1
// ("1 17:1 2049:1 ...", the common case of one-hot data) or with decimal values ("... 17:0.374 ...").
// Reports rows/s and MB/s of text on one core; the target is 2,000,000+ rows/s for value-1 rows.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "lever/data/libsvm.h"

namespace lever {
namespace {

constexpr int kRows = 100000;
constexpr int kNnz = 30;

std::string SyntheticText(bool ones) {
  uint64_t state = 2024;
  const auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state >> 33);
  };
  std::string text;
  for (int r = 0; r < kRows; ++r) {
    text += next() % 2 ? "1" : "-1";
    uint32_t index = 0;
    for (int k = 0; k < kNnz; ++k) {
      index += 1 + next() % ((1u << 20) / kNnz);  // ids spread over 2^20 features, ~5-6 digits
      text += ' ' + std::to_string(index) + ':';
      if (ones) {
        text += '1';
      } else {
        const uint32_t thousandths = next() % 1000;
        text += "0." + std::to_string(thousandths / 100) + std::to_string(thousandths / 10 % 10) +
                std::to_string(thousandths % 10);
      }
    }
    text += '\n';
  }
  return text;
}

void BM_ParseLibsvm(benchmark::State& state, bool ones) {
  const std::string text = SyntheticText(ones);
  const std::string file = "synthetic.svm";
  std::vector<float> labels;
  SparseRows rows;
  BadRowReport report;
  for (auto _ : state) {
    labels.clear();
    rows.Clear();  // keeps the capacity, as a reader reusing its arrays chunk after chunk does
    ParseLibsvmChunk(text.data(), text.data() + text.size(), file, 1, {}, {}, report, labels, rows);
    benchmark::DoNotOptimize(rows.ids.data());
    benchmark::ClobberMemory();
  }
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(kRows) * static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(text.size()) * state.iterations());
  state.counters["bytes/row"] = static_cast<double>(text.size()) / kRows;
}

// Appending into fresh arrays every time: includes the vectors' geometric growth.
void BM_ParseLibsvmFreshArrays(benchmark::State& state) {
  const std::string text = SyntheticText(true);
  for (auto _ : state) {
    LibsvmData data = ReadLibsvmBuffer(text, "synthetic.svm");
    benchmark::DoNotOptimize(data.features.ids.data());
  }
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(kRows) * static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(text.size()) * state.iterations());
}

BENCHMARK_CAPTURE(BM_ParseLibsvm, ValueOne, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ParseLibsvm, DecimalValues, false)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseLibsvmFreshArrays)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lever
