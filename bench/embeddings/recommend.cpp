// Embeddings whose memory follows the rows touched: a recommendation set generated from planted low-rank
// factors trains a dot-product model with lazily allocated embedding tables (lever/nn/lazy_embedding.h).
//
//   rating = mu + b_user + b_item + <u_user, v_item> + noise,   noise ~ N(0, noise^2)
//   model:   prediction = global_bias + user_bias[id] + item_bias[id] + <user_embedding[id], item_embedding[id]>
//
// 50k users, 20k items (drawn with a Zipf-like popularity), rank 8, 4M ratings by default (72 training
// ratings a user; with 1M, 18 a user, the factors barely beat the biases: docs/benchmarks.md). Squared loss,
// AdaGrad, L2 on the rows a batch touches, 10 epochs.
//
// User and item ids are scattered over a vocabulary of 2^bits by a seeded bijection, so the active users
// and items, and every interaction, are the same whatever the vocabulary: run it with --vocabulary-bits 20
// and 27 and the peak memory stays put, while dense tables of 2^27 rows would need many GB (printed).
// --table dense trains the same model on dense tables of the whole vocabulary instead (same initial rows,
// so with AdaGrad the same weights), to show what the lazy tables save.
//
//   lever_recommend_bench --vocabulary-bits 27
//   lever_recommend_bench --vocabulary-bits 20 --table dense
//   lever_recommend_bench --vocabulary-bits 27 --interactions 1000000 --steps 9000
//
// Other options: --users --items --rank --dimension --batch --optimizer --learning-rate --l2
// --initial-accumulator --init-stddev --seed.
//
// Reports test RMSE of the model, of the planted model (the noise floor) and of a popularity baseline
// (global mean plus each item's shrunk mean deviation), rows allocated, bytes, and the process's peak
// resident memory (getrusage ru_maxrss) after generating the data, before building the model and at the end.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "lever/error.h"
#include "lever/losses/mean_squared_error.h"
#include "lever/nn/lazy_embedding.h"
#include "lever/ops/elementwise.h"
#include "lever/ops/matmul.h"
#include "lever/ops/sparse_matmul.h"
#include "lever/optim/registry.h"
#include "lever/tensor/rng.h"

