// The lazily allocated embedding table: remapping and growth, memory that follows the rows touched,
// order-independent initialization, zero rows for unseen ids, gradients through a growing table,
// bit-identical training against a dense table of the whole vocabulary, optimizer slots that grow
// with their initial values, lazy Adam worked by hand, and resuming from a checkpoint.
#include "lever/nn/lazy_embedding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "lever/error.h"
#include "lever/features/feature_column.h"
#include "lever/losses/mean_squared_error.h"
#include "lever/ops/activations.h"
#include "lever/ops/elementwise.h"
#include "lever/ops/matmul.h"
#include "lever/ops/reduce.h"
#include "lever/ops/sparse_matmul.h"
#include "lever/optim/adam.h"
#include "lever/optim/registry.h"
#include "testing/gradcheck.h"
#include "testing/optimizer_testing.h"

namespace lever {
namespace {

using testing::GradientsMatch;
using testing::SavedSlot;

SparseRows Rows(Index cols, const std::vector<std::vector<int32_t>>& rows, float value = 1.0f) {
  SparseRows s;
  s.cols = cols;
  for (const auto& row : rows) {
    for (int32_t id : row) s.Add(id, value);
    s.EndRow();
  }
  return s;
}

std::vector<float> RowOf(const Tensor& t, Index row) { return {t.row(row).data(), t.row(row).data() + t.cols()}; }

std::vector<float> Initial(const LazyEmbedding& table, int64_t id) {
  std::vector<float> out(static_cast<size_t>(table.dimension()));
  table.InitialRow(id, out.data());
  return out;
}

bool BitEqual(const float* a, const float* b, Index n) {
  return std::memcmp(a, b, sizeof(float) * static_cast<size_t>(n)) == 0;
}

// ---- Remapping and growth ---------------------------------------------------------------------------

TEST(LazyEmbeddingTest, RemapGivesEachDistinctIdOneRow) {
  LazyEmbedding table({.name = "user", .vocabulary = Index{1} << 30, .dimension = 3, .initial_capacity = 2});
  EXPECT_EQ(table.rows(), 0);
  SparseRows batch = Rows(Index{1} << 30, {{5, 1000000, 5}, {7}, {}});
  batch.values = {0.5f, 2.0f, 1.5f, 3.0f};
  SparseRows compact;
  table.Remap(batch, compact);
  EXPECT_EQ(table.rows(), 3);  // 5, 1000000, 7
  EXPECT_EQ(compact.row_ptr, batch.row_ptr);
  EXPECT_EQ(compact.values, batch.values);
  EXPECT_EQ(compact.cols, table.capacity());
  EXPECT_EQ(compact.ids[0], compact.ids[2]);  // the same id twice in a row: one row
  const std::set<int32_t> distinct(compact.ids.begin(), compact.ids.end());
  EXPECT_EQ(distinct.size(), 3u);
  EXPECT_EQ(distinct.count(static_cast<int32_t>(LazyEmbedding::kZeroRow)), 0u);  // row 0 is never an id's
  for (size_t k = 0; k < batch.ids.size(); ++k) {
    EXPECT_EQ(table.Find(batch.ids[k]), compact.ids[k]);
    EXPECT_EQ(table.IdOfRow(compact.ids[k]), batch.ids[k]);
  }

  // Seen ids keep their rows in later batches; only new ids allocate.
  SparseRows again;
  table.Remap(Rows(Index{1} << 30, {{7, 1000000}, {123456789}}), again);
  EXPECT_EQ(table.rows(), 4);
  EXPECT_EQ(again.ids[0], compact.ids[3]);
  EXPECT_EQ(again.ids[1], compact.ids[1]);
  EXPECT_EQ(table.Find(123456789), again.ids[2]);
  EXPECT_EQ(table.Find(8), -1);
  EXPECT_GE(table.capacity(), table.rows() + 1);
}

TEST(LazyEmbeddingTest, ManyIdsThroughSeveralGrowths) {
  LazyEmbedding table(
      {.name = "t", .vocabulary = LazyEmbedding::kMaxVocabulary, .dimension = 2, .initial_capacity = 2});
  Rng rng(5);
  std::map<int32_t, Index> rows;
  SparseRows compact;
  for (int batch = 0; batch < 50; ++batch) {
    SparseRows ids;
    ids.cols = LazyEmbedding::kMaxVocabulary;
    for (int i = 0; i < 100; ++i) {
      // Half the ids repeat from a small pool, half are (almost surely) new; the largest id is allowed.
      const int32_t id = i % 2 ? static_cast<int32_t>(rng.UniformInt(50)) * 7919
                               : static_cast<int32_t>(rng.UniformInt(uint64_t{1} << 31));
      ids.Add(i == 0 && batch == 0 ? 2147483647 : id, 1.0f);
      ids.EndRow();
    }
    table.Remap(ids, compact);
    for (size_t k = 0; k < ids.ids.size(); ++k) {
      auto [it, inserted] = rows.emplace(ids.ids[k], compact.ids[k]);
      EXPECT_EQ(it->second, compact.ids[k]) << "id " << ids.ids[k] << " moved";
    }
  }
  EXPECT_EQ(table.rows(), static_cast<Index>(rows.size()));
  EXPECT_EQ(table.Find(2147483647), rows.at(2147483647));
  for (const auto& [id, row] : rows) {
    ASSERT_TRUE(BitEqual(table.parameter().value.row(row).data(), Initial(table, id).data(), 2)) << "id " << id;
  }
}

TEST(LazyEmbeddingTest, IdsOutsideTheVocabularyAreADataError) {
  LazyEmbedding table({.name = "item", .vocabulary = 1000, .dimension = 2});
  SparseRows compact;
  try {
    table.Remap(Rows(1000, {{3}, {4, 2000}}), compact);
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring,
                        "lazy embedding 'item': id 2000 in row 1 is outside the vocabulary [0, 1000)", e.what());
  }
  EXPECT_THROW(table.Remap(Rows(1000, {{-1}}), compact), DataError);
  EXPECT_THROW(table.Lookup(Rows(1000, {{1000}}), compact), DataError);
}

TEST(LazyEmbeddingTest, RejectsInvalidOptions) {
  EXPECT_THROW(LazyEmbedding({.vocabulary = 0, .dimension = 2}), ConfigError);
  EXPECT_THROW(LazyEmbedding({.vocabulary = (Index{1} << 31) + 1, .dimension = 2}), ConfigError);
  EXPECT_THROW(LazyEmbedding({.vocabulary = 10, .dimension = 0}), ConfigError);
  EXPECT_THROW(LazyEmbedding({.vocabulary = 10, .dimension = 2, .initial_capacity = 1}), ConfigError);
  EXPECT_THROW(LazyEmbedding({.vocabulary = 10, .dimension = 2, .init_stddev = std::nan("")}), ConfigError);
  try {
    LazyEmbedding({.name = "user", .vocabulary = 0, .dimension = 2});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, "lazy embedding 'user': vocabulary must be in [1, 2^31], got 0",
                        e.what());
  }
}

