#include "lever/ops/sparse_matmul.h"

#include <cmath>
#include <memory>
#include <sstream>

#include "ops/op_helpers.h"

namespace lever {

Combiner ParseCombiner(const std::string& name) {
  if (name == "sum") return Combiner::kSum;
  if (name == "mean") return Combiner::kMean;
  if (name == "sqrtn") return Combiner::kSqrtN;
  throw ConfigError("unknown combiner '" + name + "'. Valid combiners: sum, mean, sqrtn.");
}

std::string CombinerName(Combiner combiner) {
  switch (combiner) {
    case Combiner::kSum:
      return "sum";
    case Combiner::kMean:
      return "mean";
    case Combiner::kSqrtN:
      return "sqrtn";
  }
  return "sum";
}

namespace {

constexpr int64_t kPrefetchAhead = 16;

// 1 / norm_i for each row, per the combiner (0 for an empty row).
template <class T>
void RowScales(const SparseRows& s, Combiner combiner, std::vector<T>& scale) {
  const Index rows = s.rows();
  scale.resize(static_cast<size_t>(rows));
  for (Index i = 0; i < rows; ++i) {
    if (combiner == Combiner::kSum) {
      scale[static_cast<size_t>(i)] = T(1);
      continue;
    }
    double norm = 0.0;
    for (int64_t k = s.row_ptr[static_cast<size_t>(i)]; k < s.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
      const double v = s.values[static_cast<size_t>(k)];
      norm += combiner == Combiner::kMean ? v : v * v;
    }
    if (combiner == Combiner::kSqrtN) norm = std::sqrt(norm);
    scale[static_cast<size_t>(i)] = norm != 0.0 ? static_cast<T>(1.0 / norm) : T(0);
  }
}

}  // namespace

template <class T>
BasicVar<T> SparseMatMul(const BasicVar<T>& sparse, const BasicVar<T>& table, Combiner combiner) {
  auto infer = [](const std::vector<Shape>& in) {
    if (in[0].cols != in[1].rows) {
      throw ShapeError("sparse_matmul: the sparse input has " + std::to_string(in[0].cols) +
                       " features but the table has " + std::to_string(in[1].rows) + " rows");
    }
    return Shape{in[0].rows, in[1].cols};
  };
  auto scale = std::make_shared<std::vector<T>>();  // reused every step
  return sparse.graph()->AddOp(
      "sparse_matmul", {sparse, table}, infer,
      [scale, combiner](OpContext<T>& c) {
        const SparseRows& s = c.sparse_x(0);
        auto w = c.x(1);
        auto y = c.y();
        const Index units = w.cols();
        const Index table_rows = w.rows();
        RowScales(s, combiner, *scale);
        y.setZero();
        const int64_t nnz = static_cast<int64_t>(s.ids.size());
        for (Index i = 0; i < s.rows(); ++i) {
          T* out = y.data() + i * units;
          for (int64_t k = s.row_ptr[static_cast<size_t>(i)]; k < s.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
            // Table rows are scattered: prefetch ahead so that cache misses overlap.
            if (k + kPrefetchAhead < nnz) {
              const Index ahead = s.ids[static_cast<size_t>(k + kPrefetchAhead)];
              if (ahead >= 0 && ahead < table_rows) __builtin_prefetch(w.data() + ahead * units);
            }
            const Index id = s.ids[static_cast<size_t>(k)];
            if (id < 0 || id >= table_rows) {
              std::ostringstream msg;
              msg << "sparse_matmul: id " << id << " in row " << i << " is outside the table's " << table_rows
                  << " rows; check the feature column's number of buckets";
              throw DataError(msg.str());
            }
            const T v = static_cast<T>(s.values[static_cast<size_t>(k)]);
            const T* row = w.data() + id * units;
            for (Index u = 0; u < units; ++u) out[u] += v * row[u];
          }
          const T f = (*scale)[static_cast<size_t>(i)];
          if (f != T(1)) {
            for (Index u = 0; u < units; ++u) out[u] *= f;
          }
        }
      },
      [scale](OpContext<T>& c) {
        if (!c.needs_dx(1)) return;
        const SparseRows& s = c.sparse_x(0);
        auto dy = c.dy();
        auto dw = c.dx(1);
        RowSet* touched = c.touched(1);
        const Index units = dw.cols();
        const int64_t nnz = static_cast<int64_t>(s.ids.size());
        for (Index i = 0; i < s.rows(); ++i) {
          const T f = (*scale)[static_cast<size_t>(i)];
          const T* g = dy.data() + i * units;
          for (int64_t k = s.row_ptr[static_cast<size_t>(i)]; k < s.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
            if (k + kPrefetchAhead < nnz) {
              const Index ahead = s.ids[static_cast<size_t>(k + kPrefetchAhead)];
              __builtin_prefetch(dw.data() + ahead * units, 1);
              if (touched != nullptr) touched->Prefetch(ahead);
            }
            const Index id = s.ids[static_cast<size_t>(k)];
            const T v = static_cast<T>(s.values[static_cast<size_t>(k)]) * f;
            T* row = dw.data() + id * units;
            for (Index u = 0; u < units; ++u) row[u] += v * g[u];
            if (touched != nullptr) touched->Insert(id);
          }
        }
      },
      /*accepts_sparse=*/true);
}

template BasicVar<float> SparseMatMul<float>(const BasicVar<float>&, const BasicVar<float>&, Combiner);
template BasicVar<double> SparseMatMul<double>(const BasicVar<double>&, const BasicVar<double>&, Combiner);

}  // namespace lever