namespace {

using lever::Index;

struct Options {
  int vocabulary_bits = 20;
  Index users = 50000;
  Index items = 20000;
  Index rank = 8;
  Index interactions = 4000000;  // 72 training ratings a user on average (see below for 1M)
  double test_fraction = 0.1;
  double factor_stddev = 0.5;  // planted factors: <u, v> has variance rank * stddev^4 = 0.5
  double user_bias_stddev = 0.3;
  double item_bias_stddev = 0.5;
  double noise = 0.5;
  double item_popularity = 0.7;  // items drawn with probability proportional to (popularity rank)^-0.7
  Index dimension = 8;
  Index batch = 1000;
  long steps = 36000;  // 10 epochs of the 3.6M training ratings
  std::string optimizer = "adagrad";
  double learning_rate = 0.05;
  double l2 = 5e-5;  // on embedding rows and biases, applied where touched
  // AdaGrad's initial accumulator (negative: its default, 0.1). A row's gradient of the batch's mean loss is
  // about 1e-4 here, so 0.1 would dominate the accumulator for the whole run and make AdaGrad a slow SGD.
  double initial_accumulator = 1e-6;
  double init_stddev = 0.1;  // of the embedding rows (biases start at zero)
  bool dense = false;
  uint64_t seed = 1;
};

long PeakRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

double Gib(double bytes) { return bytes / double(1 << 30); }
double Mib(double bytes) { return bytes / double(1 << 20); }

// A seeded bijection of [0, 2^bits): odd multiplications and xor-shifts are each invertible mod 2^bits.
int32_t ScatterId(uint64_t index, int bits, uint64_t salt) {
  const uint64_t mask = (uint64_t{1} << bits) - 1;
  const int shift = std::max(1, bits / 2);
  uint64_t x = (index + lever::Mix64(salt)) & mask;
  for (int round = 0; round < 3; ++round) {
    x = (x * (lever::Mix64(salt + static_cast<uint64_t>(round)) | 1)) & mask;
    x ^= x >> shift;
  }
  return static_cast<int32_t>(x);
}

// Interactions as the planted model's user and item indices and the rating; the vocabulary ids the model
// sees are computed from the indices (ScatterId) when batches are made, which keeps the data compact.
struct Data {
  std::vector<int32_t> user, item;
  std::vector<float> rating;
  std::vector<float> planted_mean;  // the test ratings without noise
  Index train = 0;                  // the first `train` interactions train, the rest test
  int bits = 0;
  uint64_t user_salt = 0, item_salt = 0;
  int32_t UserId(size_t k) const { return ScatterId(static_cast<uint64_t>(user[k]), bits, user_salt); }
  int32_t ItemId(size_t k) const { return ScatterId(static_cast<uint64_t>(item[k]), bits, item_salt); }
};

Data Generate(const Options& o) {
  lever::Rng rng(o.seed);
  auto normals = [&](Index n, double stddev) {
    std::vector<double> v(static_cast<size_t>(n));
    for (double& x : v) x = rng.Normal(0.0, stddev);
    return v;
  };
  const std::vector<double> user_factors = normals(o.users * o.rank, o.factor_stddev);
  const std::vector<double> item_factors = normals(o.items * o.rank, o.factor_stddev);
  const std::vector<double> user_bias = normals(o.users, o.user_bias_stddev);
  const std::vector<double> item_bias = normals(o.items, o.item_bias_stddev);
  const double mu = 3.5;
  auto planted = [&](size_t u, size_t i) {
    double mean = mu + user_bias[u] + item_bias[i];
    for (size_t r = 0; r < static_cast<size_t>(o.rank); ++r) {
      mean += user_factors[u * static_cast<size_t>(o.rank) + r] * item_factors[i * static_cast<size_t>(o.rank) + r];
    }
    return mean;
  };
  // Item popularity: a Zipf-like law over a random order of the items.
  std::vector<int32_t> by_popularity(static_cast<size_t>(o.items));
  for (Index i = 0; i < o.items; ++i) by_popularity[static_cast<size_t>(i)] = static_cast<int32_t>(i);
  for (Index i = o.items - 1; i > 0; --i) {
    std::swap(by_popularity[static_cast<size_t>(i)], by_popularity[rng.UniformInt(static_cast<uint64_t>(i + 1))]);
  }
  std::vector<double> cdf(static_cast<size_t>(o.items));
  double total = 0.0;
  for (Index i = 0; i < o.items; ++i)
    cdf[static_cast<size_t>(i)] = total += std::pow(double(i + 1), -o.item_popularity);

  Data d;
  d.bits = o.vocabulary_bits;
  d.user_salt = o.seed * 2 + 1;
  d.item_salt = o.seed * 2 + 2;
  const auto n = static_cast<size_t>(o.interactions);
  d.user.resize(n);
  d.item.resize(n);
  d.rating.resize(n);
  for (size_t k = 0; k < n; ++k) {
    // Every user and item appears at least once in the first pass over them, then at random.
    const auto u =
        static_cast<int32_t>(k < static_cast<size_t>(o.users) ? k : rng.UniformInt(static_cast<uint64_t>(o.users)));
    const size_t rank_index =
        static_cast<size_t>(std::lower_bound(cdf.begin(), cdf.end(), rng.Uniform() * total) - cdf.begin());
    const int32_t i = k < static_cast<size_t>(o.items) ? static_cast<int32_t>(k)
                                                       : by_popularity[std::min(rank_index, cdf.size() - 1)];
    d.user[k] = u;
    d.item[k] = i;
    d.rating[k] =
        static_cast<float>(planted(static_cast<size_t>(u), static_cast<size_t>(i)) + rng.Normal(0.0, o.noise));
  }
  // Shuffle, then split: the first users and items listed above land anywhere.
  for (size_t k = n - 1; k > 0; --k) {
    const size_t j = rng.UniformInt(k + 1);
    std::swap(d.user[k], d.user[j]);
    std::swap(d.item[k], d.item[j]);
    std::swap(d.rating[k], d.rating[j]);
  }
  d.train = static_cast<Index>(static_cast<double>(n) * (1.0 - o.test_fraction));
  for (size_t k = static_cast<size_t>(d.train); k < n; ++k) {
    d.planted_mean.push_back(
        static_cast<float>(planted(static_cast<size_t>(d.user[k]), static_cast<size_t>(d.item[k]))));
  }
  return d;
}

// One embedding input of the model: a lazily allocated table, or a dense one over the whole vocabulary
// with the same initial rows, and the sparse input that feeds it.
class Table {
 public:
  Table(lever::Graph& graph, lever::LazyEmbeddingOptions options, bool dense) : lazy_(options), dense_(dense) {
    if (dense_) {
      parameter_ = &store_.Create(options.name, options.vocabulary, options.dimension);
      for (Index id = 0; id < options.vocabulary; ++id) lazy_.InitialRow(id, parameter_->value.row(id).data());
      parameter_->sparse_grad = true;
      parameter_->l2 = options.l2;
      input_ = graph.SparseInput(options.name + "_ids", options.vocabulary);
      output_ = lever::SparseMatMul(
          input_, graph.Bind(options.name, &parameter_->value, &parameter_->grad, &parameter_->touched));
    } else {
      parameter_ = &lazy_.parameter();
      input_ = graph.GrowingSparseInput(options.name + "_ids", lazy_.capacity());
      output_ = lever::SparseMatMul(input_, lazy_.Bind(graph));
    }
  }
  const lever::Var& output() const { return output_; }
  lever::Parameter* parameter() { return parameter_; }
  void Feed(lever::Graph& graph, const lever::SparseRows& ids, bool training) {
    if (dense_) {
      graph.FeedSparse(input_, &ids);
      return;
    }
    if (training) {
      lazy_.Remap(ids, compact_);
    } else {
      lazy_.Lookup(ids, compact_);  // ids never seen in training: the zero row
    }
    graph.FeedSparse(input_, &compact_);
  }
  Index rows() const { return dense_ ? lazy_.vocabulary() : lazy_.rows(); }
  size_t bytes() const {
    return dense_ ? 2 * static_cast<size_t>(parameter_->value.size()) * sizeof(float) +
                        static_cast<size_t>(parameter_->touched.capacity())
                  : lazy_.MemoryBytes();
  }