// ---- Memory ------------------------------------------------------------------------------------------

size_t BytesAfter(Index vocabulary, Index distinct_ids, Index dimension) {
  LazyEmbedding table({.vocabulary = vocabulary, .dimension = dimension});
  SparseRows ids;
  ids.cols = vocabulary;
  for (Index i = 0; i < distinct_ids; ++i) {
    ids.Add(static_cast<int32_t>((i * 2654435761LL) % vocabulary), 1.0f);  // distinct for these sizes
    ids.EndRow();
  }
  SparseRows compact;
  table.Remap(ids, compact);
  EXPECT_EQ(table.rows(), distinct_ids);
  return table.MemoryBytes();
}

TEST(LazyEmbeddingTest, MemoryFollowsTheRowsTouchedNotTheVocabulary) {
  const Index dim = 8;
  // The same 3000 ids in a vocabulary of 2^13 and one of 2^31: the same bytes.
  EXPECT_EQ(BytesAfter(Index{1} << 13, 3000, dim), BytesAfter(LazyEmbedding::kMaxVocabulary, 3000, dim));
  // Bytes per row allocated: at least the value and gradient rows, at most twice that plus the map's and
  // the bookkeeping's share (capacity doubles, the map is at most half full); so 16x the rows is 16x the bytes
  // up to the doubling slack.
  const double row_bytes = 2.0 * dim * sizeof(float);
  for (Index n : {1000, 4000, 16000, 64000}) {
    const double per_row =
        static_cast<double>(BytesAfter(LazyEmbedding::kMaxVocabulary, n, dim)) / static_cast<double>(n);
    EXPECT_GE(per_row, row_bytes) << n;
    EXPECT_LE(per_row, 2.0 * (row_bytes + 4 + 1 + 8) + 4 * 8 + 1) << n;
  }
  // A vocabulary of 2^31 costs nothing before ids arrive (a dense table of it would be 2^31 x 8 x 4 B = 64 GiB).
  EXPECT_LT(LazyEmbedding({.vocabulary = LazyEmbedding::kMaxVocabulary, .dimension = dim}).MemoryBytes(), 8192u);
}

// ---- Initialization ----------------------------------------------------------------------------------

