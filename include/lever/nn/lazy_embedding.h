#pragma once
// A lazily allocated embedding table: a vocabulary of up to 2^31 ids (hashed buckets or identity ids)
// whose rows exist only once an id has been seen in training, so memory grows with the rows touched,
// not with vocabulary x dimension x optimizer slots.
//
//   id --(open-addressing hash map)--> compact row r --> row r of a (capacity, dimension) Parameter
//
// Each training batch's ids are remapped to compact rows (SparseRows in, SparseRows out) and fed to
// SparseMatMul through a Graph::GrowingSparseInput; the parameter's gradient is row-sparse, so the
// optimizer updates only the rows of the batch. New rows are drawn from a random stream seeded by
// (seed, id): a row's initial value does not depend on when, or in which order, ids were first seen,
// so a model trained with a lazy table is bit-identical to the same model with a dense table of the
// whole vocabulary initialized by InitialRow() (for optimizers whose untouched rows stay put: SGD,
// AdaGrad, and FTRL with zero initial rows; Adam is "lazy", see lever/optim/adam.h).
//
// The table grows by doubling its capacity: the Parameter object stays where it is (graphs bind to it
// by pointer and pick up the new storage at the next Forward) and optimizers grow their slots at the
// next Step (Optimizer::GrowSlots), filling new rows with their initial values.
//
// Row 0 is reserved and always zero: Lookup() maps ids never seen in training there, so prediction on a
// new user or item uses a zero embedding (the model falls back on its other terms) and allocates nothing.
#include <cstdint>
#include <string>
#include <vector>

#include "lever/autodiff/graph.h"
#include "lever/io/state.h"
#include "lever/nn/parameter.h"
#include "lever/tensor/sparse.h"

namespace lever {

class EmbeddingColumn;

struct LazyEmbeddingOptions {
  std::string name = "embedding";  // the parameter's name ("user_embedding")
  Index vocabulary = 0;            // ids in [0, vocabulary), 1 <= vocabulary <= 2^31
  Index dimension = 0;             // columns of a row, >= 1
  /// New rows are a truncated normal (cut at two standard deviations, rescaled to this stddev). Negative:
  /// 1 / sqrt(dimension), as TensorFlow's embedding columns. Zero: rows start at zero (biases, FTRL).
  double init_stddev = -1.0;
  uint64_t seed = 0;            // with the id, seeds a new row's random stream
  Index initial_capacity = 64;  // rows reserved at first (the zero row included), >= 2
  double l1 = 0.0;              // the parameter's regularization (lever/nn/parameter.h)
  double l2 = 0.0;
};

/// Options for the table of an embedding column: its name, buckets, dimension and TensorFlow's
/// initializer (truncated normal, stddev 1 / sqrt(dimension)). The column's combiner stays the column's.
LazyEmbeddingOptions LazyEmbeddingOptionsFor(const EmbeddingColumn& column, uint64_t seed = 0);

class LazyEmbedding {
 public:
  /// The compact row every id unseen in training maps to at prediction; always zero.
  static constexpr Index kZeroRow = 0;
  static constexpr Index kMaxVocabulary = Index{1} << 31;

  /// Throws ConfigError for a vocabulary outside [1, 2^31], a dimension below 1 or a capacity below 2.
  explicit LazyEmbedding(LazyEmbeddingOptions options);
  LazyEmbedding(const LazyEmbedding&) = delete;
  LazyEmbedding& operator=(const LazyEmbedding&) = delete;

  /// The compact table: value and grad are (capacity(), dimension()), sparse_grad is set and `touched`
  /// holds the rows of the last backward pass. Pass it to the optimizer; it stays at this address.
  Parameter& parameter() { return parameter_; }
  const Parameter& parameter() const { return parameter_; }
  /// Binds the table into `graph` with its row-sparse gradient (training), or without a gradient.
  Var Bind(Graph& graph, bool with_gradient = true);

  /// Training: writes `ids` (vocabulary ids, any number per row) to `compact` with every id replaced by
  /// its compact row, allocating and initializing rows for ids seen for the first time (which may grow
  /// the table). Row pointers and values are copied unchanged; compact.cols is capacity(). Throws
  /// DataError naming the row and the id for an id outside [0, vocabulary).
  void Remap(const SparseRows& ids, SparseRows& compact);
  /// Prediction: the same without allocating; ids never seen map to kZeroRow (a zero embedding, and
  /// entries keep their values, so the mean and sqrtn combiners count them). Do not train on its output.
  void Lookup(const SparseRows& ids, SparseRows& compact) const;

  /// Rows allocated so far: the distinct ids seen in training.
  Index rows() const { return rows_; }
  /// Rows of the compact table: rows() + 1 (the zero row) rounded up by doubling.
  Index capacity() const { return parameter_.value.rows(); }
  Index vocabulary() const { return options_.vocabulary; }
  Index dimension() const { return options_.dimension; }
  const LazyEmbeddingOptions& options() const { return options_; }
  /// The compact row of `id`, or -1 when it has not been seen.
  Index Find(int64_t id) const;
  /// The id stored in compact row `row` (1 <= row <= rows()).
  int64_t IdOfRow(Index row) const { return row_ids_[static_cast<size_t>(row)]; }
  /// The row `id` starts from: dimension() values from the stream Rng::Stream(seed, id). A dense table
  /// initialized with it row by row is this table's exact dense twin.
  void InitialRow(int64_t id, float* out) const;
  /// Bytes held: values and gradients (capacity x dimension floats each), the id map, the row-to-id list
  /// and the touched-row set. Optimizer slots add Optimizer::SlotBytes() (capacity x dimension per slot).
  size_t MemoryBytes() const;

  /// Saves the rows' ids and values (keys "<prefix><name>/ids", "<prefix><name>/value"); gradients are not
  /// state. With the optimizer's slots, a run continued from a checkpoint ends where an uninterrupted one does.
  void SaveState(StateWriter& out, const std::string& prefix = "") const;
  /// Restores what SaveState wrote (the capacity too, so optimizer slots saved alongside fit). Throws
  /// IoError for a checkpoint of another dimension or with ids outside the vocabulary.
  void LoadState(const StateReader& in, const std::string& prefix = "");

 private:
  struct Entry {
    int32_t id;  // -1: empty
    int32_t row;
  };
  size_t Home(int64_t id) const;  // where probing for `id` starts
  size_t Slot(int64_t id) const;  // where `id` is, or the empty entry where it would go
  Index Allocate(int32_t id);
  void GrowTable(Index capacity);
  void RehashMap(size_t entries);
  [[noreturn]] void ThrowOutOfRange(const SparseRows& ids, size_t k) const;
  // Remap and Lookup: compact rows for `ids`, `missing(id)` giving the row of an id not in the map.
  template <typename Missing>
  void MapIds(const SparseRows& ids, SparseRows& compact, Missing missing) const;

  LazyEmbeddingOptions options_;
  double init_scale_ = 0.0;  // stddev / stddev of the truncated standard normal
  Parameter parameter_;
  Index rows_ = 0;
  std::vector<int32_t> row_ids_;  // capacity() entries; row_ids_[0] = -1 (the zero row)
  std::vector<Entry> map_;        // power-of-two size, at most half full
  int map_shift_ = 64;            // Fibonacci hashing: slot = (id * golden) >> map_shift_
};

}  // namespace lever