 private:
  lever::LazyEmbedding lazy_;
  bool dense_;
  lever::ParameterStore store_;
  lever::Parameter* parameter_ = nullptr;
  lever::Var input_, output_;
  lever::SparseRows compact_;
};

struct Batch {
  lever::SparseRows user, item;
  lever::Tensor target;
  void Fill(const Data& d, const std::vector<uint32_t>& order, size_t begin, size_t end, Index vocabulary) {
    user.Clear();
    item.Clear();
    user.cols = item.cols = vocabulary;
    target.resize(static_cast<Index>(end - begin), 1);
    for (size_t k = begin; k < end; ++k) {
      const size_t e = order[k];
      user.Add(d.UserId(e), 1.0f);
      user.EndRow();
      item.Add(d.ItemId(e), 1.0f);
      item.EndRow();
      target(static_cast<Index>(k - begin), 0) = d.rating[e];
    }
  }
};

// RMSE of predictions for the ratings from `first` on (by default the test ratings).
double Rmse(const std::vector<double>& predictions, const Data& d, size_t first = SIZE_MAX) {
  if (first == SIZE_MAX) first = static_cast<size_t>(d.train);
  double sum = 0.0;
  for (size_t k = 0; k < predictions.size(); ++k) {
    const double e = predictions[k] - d.rating[first + k];
    sum += e * e;
  }
  return std::sqrt(sum / static_cast<double>(predictions.size()));
}

int Run(const Options& o) {
  const Index vocabulary = Index{1} << o.vocabulary_bits;
  const auto start = std::chrono::steady_clock::now();
  const Data d = Generate(o);
  const long rss_data = PeakRssKiB();
  const auto n_train = static_cast<size_t>(d.train);
  const size_t n_test = d.rating.size() - n_train;

  // Baselines on the test ratings: the planted model's noise-free rating, and popularity (the global mean
  // plus each item's mean deviation in training, shrunk towards 0 with 5 pseudo-ratings).
  double mean = 0.0;
  for (size_t k = 0; k < n_train; ++k) mean += d.rating[k];
  mean /= static_cast<double>(n_train);
  std::vector<double> item_sum(static_cast<size_t>(o.items)), item_count(static_cast<size_t>(o.items));
  for (size_t k = 0; k < n_train; ++k) {
    item_sum[static_cast<size_t>(d.item[k])] += d.rating[k] - mean;
    item_count[static_cast<size_t>(d.item[k])] += 1.0;
  }
  std::vector<double> planted(n_test), popularity(n_test), global(n_test, mean);
  for (size_t k = 0; k < n_test; ++k) {
    const size_t e = n_train + k;
    const auto i = static_cast<size_t>(d.item[e]);
    planted[k] = d.planted_mean[k];
    popularity[k] = mean + item_sum[i] / (item_count[i] + 5.0);
  }

  // Everything the benchmark itself holds is allocated before this point (the shuffle order and the
  // prediction buffers too), so the growth of the peak from here on is the model's.
  std::vector<uint32_t> order(n_train);
  for (size_t k = 0; k < n_train; ++k) order[k] = static_cast<uint32_t>(k);
  std::vector<double> predictions(n_test), train_predictions(n_test);  // pages touched now, then refilled
  predictions.clear();
  train_predictions.clear();
  std::vector<uint32_t> indices(n_test);
  const long rss_before_model = PeakRssKiB();

  // The model.
  lever::Graph graph;
  auto options = [&](const std::string& name, Index dim, double stddev, uint64_t seed) {
    lever::LazyEmbeddingOptions t;
    t.name = name;
    t.vocabulary = vocabulary;
    t.dimension = dim;
    t.init_stddev = stddev;
    t.seed = seed;
    t.l2 = o.l2;
    return t;
  };
  Table user(graph, options("user_embedding", o.dimension, o.init_stddev, o.seed * 10 + 1), o.dense);
  Table item(graph, options("item_embedding", o.dimension, o.init_stddev, o.seed * 10 + 2), o.dense);
  Table user_bias(graph, options("user_bias", 1, 0.0, o.seed * 10 + 3), o.dense);
  Table item_bias(graph, options("item_bias", 1, 0.0, o.seed * 10 + 4), o.dense);
  lever::Parameter global_parameter;  // starts at the training mean
  global_parameter.name = "global_bias";
  global_parameter.value = lever::Tensor::Constant(1, 1, static_cast<float>(mean));
  global_parameter.grad = lever::Tensor::Zero(1, 1);
  const lever::Var dot = lever::MatMul(lever::Mul(user.output(), item.output()),
                                       graph.Constant(lever::Tensor::Ones(o.dimension, 1), "ones"));
  const lever::Var prediction =
      lever::BiasAdd(lever::Add(lever::Add(dot, user_bias.output()), item_bias.output()),
                     graph.Bind("global_bias", &global_parameter.value, &global_parameter.grad));
  lever::Var target = graph.Input("rating", {0, 1});  // rows follow the sparse inputs', 0 until fed
  const lever::Var loss = lever::MeanSquaredError(prediction, target);
  lever::OptimizerSpec spec;
  spec.name = o.optimizer;
  spec.learning_rate = o.learning_rate;
  if (o.initial_accumulator >= 0 && (o.optimizer == "adagrad" || o.optimizer == "ftrl")) {
    spec.options["initial_accumulator_value"] = o.initial_accumulator;
  }
  auto optimizer = lever::MakeOptimizer(spec);
  const lever::ParameterList params = {user.parameter(), item.parameter(), user_bias.parameter(), item_bias.parameter(),
                                       &global_parameter};

  // Training: epochs over a seeded shuffle of the training ratings.
  lever::Rng shuffle(o.seed + 100);
  Batch batch;
  size_t cursor = n_train;
  const auto train_start = std::chrono::steady_clock::now();
  double recent_loss = 0.0;
  for (long step = 0; step < o.steps; ++step) {
    if (cursor + static_cast<size_t>(o.batch) > n_train) {
      for (size_t k = n_train - 1; k > 0; --k) std::swap(order[k], order[shuffle.UniformInt(k + 1)]);
      cursor = 0;
    }
    batch.Fill(d, order, cursor, cursor + static_cast<size_t>(o.batch), vocabulary);
    cursor += static_cast<size_t>(o.batch);
    user.Feed(graph, batch.user, true);
    item.Feed(graph, batch.item, true);
    user_bias.Feed(graph, batch.user, true);
    item_bias.Feed(graph, batch.item, true);
    graph.Feed(target, batch.target);
    graph.Forward();
    graph.Backward(loss);
    optimizer->Step(params);
    if (step >= o.steps - 100) recent_loss += loss.scalar() / 100.0;
  }
  const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - train_start).count();