TEST(LazyEmbeddingTest, InitialRowsDependOnSeedAndIdNotOnOrderOfFirstSight) {
  const LazyEmbeddingOptions options{.vocabulary = 100000, .dimension = 4, .seed = 17, .initial_capacity = 2};
  LazyEmbedding forward(options), backward(options);
  SparseRows compact;
  forward.Remap(Rows(100000, {{3, 9}, {99999}}), compact);
  forward.Remap(Rows(100000, {{77}}), compact);
  backward.Remap(Rows(100000, {{77, 99999}}), compact);
  backward.Remap(Rows(100000, {{9}, {3}}), compact);
  for (int32_t id : {3, 9, 77, 99999}) {
    const Index a = forward.Find(id), b = backward.Find(id);
    // Rows may sit at different compact positions but hold the same values.
    EXPECT_TRUE(BitEqual(forward.parameter().value.row(a).data(), backward.parameter().value.row(b).data(), 4))
        << "id " << id;
    EXPECT_TRUE(BitEqual(forward.parameter().value.row(a).data(), Initial(forward, id).data(), 4));
  }
  EXPECT_NE(forward.Find(3), backward.Find(3));  // the orders really differed
  EXPECT_NE(Initial(forward, 3), Initial(forward, 9));
  LazyEmbeddingOptions other = options;
  other.seed = 18;
  EXPECT_NE(Initial(LazyEmbedding(other), 3), Initial(forward, 3));
  // Zero initialization for biases.
  other.init_stddev = 0.0;
  EXPECT_EQ(Initial(LazyEmbedding(other), 3), std::vector<float>(4, 0.0f));
}

TEST(LazyEmbeddingTest, InitialRowsAreATruncatedNormalWithStddevOneOverSqrtDimension) {
  LazyEmbedding table({.vocabulary = 1 << 20, .dimension = 16, .seed = 3});
  double sum = 0.0, sum_sq = 0.0, largest = 0.0;
  const int ids = 4000;
  std::vector<float> row(16);
  for (int id = 0; id < ids; ++id) {
    table.InitialRow(id, row.data());
    for (float v : row) {
      sum += v;
      sum_sq += static_cast<double>(v) * v;
      largest = std::max(largest, std::abs(static_cast<double>(v)));
    }
  }
  const double n = ids * 16.0;
  const double stddev = std::sqrt(sum_sq / n - (sum / n) * (sum / n));
  EXPECT_NEAR(stddev, 0.25, 0.25 * 0.03);  // 1 / sqrt(16), 64000 draws
  EXPECT_NEAR(sum / n, 0.0, 0.005);
  EXPECT_LE(largest, 2.0 * 0.25 / 0.87962566103423978 + 1e-6);  // cut at two (unscaled) stddevs
}

TEST(LazyEmbeddingTest, OptionsForAnEmbeddingColumn) {
  auto column = MakeEmbeddingColumn(CrossedColumn({"day", "hour"}, 1 << 20), 2, "sum");
  const LazyEmbeddingOptions options = LazyEmbeddingOptionsFor(*column, 9);
  EXPECT_EQ(options.name, column->name());
  EXPECT_EQ(options.vocabulary, 1 << 20);
  EXPECT_EQ(options.dimension, 2);
  EXPECT_EQ(options.seed, 9u);
}

// ---- Prediction on unseen ids ------------------------------------------------------------------------

TEST(LazyEmbeddingTest, LookupMapsUnseenIdsToTheZeroRowWithoutAllocating) {
  LazyEmbedding table({.vocabulary = 1000, .dimension = 2, .seed = 1});
  SparseRows compact;
  table.Remap(Rows(1000, {{10, 20}}), compact);
  const Index capacity = table.capacity();
  SparseRows ids = Rows(1000, {{10, 999}, {998}});
  ids.values = {2.0f, 1.0f, 1.0f};
  table.Lookup(ids, compact);
  EXPECT_EQ(table.rows(), 2);
  EXPECT_EQ(table.capacity(), capacity);
  EXPECT_EQ(compact.ids, (std::vector<int32_t>{static_cast<int32_t>(table.Find(10)), 0, 0}));
  EXPECT_EQ(compact.values, ids.values);

  // In a graph: the unseen id adds nothing but still counts in the mean combiner's denominator.
  Graph g;
  Var sp = g.GrowingSparseInput("ids", table.capacity());
  Var y = SparseMatMul(sp, table.Bind(g, /*with_gradient=*/false), Combiner::kMean);
  g.FeedSparse(sp, &compact);
  g.Forward();
  const auto row10 = RowOf(table.parameter().value, table.Find(10));
  for (Index c = 0; c < 2; ++c) {
    EXPECT_FLOAT_EQ(y.value()(0, c), 2.0f * row10[static_cast<size_t>(c)] / 3.0f);
    EXPECT_EQ(y.value()(1, c), 0.0f);
  }
}

