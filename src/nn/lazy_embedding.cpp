#include "lever/nn/lazy_embedding.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "lever/error.h"
#include "lever/features/feature_column.h"
#include "lever/tensor/memory.h"
#include "lever/tensor/rng.h"

namespace lever {
namespace {

// The stddev of a standard normal truncated to [-2, 2] (as in lever/nn/initializer.h): dividing by it
// gives the truncated rows the stddev asked for.
constexpr double kTruncatedStddev = 0.87962566103423978;
constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
constexpr size_t kMinMapSize = 16;
constexpr size_t kPrefetchAhead = 16;
constexpr int32_t kIdSplit = 65536;  // ids are saved as two floats of 16 bits each, exact in float

}  // namespace

LazyEmbeddingOptions LazyEmbeddingOptionsFor(const EmbeddingColumn& column, uint64_t seed) {
  LazyEmbeddingOptions options;
  options.name = column.name();
  options.vocabulary = column.categorical()->num_buckets();
  options.dimension = column.dimension();
  options.seed = seed;
  return options;
}

LazyEmbedding::LazyEmbedding(LazyEmbeddingOptions options) : options_(std::move(options)) {
  const std::string where = "lazy embedding '" + options_.name + "': ";
  if (options_.vocabulary < 1 || options_.vocabulary > kMaxVocabulary) {
    throw ConfigError(where + "vocabulary must be in [1, 2^31], got " + std::to_string(options_.vocabulary) +
                      "; set it to the number of ids or hash buckets");
  }
  if (options_.dimension < 1) {
    throw ConfigError(where + "dimension must be at least 1, got " + std::to_string(options_.dimension));
  }
  if (options_.initial_capacity < 2) {
    throw ConfigError(where + "initial_capacity must be at least 2 (the zero row and one id), got " +
                      std::to_string(options_.initial_capacity));
  }
  if (!std::isfinite(options_.init_stddev)) {
    throw ConfigError(where + "init_stddev must be finite, got " + FormatValue(options_.init_stddev) +
                      "; use a negative value for 1 / sqrt(dimension) or 0 for zero rows");
  }
  if (!(options_.l1 >= 0.0) || !(options_.l2 >= 0.0)) {
    throw ConfigError(where + "l1 and l2 must be non-negative, got l1=" + FormatValue(options_.l1) +
                      ", l2=" + FormatValue(options_.l2));
  }
  const double stddev =
      options_.init_stddev < 0.0 ? 1.0 / std::sqrt(static_cast<double>(options_.dimension)) : options_.init_stddev;
  init_scale_ = stddev / kTruncatedStddev;
  parameter_.name = options_.name;
  parameter_.value = NewTable(options_.initial_capacity, options_.dimension);
  parameter_.grad = NewTable(options_.initial_capacity, options_.dimension);
  parameter_.l1 = options_.l1;
  parameter_.l2 = options_.l2;
  parameter_.sparse_grad = true;
  parameter_.touched.Reset(options_.initial_capacity);
  row_ids_.assign(static_cast<size_t>(options_.initial_capacity), -1);
  RehashMap(kMinMapSize);
}

Var LazyEmbedding::Bind(Graph& graph, bool with_gradient) {
  if (!with_gradient) return graph.Bind(parameter_.name, &parameter_.value, nullptr);
  return graph.Bind(parameter_.name, &parameter_.value, &parameter_.grad, &parameter_.touched);
}

size_t LazyEmbedding::Home(int64_t id) const {
  return static_cast<size_t>((static_cast<uint64_t>(id) * kGolden) >> map_shift_);
}

size_t LazyEmbedding::Slot(int64_t id) const {
  const size_t mask = map_.size() - 1;
  size_t s = Home(id);
  while (map_[s].id != id && map_[s].id != -1) s = (s + 1) & mask;  // linear probing; never full
  return s;
}

Index LazyEmbedding::Find(int64_t id) const {
  if (id < 0 || id >= options_.vocabulary) return -1;
  const Entry& e = map_[Slot(id)];
  return e.id == id ? e.row : -1;
}

void LazyEmbedding::InitialRow(int64_t id, float* out) const {
  const Index n = options_.dimension;
  if (init_scale_ == 0.0) {
    std::fill_n(out, n, 0.0f);
    return;
  }
  Rng rng = Rng::Stream(options_.seed, static_cast<uint64_t>(id));
  for (Index j = 0; j < n; ++j) {
    double z = 0.0;
    do {
      z = rng.Normal();
    } while (std::abs(z) > 2.0);
    out[j] = static_cast<float>(z * init_scale_);
  }
}

Index LazyEmbedding::Allocate(int32_t id) {
  if (rows_ + 1 >= capacity()) GrowTable(2 * capacity());
  if (static_cast<size_t>(rows_ + 1) * 2 > map_.size()) RehashMap(2 * map_.size());
  const Index row = ++rows_;
  row_ids_[static_cast<size_t>(row)] = id;
  map_[Slot(id)] = {id, static_cast<int32_t>(row)};
  InitialRow(id, parameter_.value.data() + row * options_.dimension);
  return row;
}

void LazyEmbedding::GrowTable(Index new_capacity) {
  // New storage, then the old rows; the Parameter and its tensors stay where they are, so graphs bound to
  // them follow at their next Forward() and optimizers grow their slots at their next Step().
  const Index old_capacity = capacity();
  Tensor value = NewTable(new_capacity, options_.dimension);
  value.topRows(old_capacity) = parameter_.value;
  parameter_.value.swap(value);
  Tensor grad = NewTable(new_capacity, options_.dimension);
  grad.topRows(old_capacity) = parameter_.grad;
  parameter_.grad.swap(grad);
  parameter_.touched.Grow(new_capacity);
  row_ids_.resize(static_cast<size_t>(new_capacity), -1);
}

void LazyEmbedding::RehashMap(size_t entries) {
  map_.assign(entries, Entry{-1, 0});
  map_shift_ = 64 - std::countr_zero(entries);
  for (Index row = 1; row <= rows_; ++row) {
    const int32_t id = row_ids_[static_cast<size_t>(row)];
    map_[Slot(id)] = {id, static_cast<int32_t>(row)};
  }
}

void LazyEmbedding::ThrowOutOfRange(const SparseRows& ids, size_t k) const {
  const auto it = std::upper_bound(ids.row_ptr.begin(), ids.row_ptr.end(), static_cast<int64_t>(k));
  const auto row = static_cast<long>(it - ids.row_ptr.begin()) - 1;
  throw DataError("lazy embedding '" + options_.name + "': id " + std::to_string(ids.ids[k]) + " in row " +
                  std::to_string(row) + " is outside the vocabulary [0, " + std::to_string(options_.vocabulary) +
                  "); check the feature column's number of buckets or raise the vocabulary");
}

template <typename Missing>
void LazyEmbedding::MapIds(const SparseRows& ids, SparseRows& compact, Missing missing) const {
  compact.row_ptr = ids.row_ptr;
  compact.values = ids.values;
  compact.ids.resize(ids.ids.size());
  for (size_t k = 0; k < ids.ids.size(); ++k) {
    // The map is large and probed at random: prefetch ahead so that cache misses overlap.
    if (k + kPrefetchAhead < ids.ids.size()) __builtin_prefetch(map_.data() + Home(ids.ids[k + kPrefetchAhead]));
    const int32_t id = ids.ids[k];
    if (id < 0 || id >= options_.vocabulary) ThrowOutOfRange(ids, k);
    const Entry& e = map_[Slot(id)];
    compact.ids[k] = e.id == id ? e.row : static_cast<int32_t>(missing(id));
  }
  compact.cols = capacity();
}

void LazyEmbedding::Remap(const SparseRows& ids, SparseRows& compact) {
  // Allocate may grow the map; MapIds reads map_ afresh for every id.
  MapIds(ids, compact, [this](int32_t id) { return Allocate(id); });
}

void LazyEmbedding::Lookup(const SparseRows& ids, SparseRows& compact) const {
  MapIds(ids, compact, [](int32_t) { return kZeroRow; });
}

size_t LazyEmbedding::MemoryBytes() const {
  return 2 * static_cast<size_t>(parameter_.value.size()) * sizeof(float) + map_.capacity() * sizeof(Entry) +
         row_ids_.capacity() * sizeof(int32_t) + static_cast<size_t>(parameter_.touched.capacity()) +
         parameter_.touched.rows().capacity() * sizeof(Index);
}

void LazyEmbedding::SaveState(StateWriter& out, const std::string& prefix) const {
  const std::string key = prefix + options_.name;
  Tensor ids(rows_, 2);
  for (Index row = 1; row <= rows_; ++row) {
    const int32_t id = row_ids_[static_cast<size_t>(row)];
    ids(row - 1, 0) = static_cast<float>(id / kIdSplit);
    ids(row - 1, 1) = static_cast<float>(id % kIdSplit);
  }
  out.WriteTensor(key + "/ids", ids);
  out.WriteTensor(key + "/value", parameter_.value);
}

void LazyEmbedding::LoadState(const StateReader& in, const std::string& prefix) {
  const std::string key = prefix + options_.name;
  const Tensor& ids = in.ReadTensor(key + "/ids");
  const Tensor& value = in.ReadTensor(key + "/value");
  if (value.cols() != options_.dimension || ids.cols() != 2 || ids.rows() + 1 > value.rows()) {
    throw IoError("lazy embedding '" + options_.name + "': the checkpoint holds " + std::to_string(ids.rows()) +
                  " ids and a (" + std::to_string(value.rows()) + ", " + std::to_string(value.cols()) +
                  ") table, which does not fit a table of dimension " + std::to_string(options_.dimension) +
                  "; was it saved by a different model?");
  }
  std::vector<int32_t> row_ids(static_cast<size_t>(value.rows()), -1);
  for (Index r = 0; r < ids.rows(); ++r) {
    const double id = static_cast<double>(ids(r, 0)) * static_cast<double>(kIdSplit) + static_cast<double>(ids(r, 1));
    if (!(id >= 0.0 && id < static_cast<double>(options_.vocabulary))) {
      throw IoError("lazy embedding '" + options_.name + "': the checkpoint holds id " + FormatValue(id) +
                    ", outside the vocabulary [0, " + std::to_string(options_.vocabulary) + ")");
    }
    row_ids[static_cast<size_t>(r + 1)] = static_cast<int32_t>(id);
  }
  parameter_.value = value;
  parameter_.value.row(kZeroRow).setZero();
  parameter_.grad = NewTable(value.rows(), value.cols());
  parameter_.touched.Reset(value.rows());
  row_ids_ = std::move(row_ids);
  rows_ = ids.rows();
  size_t entries = kMinMapSize;
  while (static_cast<size_t>(rows_) * 2 > entries) entries *= 2;
  RehashMap(entries);
}

}  // namespace lever