  // Predictions for interactions [first, first + count): the same graph fed with Lookup (no allocation;
  // ids never seen in training read the zero row). On the test ratings, and on as many training ratings.
  auto predict = [&](size_t first, size_t count, std::vector<double>& out) {
    for (size_t k = 0; k < count; ++k) indices[k] = static_cast<uint32_t>(first + k);
    for (size_t begin = 0; begin < count; begin += static_cast<size_t>(o.batch)) {
      const size_t end = std::min(count, begin + static_cast<size_t>(o.batch));
      batch.Fill(d, indices, begin, end, vocabulary);
      user.Feed(graph, batch.user, false);
      item.Feed(graph, batch.item, false);
      user_bias.Feed(graph, batch.user, false);
      item_bias.Feed(graph, batch.item, false);
      graph.Feed(target, batch.target);  // unused, but its rows must match a last, shorter batch's
      graph.Forward(prediction);
      for (Index r = 0; r < prediction.rows(); ++r) out.push_back(prediction.value()(r, 0));
    }
  };
  predict(n_train, n_test, predictions);
  predict(0, n_test, train_predictions);
  const long rss_end = PeakRssKiB();

  // What dense tables of the whole vocabulary would hold: values, gradients and the optimizer's slots.
  const double slots =
      static_cast<double>(optimizer->SlotBytes()) /
      static_cast<double>(user.parameter()->value.size() + item.parameter()->value.size() +
                          user_bias.parameter()->value.size() + item_bias.parameter()->value.size() + 1) /
      sizeof(float);
  const double dense_floats = static_cast<double>(vocabulary) * static_cast<double>(2 * o.dimension + 2);
  const double dense_bytes = dense_floats * sizeof(float) * (2.0 + std::round(slots));
  const size_t table_bytes = user.bytes() + item.bytes() + user_bias.bytes() + item_bias.bytes();