// ---- Gradients ---------------------------------------------------------------------------------------

class LazyEmbeddingGradientTest : public ::testing::TestWithParam<Combiner> {};

TEST_P(LazyEmbeddingGradientTest, LookupPathMatchesFiniteDifferences) {
  // Remapped ids (repeats, several per row, an empty row) into the compact table, in double precision.
  LazyEmbedding table({.vocabulary = Index{1} << 30, .dimension = 3, .seed = 2, .initial_capacity = 2});
  SparseRows ids = Rows(Index{1} << 30, {{40, 7000000, 40}, {123}, {}, {7000000, 5}});
  ids.values = {0.5f, -1.5f, 2.0f, 1.0f, 0.75f, 3.0f};
  SparseRows compact;
  table.Remap(ids, compact);
  const TensorD start = table.parameter().value.cast<double>();
  const Combiner combiner = GetParam();
  EXPECT_TRUE(GradientsMatch(
      [&](const std::vector<VarD>& v) {
        VarD sp = v[0].graph()->GrowingSparseInput("ids", compact.cols);
        v[0].graph()->FeedSparse(sp, &compact);
        return Tanh(SparseMatMul(sp, v[0], combiner));
      },
      {start}));
}

TEST_P(LazyEmbeddingGradientTest, RowSparseGradientEqualsTheDenseTablesAtTheSameIds) {
  const Index vocabulary = 300, dim = 3;
  LazyEmbedding lazy({.vocabulary = vocabulary, .dimension = dim, .seed = 4, .initial_capacity = 2});
  Tensor dense(vocabulary, dim), dense_grad = Tensor::Zero(vocabulary, dim);
  for (Index id = 0; id < vocabulary; ++id) lazy.InitialRow(id, dense.row(id).data());
  SparseRows ids = Rows(vocabulary, {{250, 3, 250}, {17}, {3, 299, 0}});
  ids.values = {0.5f, -1.0f, 2.0f, 1.0f, 0.25f, 3.0f, 1.5f};
  SparseRows compact;
  lazy.Remap(ids, compact);

  Graph lazy_graph, dense_graph;
  Var lazy_sp = lazy_graph.GrowingSparseInput("ids", compact.cols);
  Var lazy_loss = Sum(Square(Tanh(SparseMatMul(lazy_sp, lazy.Bind(lazy_graph), GetParam()))));
  Var dense_sp = dense_graph.SparseInput("ids", vocabulary);
  Var dense_loss =
      Sum(Square(Tanh(SparseMatMul(dense_sp, dense_graph.Bind("dense", &dense, &dense_grad), GetParam()))));
  lazy_graph.FeedSparse(lazy_sp, &compact);
  dense_graph.FeedSparse(dense_sp, &ids);
  lazy_graph.Forward();
  dense_graph.Forward();
  EXPECT_EQ(lazy_loss.scalar(), dense_loss.scalar());
  lazy_graph.Backward(lazy_loss);
  dense_graph.Backward(dense_loss);
  const Parameter& p = lazy.parameter();
  EXPECT_EQ(p.touched.size(), 5u);  // the five distinct ids, nothing else
  for (Index id = 0; id < vocabulary; ++id) {
    const Index row = lazy.Find(id);
    if (row < 0) {
      EXPECT_TRUE(dense_grad.row(id).isZero()) << id;
    } else {
      EXPECT_TRUE(p.touched.Contains(row));
      EXPECT_FALSE(dense_grad.row(id).isZero()) << id;
      EXPECT_TRUE(BitEqual(p.grad.row(row).data(), dense_grad.row(id).data(), dim)) << id;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Combiners, LazyEmbeddingGradientTest,
                         ::testing::Values(Combiner::kSum, Combiner::kMean, Combiner::kSqrtN),
                         [](const auto& test_info) { return CombinerName(test_info.param); });

// The graph follows a table that grows between passes (new storage, more rows, a wider sparse input):
// values, and gradients against central differences, after the growth.
TEST(LazyEmbeddingGradientTest, GraphFollowsATableThatGrewBetweenPasses) {
  Rng rng(8);
  TensorD table = testing::RandomTensor(4, 2, rng), grad = TensorD::Zero(4, 2);
  RowSet touched;
  touched.Reset(4);
  GraphD g;
  VarD sp = g.GrowingSparseInput("ids", 4);
  VarD w = g.Bind("table", &table, &grad, &touched);
  VarD loss = Sum(Square(Tanh(SparseMatMul(sp, w, Combiner::kSqrtN))));
  SparseRows first = Rows(4, {{1, 3}, {2}});
  g.FeedSparse(sp, &first);
  g.Forward();
  g.Backward(loss);

  // Grow to 8 rows as LazyEmbedding does: new buffers holding the old rows, the same tensor objects.
  TensorD bigger = testing::RandomTensor(8, 2, rng), bigger_grad = TensorD::Zero(8, 2);
  bigger.topRows(4) = table;
  bigger_grad.topRows(4) = grad;
  table.swap(bigger);
  grad.swap(bigger_grad);
  touched.Grow(8);
  SparseRows second = Rows(8, {{7, 1, 5}, {6}, {1}});
  second.values = {0.5f, 2.0f, -1.0f, 1.5f, 0.75f};
  g.FeedSparse(sp, &second);
  g.Forward();
  double expected = 0.0;
  for (Index i = 0; i < 3; ++i) {
    Eigen::RowVector2d y = Eigen::RowVector2d::Zero();
    double norm = 0.0;
    for (int64_t k = second.row_ptr[static_cast<size_t>(i)]; k < second.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
      const double v = second.values[static_cast<size_t>(k)];
      y += v * table.row(second.ids[static_cast<size_t>(k)]);
      norm += v * v;
    }
    expected += (y / std::sqrt(norm)).array().tanh().square().sum();
  }
  EXPECT_NEAR(loss.scalar(), expected, 1e-12);
  g.Backward(loss);
  EXPECT_EQ(touched.rows(), (std::vector<Index>{7, 1, 5, 6}));
  const TensorD analytic = grad;
  double worst = 0.0;
  for (Index r = 0; r < 8; ++r) {
    for (Index c = 0; c < 2; ++c) {
      const double original = table(r, c);
      table(r, c) = original + 1e-6;
      g.Forward();
      const double plus = loss.scalar();
      table(r, c) = original - 1e-6;
      g.Forward();
      const double minus = loss.scalar();
      table(r, c) = original;
      const double numeric = (plus - minus) / 2e-6;
      worst = std::max(worst, std::abs(analytic(r, c) - numeric) / std::max(1.0, std::abs(numeric)));
      if (r == 0 || r == 2 || r == 3 || r == 4) {
        EXPECT_EQ(analytic(r, c), 0.0) << r;  // not in the batch
      }
    }
  }
  EXPECT_LT(worst, 1e-7);
}

// ---- Training: lazy against dense --------------------------------------------------------------------

struct Batch {
  SparseRows ids;
  Tensor targets;
};

// Seeded batches over a vocabulary of 400: skewed ids (some frequent, many never seen), 1-3 per row.
std::vector<Batch> MakeBatches(int count) {
  Rng rng(21);
  std::vector<Batch> batches(static_cast<size_t>(count));
  for (Batch& b : batches) {
    b.ids.cols = 400;
    b.targets.resize(6, 1);
    for (Index i = 0; i < 6; ++i) {
      const int entries = 1 + static_cast<int>(rng.UniformInt(3));
      for (int e = 0; e < entries; ++e) {
        const double u = rng.Uniform();
        b.ids.Add(static_cast<int32_t>(399.0 * u * u * u), static_cast<float>(rng.Uniform(0.5, 1.5)));
      }
      b.ids.EndRow();
      b.targets(i, 0) = static_cast<float>(rng.Uniform(-1, 1));
    }
  }
  return batches;
}

enum class TableKind { kLazy, kDenseRowSparse, kDenseFull };

// Trains prediction = (mean-combined rows) . head with squared loss, and returns the table as a dense
// (vocabulary, 3) tensor (a lazy table's unseen ids at their initial rows).
Tensor Train(TableKind kind, const OptimizerSpec& spec, double init_stddev, Index* rows_allocated = nullptr) {
  const Index vocabulary = 400, dim = 3;
  const auto batches = MakeBatches(40);
  LazyEmbedding lazy({.name = "table",
                      .vocabulary = vocabulary,
                      .dimension = dim,
                      .init_stddev = init_stddev,
                      .seed = 6,
                      .initial_capacity = 2});
  ParameterStore store;
  Parameter& dense = store.Create("table", vocabulary, dim);
  for (Index id = 0; id < vocabulary; ++id) lazy.InitialRow(id, dense.value.row(id).data());
  dense.sparse_grad = kind == TableKind::kDenseRowSparse;
  Parameter& table = kind == TableKind::kLazy ? lazy.parameter() : dense;

  Graph g;
  Var sp = kind == TableKind::kLazy ? g.GrowingSparseInput("ids", lazy.capacity()) : g.SparseInput("ids", vocabulary);
  Var w = kind == TableKind::kLazy ? lazy.Bind(g)
                                   : g.Bind("table", &dense.value, &dense.grad,
                                            kind == TableKind::kDenseRowSparse ? &dense.touched : nullptr);
  Tensor head(dim, 1);
  head << 0.5f, -1.0f, 2.0f;
  Var targets = g.Input("targets", {0, 1});  // rows follow the sparse input's, 0 until fed
  Var loss = MeanSquaredError(MatMul(SparseMatMul(sp, w, Combiner::kMean), g.Constant(head)), targets);
  auto optimizer = MakeOptimizer(spec);
  SparseRows compact;
  for (const Batch& b : batches) {
    if (kind == TableKind::kLazy) {
      lazy.Remap(b.ids, compact);
      g.FeedSparse(sp, &compact);
    } else {
      g.FeedSparse(sp, &b.ids);
    }
    g.Feed(targets, b.targets);
    g.Forward();
    g.Backward(loss);
    optimizer->Step({&table});
  }
  if (rows_allocated != nullptr) *rows_allocated = lazy.rows();
  if (kind != TableKind::kLazy) return dense.value;
  Tensor out(vocabulary, dim);
  for (Index id = 0; id < vocabulary; ++id) {
    const Index row = lazy.Find(id);
    if (row >= 0) {
      out.row(id) = lazy.parameter().value.row(row);
    } else {
      lazy.InitialRow(id, out.row(id).data());
    }
  }
  return out;
}

OptimizerSpec Spec(const std::string& name, double learning_rate) {
  OptimizerSpec spec;
  spec.name = name;
  spec.learning_rate = learning_rate;
  return spec;
}

// Bitwise equality, and that training moved rows (so equality is not trivial) but not every row.
void ExpectBitIdenticalAndTrained(const Tensor& lazy, const Tensor& dense, const Tensor& initial) {
  ASSERT_EQ(lazy.rows(), dense.rows());
  EXPECT_TRUE(BitEqual(lazy.data(), dense.data(), lazy.size()));
  Index moved = 0;
  for (Index id = 0; id < lazy.rows(); ++id) moved += lazy.row(id) != initial.row(id) ? 1 : 0;
  EXPECT_GT(moved, 20);
  EXPECT_LT(moved, lazy.rows());
}

class LazyEmbeddingExactnessTest : public ::testing::TestWithParam<std::string> {};

// SGD and AdaGrad leave rows without gradient exactly where they are, so training only the rows of each
// batch in a lazily grown table is training the whole dense table: bit-identical weights. FTRL recomputes
// a weight from its linear term z, which is 0 for a row never touched, so it is exact when rows start at
// zero (FTRL's usual start). Its row kernel multiplies by 1 / lr where the dense one divides by lr, so
// against fully dense FTRL the weights agree to rounding; against the same kernel on a dense table with
// row-sparse gradients they are bit-identical, as for every optimizer.
TEST_P(LazyEmbeddingExactnessTest, BitIdenticalToADenseTableOfTheWholeVocabulary) {
  const std::string name = GetParam();
  const double init_stddev = name == "ftrl" ? 0.0 : -1.0;
  const OptimizerSpec spec = Spec(name, 0.1);
  Index rows = 0;
  const Tensor lazy = Train(TableKind::kLazy, spec, init_stddev, &rows);
  const Tensor dense_full = Train(TableKind::kDenseFull, spec, init_stddev);
  const Tensor dense_sparse = Train(TableKind::kDenseRowSparse, spec, init_stddev);
  Tensor initial(400, 3);
  LazyEmbedding reference({.vocabulary = 400, .dimension = 3, .init_stddev = init_stddev, .seed = 6});
  for (Index id = 0; id < 400; ++id) reference.InitialRow(id, initial.row(id).data());
  if (name == "ftrl") {
    ExpectBitIdenticalAndTrained(lazy, dense_sparse, initial);
    EXPECT_TRUE(lazy.isApprox(dense_full, 1e-6f));
  } else {
    ExpectBitIdenticalAndTrained(lazy, dense_full, initial);
    EXPECT_TRUE(BitEqual(lazy.data(), dense_sparse.data(), lazy.size()));
  }
  EXPECT_LT(rows, 400);  // the lazy table held only the ids it saw
}

INSTANTIATE_TEST_SUITE_P(Optimizers, LazyEmbeddingExactnessTest, ::testing::Values("sgd", "adagrad", "ftrl"));

// Adam through a lazy table equals Adam on a dense table with row-sparse gradients (both lazy: untouched
// rows keep their moments), and differs from dense Adam, whose moments decay and keep moving every row.
TEST(LazyEmbeddingExactnessTest, AdamIsLazyLikeTheDenseRowSparseTable) {
  const OptimizerSpec spec = Spec("adam", 0.01);
  const Tensor lazy = Train(TableKind::kLazy, spec, -1.0);
  EXPECT_TRUE(BitEqual(lazy.data(), Train(TableKind::kDenseRowSparse, spec, -1.0).data(), lazy.size()));
  EXPECT_FALSE(lazy.isApprox(Train(TableKind::kDenseFull, spec, -1.0), 1e-4f));
}

// ---- Optimizer slots ---------------------------------------------------------------------------------

// A graph whose loss is the sum of the looked-up rows: d loss / d row = the sum of the row's values.
struct SumModel {
  explicit SumModel(LazyEmbedding& t) : table(t) {
    sp = graph.GrowingSparseInput("ids", table.capacity());
    loss = Sum(SparseMatMul(sp, table.Bind(graph)));
  }
  void Step(Optimizer& optimizer, const SparseRows& ids) {
    table.Remap(ids, compact);
    graph.FeedSparse(sp, &compact);
    graph.Forward();
    graph.Backward(loss);
    optimizer.Step({&table.parameter()});
  }
  LazyEmbedding& table;
  Graph graph;
  Var sp, loss;
  SparseRows compact;
};

TEST(LazyEmbeddingSlotsTest, AdagradAccumulatorsGrowWithTheirInitialValue) {
  // lr 0.1, initial accumulator 0.1. Step 1: id 10 with g = 2: s = 0.1 + 4 = 4.1.
  // Step 2: ids 20 (g = 1) and 30 (g = 3) are new; the table grows from 2 to 4 rows and so do the slots:
  // s(20) = 1.1, s(30) = 9.1; id 10 keeps 4.1; the zero row keeps the initial 0.1.
  LazyEmbedding table({.name = "t", .vocabulary = 1000, .dimension = 1, .init_stddev = 0.0, .initial_capacity = 2});
  SumModel model(table);
  auto adagrad = MakeOptimizer(Spec("adagrad", 0.1));
  model.Step(*adagrad, Rows(1000, {{10}}, 2.0f));
  EXPECT_EQ(SavedSlot(*adagrad, "t/accumulator").rows(), 2);
  SparseRows second = Rows(1000, {{20}, {30}});
  second.values = {1.0f, 3.0f};
  model.Step(*adagrad, second);
  const Tensor s = SavedSlot(*adagrad, "t/accumulator");
  ASSERT_EQ(s.rows(), table.capacity());
  EXPECT_EQ(table.capacity(), 4);
  EXPECT_CLOSE(s(table.Find(10), 0), 4.1);
  EXPECT_CLOSE(s(table.Find(20), 0), 1.1);
  EXPECT_CLOSE(s(table.Find(30), 0), 9.1);
  EXPECT_CLOSE(s(LazyEmbedding::kZeroRow, 0), 0.1);
  // w = -lr g / (sqrt(s) + 1e-7)
  EXPECT_CLOSE(table.parameter().value(table.Find(10), 0), -0.1 * 2 / std::sqrt(4.1));
  EXPECT_CLOSE(table.parameter().value(table.Find(30), 0), -0.1 * 3 / std::sqrt(9.1));
  EXPECT_EQ(table.parameter().value(LazyEmbedding::kZeroRow, 0), 0.0f);
  EXPECT_GT(adagrad->SlotBytes(), 0u);
  EXPECT_EQ(adagrad->SlotBytes(), static_cast<size_t>(table.capacity()) * sizeof(float));
}

TEST(LazyEmbeddingSlotsTest, GrowSlotsKeepsStateAndFillsEveryNewRowWithItsInitialValue) {
  // FTRL has two slots: accumulator (initial 0.1) and linear term z (initial 0).
  ParameterStore store;
  Parameter& p = store.Create("w", 2, 2);
  p.grad.setConstant(1.0f);
  auto ftrl = MakeOptimizer(Spec("ftrl", 0.5));
  ftrl->Step({&p});
  const Tensor z = SavedSlot(*ftrl, "w/linear");
  p.value.conservativeResize(5, 2);
  p.value.bottomRows(3).setZero();
  ftrl->GrowSlots(p);
  const Tensor accumulator = SavedSlot(*ftrl, "w/accumulator");
  const Tensor linear = SavedSlot(*ftrl, "w/linear");
  ASSERT_EQ(accumulator.rows(), 5);
  EXPECT_TRUE(accumulator.topRows(2).isApproxToConstant(1.1f));
  EXPECT_TRUE(accumulator.bottomRows(3).isApproxToConstant(0.1f));
  EXPECT_EQ(Tensor(linear.topRows(2)), z);
  EXPECT_TRUE(linear.bottomRows(3).isZero());
  p.value.resize(1, 2);  // parameters may only gain rows
  EXPECT_THROW(ftrl->GrowSlots(p), ShapeError);
}

TEST(LazyEmbeddingSlotsTest, LazyAdamWorkedByHand) {
  // lr 0.1, beta1 0.9, beta2 0.999, epsilon 1e-8, rows start at zero, g = 1 for each row in its batch.
  // Step 1 (t = 1) touches id a: m = 0.1, v = 0.001, mhat = 1, vhat = 1: w_a = -0.1 / (1 + 1e-8) = -0.1.
  // Step 2 (t = 2) touches only id b, allocated now (the table and the slots grow):
  //   m = 0.1, v = 0.001; mhat = 0.1 / (1 - 0.81) = 0.52631579, vhat = 0.001 / (1 - 0.998001) = 0.50025013;
  //   w_b = -0.1 * 0.52631579 / (0.70728362 + 1e-8) = -0.07441368.
  // Lazy: w_a stays -0.1 with m = 0.1, v = 0.001. Dense Adam would have decayed them (m = 0.09,
  // v = 0.000999) and moved w_a by -0.1 * (0.09 / 0.19) / sqrt(0.000999 / 0.001999) to -0.16700582.
  LazyEmbedding table({.name = "t", .vocabulary = 1 << 20, .dimension = 1, .init_stddev = 0.0, .initial_capacity = 2});
  SumModel model(table);
  Adam adam(ConstantSchedule(0.1));
  model.Step(adam, Rows(1 << 20, {{123456}}));
  model.Step(adam, Rows(1 << 20, {{987654}}));
  const Index a = table.Find(123456), b = table.Find(987654);
  EXPECT_CLOSE(table.parameter().value(a, 0), -0.1);
  EXPECT_CLOSE(table.parameter().value(b, 0), -0.07441368);
  const Tensor m = SavedSlot(adam, "t/m"), v = SavedSlot(adam, "t/v");
  ASSERT_EQ(m.rows(), table.capacity());
  EXPECT_CLOSE(m(a, 0), 0.1);
  EXPECT_CLOSE(v(a, 0), 0.001);
  EXPECT_CLOSE(m(b, 0), 0.1);
  EXPECT_CLOSE(v(b, 0), 0.001);
  EXPECT_EQ(m(LazyEmbedding::kZeroRow, 0), 0.0f);
}

// ---- Checkpoints -------------------------------------------------------------------------------------

TEST(LazyEmbeddingStateTest, ResumedRunEndsWhereAnUninterruptedOneDoes) {
  const auto batches = MakeBatches(20);
  const LazyEmbeddingOptions options{.name = "t", .vocabulary = 400, .dimension = 3, .seed = 2, .initial_capacity = 2};
  auto run = [&](LazyEmbedding& table, Optimizer& optimizer, size_t begin, size_t end) {
    SumModel model(table);
    for (size_t i = begin; i < end; ++i) model.Step(optimizer, batches[i].ids);
  };
  LazyEmbedding uninterrupted(options);
  auto optimizer = MakeOptimizer(Spec("adagrad", 0.05));
  run(uninterrupted, *optimizer, 0, 20);

  LazyEmbedding first(options);
  auto first_optimizer = MakeOptimizer(Spec("adagrad", 0.05));
  run(first, *first_optimizer, 0, 8);
  MemoryState state;
  first.SaveState(state, "model/");
  first_optimizer->SaveState(state);
  LazyEmbedding resumed(options);
  resumed.LoadState(state, "model/");
  auto resumed_optimizer = MakeOptimizer(Spec("adagrad", 0.05));
  resumed_optimizer->LoadState(state, {&resumed.parameter()});
  EXPECT_EQ(resumed.rows(), first.rows());
  run(resumed, *resumed_optimizer, 8, 20);

  ASSERT_EQ(resumed.rows(), uninterrupted.rows());
  for (Index row = 1; row <= uninterrupted.rows(); ++row) {
    const int64_t id = uninterrupted.IdOfRow(row);
    EXPECT_TRUE(BitEqual(uninterrupted.parameter().value.row(row).data(),
                         resumed.parameter().value.row(resumed.Find(id)).data(), 3))
        << "id " << id;
  }
  EXPECT_THROW(LazyEmbedding({.name = "t", .vocabulary = 400, .dimension = 4}).LoadState(state, "model/"), IoError);
}

}  // namespace
}  // namespace lever