  std::printf("data: %lld users, %lld items, rank %lld, %zu train + %zu test ratings, ids over 2^%d = %lld\n",
              static_cast<long long>(o.users), static_cast<long long>(o.items), static_cast<long long>(o.rank), n_train,
              n_test, o.vocabulary_bits, static_cast<long long>(vocabulary));
  std::printf("model: %s tables, dimension %lld, %s lr=%g, l2=%g, batch %lld, %ld steps in %.2f s (%.0f steps/s)\n",
              o.dense ? "dense" : "lazy", static_cast<long long>(o.dimension), o.optimizer.c_str(), o.learning_rate,
              o.l2, static_cast<long long>(o.batch), o.steps, train_seconds,
              static_cast<double>(o.steps) / train_seconds);
  std::printf("test RMSE: model %.4f | planted %.4f (noise floor %.2f) | popularity %.4f | global mean %.4f\n",
              Rmse(predictions, d), Rmse(planted, d), o.noise, Rmse(popularity, d), Rmse(global, d));
  std::printf("train RMSE: model %.4f on %zu training ratings (last 100 steps' loss %.4f, its root %.4f)\n",
              Rmse(train_predictions, d, 0), n_test, recent_loss, std::sqrt(recent_loss));
  std::printf("rows allocated: user_embedding %lld, item_embedding %lld, user_bias %lld, item_bias %lld\n",
              static_cast<long long>(user.rows()), static_cast<long long>(item.rows()),
              static_cast<long long>(user_bias.rows()), static_cast<long long>(item_bias.rows()));
  std::printf(
      "bytes: tables %.1f MiB + optimizer slots %.1f MiB; dense tables of 2^%d rows would hold %.2f GiB "
      "(values, gradients, %.0f slot(s))\n",
      Mib(static_cast<double>(table_bytes)), Mib(static_cast<double>(optimizer->SlotBytes())), o.vocabulary_bits,
      Gib(dense_bytes), std::round(slots));
  std::printf(
      "peak RSS: %.1f MiB after generating the data, %.1f MiB before building the model, %.1f MiB at "
      "the end: the model added %.1f MiB (%.1f s in all)\n",
      static_cast<double>(rss_data) / 1024.0, static_cast<double>(rss_before_model) / 1024.0,
      static_cast<double>(rss_end) / 1024.0, static_cast<double>(rss_end - rss_before_model) / 1024.0,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--dense") {
      o.dense = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s needs a value (see the header of bench/embeddings/recommend.cpp)\n", arg.c_str());
      return 2;
    }
    const std::string value = argv[++i];
    if (arg == "--vocabulary-bits") {
      o.vocabulary_bits = std::atoi(value.c_str());
    } else if (arg == "--users") {
      o.users = std::atol(value.c_str());
    } else if (arg == "--items") {
      o.items = std::atol(value.c_str());
    } else if (arg == "--rank") {
      o.rank = std::atol(value.c_str());
    } else if (arg == "--interactions") {
      o.interactions = std::atol(value.c_str());
    } else if (arg == "--dimension") {
      o.dimension = std::atol(value.c_str());
    } else if (arg == "--batch") {
      o.batch = std::atol(value.c_str());
    } else if (arg == "--steps") {
      o.steps = std::atol(value.c_str());
    } else if (arg == "--optimizer") {
      o.optimizer = value;
    } else if (arg == "--learning-rate") {
      o.learning_rate = std::atof(value.c_str());
    } else if (arg == "--initial-accumulator") {
      o.initial_accumulator = std::atof(value.c_str());
    } else if (arg == "--init-stddev") {
      o.init_stddev = std::atof(value.c_str());
    } else if (arg == "--l2") {
      o.l2 = std::atof(value.c_str());
    } else if (arg == "--table") {
      o.dense = value == "dense";
      if (value != "dense" && value != "lazy") {
        std::fprintf(stderr, "--table is lazy or dense, got '%s'\n", value.c_str());
        return 2;
      }
    } else if (arg == "--seed") {
      o.seed = std::strtoull(value.c_str(), nullptr, 10);
    } else {
      std::fprintf(stderr, "unknown option %s (see the header of bench/embeddings/recommend.cpp)\n", arg.c_str());
      return 2;
    }
  }
  if (o.vocabulary_bits < 1 || o.vocabulary_bits > 31) {
    std::fprintf(stderr, "--vocabulary-bits must be in [1, 31], got %d\n", o.vocabulary_bits);
    return 2;
  }
  if (o.users > (Index{1} << o.vocabulary_bits) || o.items > (Index{1} << o.vocabulary_bits)) {
    std::fprintf(stderr, "the vocabulary 2^%d is smaller than the %lld users or %lld items\n", o.vocabulary_bits,
                 static_cast<long long>(o.users), static_cast<long long>(o.items));
    return 2;
  }
  if (o.users < 1 || o.items < 1 || o.rank < 1 || o.dimension < 1 || o.batch < 1 || o.steps < 1 ||
      o.interactions < 10 * o.batch) {
    std::fprintf(stderr,
                 "users, items, rank, dimension, batch and steps must be positive, and interactions at "
                 "least 10 batches\n");
    return 2;
  }
  try {
    return Run(o);
  } catch (const lever::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
}
