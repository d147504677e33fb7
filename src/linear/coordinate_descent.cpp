#include "lever/linear/coordinate_descent.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <thread>

#include "lever/error.h"

namespace lever {
namespace {

constexpr int kAhead = 16;  // column entries to prefetch ahead: the rows they name are scattered

// The data by feature: the rows where each feature is present, in increasing order, with its values.
// (The large arrays are left uninitialized: their pages are first touched by the parallel passes that
// fill them, not zeroed on one thread first.)
struct Columns {
  std::vector<int64_t> start;  // cols + 1
  std::unique_ptr<int32_t[]> rows;
  std::unique_ptr<float[]> values;  // null when every value is 1 (one-hot data)
};

// Runs fn(t) for t in [0, parts) on `parts` threads (the caller's among them).
template <typename Fn>
void RunParts(int parts, Fn&& fn) {
  std::vector<std::thread> pool;
  for (int t = 1; t < parts; ++t) pool.emplace_back(fn, t);
  fn(0);
  for (auto& th : pool) th.join();
}

// The entries sorted by feature, a radix sort in two cache-friendly passes over the final arrays.
// Writing each entry straight to its feature's list would scatter the writes over a million lists.
// Instead the first pass (in parallel over row ranges) moves every entry into its bucket of 2^shift
// consecutive features: a bucket's lists are one contiguous region of the output, so the entries land
// in their final region, grouped only by bucket, with their feature (within the bucket) in a 16-bit side
// array; there are few enough buckets that every write position stays in cache. The second pass (in
// parallel over buckets) orders each region by feature, a small cache-resident sort. Row order is kept
// throughout (a thread's rows follow the earlier threads' rows in every bucket), so every list comes out
// increasing. Fresh memory costs (the kernel zeroes every page on first touch), so the only scratch is
// the 2-byte side array.
Columns Transpose(const SparseRows& x, bool binary, int threads) {
  const Index n = x.rows(), d = x.cols;
  const int parts = static_cast<int>(std::clamp<Index>(n / 65536, 1, threads));
  std::vector<Index> row_begin(static_cast<size_t>(parts) + 1);
  for (int t = 0; t <= parts; ++t) row_begin[static_cast<size_t>(t)] = n * t / parts;
  int shift = 0;
  while ((d >> shift) > 2048 && shift < 16) ++shift;  // beyond 2^27 features: more buckets, not wider
  const int64_t bucket_width = int64_t{1} << shift;
  const size_t buckets = static_cast<size_t>((d + bucket_width - 1) >> shift);

  // Per (thread, feature) counts.
  std::vector<std::vector<int32_t>> counts(static_cast<size_t>(parts));
  RunParts(parts, [&](int t) {
    auto& c = counts[static_cast<size_t>(t)];
    c.assign(static_cast<size_t>(d), 0);
    const int64_t k0 = x.row_ptr[static_cast<size_t>(row_begin[static_cast<size_t>(t)])];
    const int64_t k1 = x.row_ptr[static_cast<size_t>(row_begin[static_cast<size_t>(t) + 1])];
    for (int64_t k = k0; k < k1; ++k) ++c[static_cast<size_t>(x.ids[static_cast<size_t>(k)])];
  });
  Columns c;
  c.start.assign(static_cast<size_t>(d) + 1, 0);
  std::vector<std::vector<int64_t>> cursor(static_cast<size_t>(parts), std::vector<int64_t>(buckets));
  int64_t total = 0;
  for (size_t b = 0; b < buckets; ++b) {
    const Index j0 = static_cast<Index>(b) << shift, j1 = std::min<Index>(d, j0 + bucket_width);
    for (int t = 0; t < parts; ++t) {
      cursor[static_cast<size_t>(t)][b] = total;
      for (Index j = j0; j < j1; ++j) total += counts[static_cast<size_t>(t)][static_cast<size_t>(j)];
    }
  }
  int64_t running = 0;
  for (Index j = 0; j < d; ++j) {
    c.start[static_cast<size_t>(j)] = running;
    for (int t = 0; t < parts; ++t) running += counts[static_cast<size_t>(t)][static_cast<size_t>(j)];
  }
  c.start[static_cast<size_t>(d)] = running;
  counts.clear();
  c.rows.reset(new int32_t[static_cast<size_t>(total)]);
  if (!binary) c.values.reset(new float[static_cast<size_t>(total)]);
  std::unique_ptr<uint16_t[]> local(new uint16_t[static_cast<size_t>(total)]);  // feature - its bucket's first

  // Pass 1: into each bucket's region, in row order.
  RunParts(parts, [&](int t) {
    auto& next = cursor[static_cast<size_t>(t)];
    for (Index i = row_begin[static_cast<size_t>(t)]; i < row_begin[static_cast<size_t>(t) + 1]; ++i) {
      for (int64_t k = x.row_ptr[static_cast<size_t>(i)]; k < x.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
        const int32_t id = x.ids[static_cast<size_t>(k)];
        const auto slot = static_cast<size_t>(next[static_cast<size_t>(id >> shift)]++);
        c.rows[slot] = static_cast<int32_t>(i);
        local[slot] = static_cast<uint16_t>(id & (bucket_width - 1));
        if (!binary) c.values[slot] = x.values[static_cast<size_t>(k)];
      }
    }
  });
  // Pass 2: order each region by feature.
  RunParts(parts, [&](int t) {
    std::vector<int32_t> rows;
    std::vector<float> values;
    std::vector<uint16_t> features;
    std::vector<int64_t> next;
    for (size_t b = static_cast<size_t>(t); b < buckets; b += static_cast<size_t>(parts)) {
      const Index j0 = static_cast<Index>(b) << shift, j1 = std::min<Index>(d, j0 + bucket_width);
      const int64_t begin = c.start[static_cast<size_t>(j0)], end = c.start[static_cast<size_t>(j1)];
      rows.assign(c.rows.get() + begin, c.rows.get() + end);
      features.assign(local.get() + begin, local.get() + end);
      if (!binary) values.assign(c.values.get() + begin, c.values.get() + end);
      next.assign(c.start.begin() + j0, c.start.begin() + j1);
      for (size_t k = 0; k < rows.size(); ++k) {
        const auto slot = static_cast<size_t>(next[features[k]]++);
        c.rows[slot] = rows[k];
        if (!binary) c.values[slot] = values[k];
      }
    }
  });
  return c;
}

// What a coordinate step needs of a row, in 8 bytes so that the rows of a million examples stay in cache.
// Logistic: e = exp(-margin), signed (negative when the label is 1), and q = p - y, the margin's
// gradient (its second derivative is |q| (1 - |q|) = p (1 - p)). e is clamped to [1e-30, 1e30], margins
// of +-69, where p is 0 or 1 in float anyway. Squared: the residual margin - y.
template <bool kLogistic>
struct RowState;
template <>
struct RowState<true> {
  float e;
  float q;
};
template <>
struct RowState<false> {
  double r;
};

// The minimizer over d of g d + h d^2 / 2 + l1 |w + d|, capped to [-cap, cap].
double SoftNewtonStep(double w, double g, double h, double l1, double cap) {
  double d;
  if (g + l1 <= h * w) {
    d = -(g + l1) / h;
  } else if (g - l1 >= h * w) {
    d = -(g - l1) / h;
  } else {
    d = -w;
  }
  return std::clamp(d, -cap, cap);
}

template <bool kLogistic, bool kBinary>
class Solver {
  using Row = RowState<kLogistic>;

 public:
  Solver(const SparseRows& x, const std::vector<float>& labels, const CoordinateDescentOptions& options,
         const Columns& columns, int threads)
      : options_(options),
        columns_(columns),
        n_(x.rows()),
        d_(x.cols),
        rows_(static_cast<size_t>(n_)),
        w_(static_cast<size_t>(d_), 0.0),
        l1_(static_cast<size_t>(d_), 0.0) {
    const double nd = static_cast<double>(n_);
    for (Index j = 0; j < d_; ++j) {
      double scale = 1.0;
      if (options.l1_scale == L1Scale::kStd) {
        double sum = 0.0, sum_sq = 0.0;
        for (int64_t k = columns_.start[static_cast<size_t>(j)]; k < columns_.start[static_cast<size_t>(j) + 1]; ++k) {
          const double v = Value(k);
          sum += v;
          sum_sq += v * v;
        }
        const double mean = sum / nd;
        scale = std::sqrt(std::max(0.0, sum_sq / nd - mean * mean));
      }
      l1_[static_cast<size_t>(j)] = nd * options.l1 * scale;  // in units of the summed loss
    }
    l2_ = 2.0 * nd * options.l2;
    // The squared loss is its own second-order model, so its step is exact and needs no trust region; a
    // cap would take (target scale) / max_step sweeps just to move the bias to the targets' mean.
    cap_ = kLogistic ? options.max_step : std::numeric_limits<double>::infinity();
    if (threads > 1) helper_ = std::make_unique<Helper>(*this);
    for (Index i = 0; i < n_; ++i) {
      const float y = labels[static_cast<size_t>(i)];
      if constexpr (kLogistic) {
        rows_[static_cast<size_t>(i)] = {y > 0.5f ? -1.0f : 1.0f, 0.5f - y};
      } else {
        rows_[static_cast<size_t>(i)] = {-static_cast<double>(y)};
      }
    }
  }

  CoordinateDescentResult Run(const CoordinateDescentProgressFn& progress) {
    const auto start = std::chrono::steady_clock::now();
    CoordinateDescentResult result;
    double previous = Objective(nullptr);
    for (int sweep = 1; sweep <= options_.max_sweeps; ++sweep) {
      StepBias();
      int64_t changed = 0;
      for (Index j = 0; j < d_; ++j) changed += StepFeature(j);
      double loss = 0.0;
      const double objective = Objective(&loss);
      result.sweeps = sweep;
      result.objective = objective;
      result.loss = loss;
      if (progress) {
        CoordinateDescentProgress p;
        p.sweep = sweep;
        p.objective = objective;
        p.loss = loss;
        p.nonzero = static_cast<int64_t>(std::count_if(w_.begin(), w_.end(), [](double v) { return v != 0.0; }));
        p.changed = changed;
        p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        progress(p);
      }
      // The relative change; a perfect fit (objective 0) has nothing left to change.
      const double change = objective == 0.0 ? 0.0 : (previous - objective) / std::fabs(objective);
      result.convergence.change = change;
      const bool done = changed == 0 || change < options_.tolerance;
      previous = objective;
      if (done) {
        result.converged = true;
        break;
      }
    }
    Convergence& c = result.convergence;
    c.converged = result.converged;
    c.iterations = result.sweeps;
    c.limit = "max_sweeps";
    c.criterion = "tolerance";
    c.tolerance = options_.tolerance;
    if (!c.converged) {
      c.reason = "not converged: " + std::to_string(result.sweeps) +
                 " sweeps (max_sweeps) ended with a relative change "
                 "of the objective of " +
                 FormatChange(c.change) + " > tolerance " + FormatChange(c.tolerance) +
                 "; raise max_sweeps or loosen tolerance";
    }
    result.weights.resize(static_cast<size_t>(d_));
    for (Index j = 0; j < d_; ++j)
      result.weights[static_cast<size_t>(j)] = static_cast<float>(w_[static_cast<size_t>(j)]);
    result.bias = static_cast<float>(bias_);
    return result;
  }

 private:
  double Value(int64_t k) const {
    if constexpr (kBinary) {
      (void)k;
      return 1.0;
    } else {
      return columns_.values[static_cast<size_t>(k)];
    }
  }

  // Moves row r's margin by delta (logistic: factor = exp(-delta) when the caller has it).
  static void Shift(Row& r, double delta, float factor) {
    if constexpr (kLogistic) {
      const float e = std::clamp(std::fabs(r.e) * factor, 1e-30f, 1e30f);
      const float p = 1.0f / (1.0f + e);
      if (r.e < 0.0f) {  // label 1
        r.e = -e;
        r.q = p - 1.0f;
      } else {
        r.e = e;
        r.q = p;
      }
      (void)delta;
    } else {
      r.r += delta;
      (void)factor;
    }
  }

  // Gradient and second derivative of the summed loss with respect to the margin of row r.
  static void Derivatives(const Row& r, double& g, double& h) {
    if constexpr (kLogistic) {
      const float a = std::fabs(r.q);
      g = r.q;
      h = a * (1.0f - a);
    } else {
      g = 2.0 * r.r;
      h = 2.0;
    }
  }

  void StepBias() {
    double g = 0.0, h = 0.0;
    for (const Row& r : rows_) {
      double gi, hi;
      Derivatives(r, gi, hi);
      g += gi;
      h += hi;
    }
    if (h <= 0.0) return;
    const double delta = std::clamp(-g / h, -cap_, cap_);
    if (delta == 0.0) return;
    bias_ += delta;
    const float factor = static_cast<float>(std::exp(-delta));
    for (Row& r : rows_) Shift(r, delta, factor);
  }

  // Sums the loss's first and second derivatives over column entries [begin, end).
  void Gather(int64_t begin, int64_t end, double& g, double& h) const {
    const int32_t* rows = columns_.rows.get();
    g = 0.0;
    h = 0.0;
    for (int64_t k = begin; k < end; ++k) {
      if (k + kAhead < end) __builtin_prefetch(&rows_[static_cast<size_t>(rows[k + kAhead])]);
      double gi, hi;
      Derivatives(rows_[static_cast<size_t>(rows[k])], gi, hi);
      const double v = Value(k);
      g += gi * v;
      h += hi * v * v;
    }
  }

  // Moves the margins of the rows of column entries [begin, end) by delta times their value.
  void Scatter(int64_t begin, int64_t end, double delta, float factor) {
    const int32_t* rows = columns_.rows.get();
    for (int64_t k = begin; k < end; ++k) {
      if (k + kAhead < end) __builtin_prefetch(&rows_[static_cast<size_t>(rows[k + kAhead])], 1);
      Row& r = rows_[static_cast<size_t>(rows[k])];
      if constexpr (kBinary) {
        Shift(r, delta, factor);
      } else {
        const double step = delta * Value(k);
        Shift(r, step, kLogistic ? std::exp(-static_cast<float>(step)) : 0.0f);
      }
    }
  }

  int StepFeature(Index j) {
    const int64_t begin = columns_.start[static_cast<size_t>(j)], end = columns_.start[static_cast<size_t>(j) + 1];
    if (begin == end) return 0;
    // A long column is summed in two halves, the second on the helper thread when there is one; the
    // halves' rows are disjoint (a column's rows increase), and the split does not depend on the number
    // of threads, so neither does the result.
    const bool split = end - begin >= kSplitEntries;
    const int64_t mid = split ? begin + (end - begin) / 2 : end;
    double g, h;
    if (split && helper_) {
      helper_->Post(Job{Job::kGather, mid, end, 0.0, 0.0f});
      Gather(begin, mid, g, h);
      const Job& done = helper_->Wait();
      g += done.g;
      h += done.h;
    } else {
      Gather(begin, mid, g, h);
      if (split) {
        double g2, h2;
        Gather(mid, end, g2, h2);
        g += g2;
        h += h2;
      }
    }
    double& w = w_[static_cast<size_t>(j)];
    g += l2_ * w;
    h += l2_;
    if (h <= 1e-12) return 0;  // nothing to learn from (every p saturated, no L2)
    const double delta = SoftNewtonStep(w, g, h, l1_[static_cast<size_t>(j)], cap_);
    if (delta == 0.0) return 0;
    w += delta;
    if (std::fabs(w) < 1e-12 * std::fabs(delta)) w = 0.0;  // landed on zero up to rounding
    const float factor = kLogistic && kBinary ? static_cast<float>(std::exp(-delta)) : 0.0f;
    if (split && helper_) {
      helper_->Post(Job{Job::kScatter, mid, end, delta, factor});
      Scatter(begin, mid, delta, factor);
      helper_->Wait();
    } else {
      Scatter(begin, end, delta, factor);
    }
    return 1;
  }

  // The objective (mean loss + penalties); the mean loss into *loss if given.
  double Objective(double* loss) const {
    double sum = 0.0;
    for (const Row& r : rows_) {
      if constexpr (kLogistic) {
        const double e = std::fabs(r.e);
        sum += r.e < 0.0f ? std::log1p(e) : std::log1p(1.0 / e);  // label 1: log(1 + e^-m); 0: log(1 + e^m)
      } else {
        sum += r.r * r.r;
      }
    }
    const double nd = static_cast<double>(n_);
    double penalty = 0.0;
    for (Index j = 0; j < d_; ++j) {
      const double w = w_[static_cast<size_t>(j)];
      penalty += l1_[static_cast<size_t>(j)] * std::fabs(w) + 0.5 * l2_ * w * w;
    }
    if (loss) *loss = sum / nd;
    return (sum + penalty) / nd;
  }

  static constexpr int64_t kSplitEntries = 4096;  // columns this long are summed in two halves

  // One unit of work for the helper thread: half of a long column.
  struct Job {
    enum Kind { kGather, kScatter, kStop } kind;
    int64_t begin, end;
    double delta;
    float factor;
    double g = 0.0, h = 0.0;  // kGather's result
  };

  // A second thread that takes half of every long column. The two threads hand jobs over through two
  // sequence numbers; a waiting thread spins briefly (a hand-over then costs well under a microsecond,
  // against tens of microseconds of work in a long column) and then sleeps on the number, so that a
  // thread waiting through a run of short columns, or on a busy machine, gives its core away.
  class Helper {
   public:
    explicit Helper(Solver& solver) : solver_(solver), thread_([this] { Loop(); }) {}
    ~Helper() {
      Post(Job{Job::kStop, 0, 0, 0.0, 0.0f});
      thread_.join();
    }
    void Post(const Job& job) {
      job_ = job;
      posted_.fetch_add(1, std::memory_order_release);
      posted_.notify_one();
    }
    const Job& Wait() {
      const uint64_t want = posted_.load(std::memory_order_relaxed);
      AwaitValue(finished_, want);
      return job_;
    }

   private:
    // Returns once `number` equals `want` (numbers only grow).
    static void AwaitValue(std::atomic<uint64_t>& number, uint64_t want) {
      for (int spins = 0; spins < 2000; ++spins) {
        if (number.load(std::memory_order_acquire) == want) return;
        __builtin_ia32_pause();
      }
      for (uint64_t seen = number.load(std::memory_order_acquire); seen != want;
           seen = number.load(std::memory_order_acquire)) {
        number.wait(seen, std::memory_order_acquire);
      }
    }
    void Loop() {
      for (uint64_t next = 1;; ++next) {
        AwaitValue(posted_, next);
        if (job_.kind == Job::kStop) return;
        if (job_.kind == Job::kGather) {
          solver_.Gather(job_.begin, job_.end, job_.g, job_.h);
        } else {
          solver_.Scatter(job_.begin, job_.end, job_.delta, job_.factor);
        }
        finished_.store(next, std::memory_order_release);
        finished_.notify_one();
      }
    }
    Solver& solver_;
    Job job_{Job::kStop, 0, 0, 0.0, 0.0f};
    std::atomic<uint64_t> posted_{0}, finished_{0};
    std::thread thread_;
  };

  const CoordinateDescentOptions& options_;
  const Columns& columns_;
  Index n_, d_;
  std::vector<Row> rows_;
  std::vector<double> w_;
  std::vector<double> l1_;  // per feature, summed-loss units
  double l2_ = 0.0;         // summed-loss units: the penalty is l2_ / 2 * w^2
  double cap_ = 0.0;        // largest coordinate step: max_step (logistic) or none (squared)
  double bias_ = 0.0;
  std::unique_ptr<Helper> helper_;  // declared last: its thread stops before the rest goes
};

template <bool kLogistic>
CoordinateDescentResult Dispatch(const SparseRows& x, const std::vector<float>& labels,
                                 const CoordinateDescentOptions& options, const CoordinateDescentProgressFn& progress,
                                 int threads) {
  const bool binary = std::all_of(x.values.begin(), x.values.end(), [](float v) { return v == 1.0f; });
  const Columns columns = Transpose(x, binary, threads);
  // Sweeps split long columns over two threads only when asked (threads >= 2): on an idle machine that
  // is faster, but a busy core makes every hand-over wait.
  const int sweep_threads = options.threads >= 2 ? 2 : 1;
  if (binary) return Solver<kLogistic, true>(x, labels, options, columns, sweep_threads).Run(progress);
  return Solver<kLogistic, false>(x, labels, options, columns, sweep_threads).Run(progress);
}

}  // namespace

L1Scale ParseL1Scale(const std::string& text) {
  if (text == "none") return L1Scale::kNone;
  if (text == "std") return L1Scale::kStd;
  throw ConfigError("L1 scale '" + text +
                    "' is not valid; valid: none (every weight pays l1), std (weight j pays l1 * "
                    "the standard deviation of feature j)");
}

CoordinateDescentResult FitCoordinateDescent(const SparseRows& x, const std::vector<float>& labels,
                                             const CoordinateDescentOptions& options,
                                             const CoordinateDescentProgressFn& progress) {
  const bool logistic = options.loss == "sigmoid_cross_entropy";
  if (!logistic && options.loss != "mean_squared_error") {
    throw ConfigError(
        "coordinate descent fits sigmoid_cross_entropy (logistic) or mean_squared_error (linear) "
        "models, not '" +
        options.loss + "'; use an optimizer (e.g. ftrl) for other losses");
  }
  if (!(options.l1 >= 0.0) || !(options.l2 >= 0.0) || !std::isfinite(options.l1) || !std::isfinite(options.l2)) {
    throw ConfigError("coordinate descent: l1 and l2 must be finite and >= 0 (got l1 " + FormatValue(options.l1) +
                      ", l2 " + FormatValue(options.l2) + ")");
  }
  if (options.max_sweeps < 1) throw ConfigError("coordinate descent: max sweeps must be >= 1");
  if (!(options.tolerance >= 0.0)) throw ConfigError("coordinate descent: tolerance must be >= 0");
  if (!(options.max_step > 0.0)) throw ConfigError("coordinate descent: max step must be > 0");
  if (x.rows() == 0) throw DataError("coordinate descent: no training rows");
  if (static_cast<Index>(labels.size()) != x.rows()) {
    throw DataError("coordinate descent: " + std::to_string(labels.size()) + " labels for " + std::to_string(x.rows()) +
                    " rows");
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    const float y = labels[i];
    if (logistic ? !(y == 0.0f || y == 1.0f) : !std::isfinite(y)) {
      throw DataError("coordinate descent: label " + FormatValue(y) + " of row " + std::to_string(i + 1) +
                      (logistic ? " is not 0 or 1" : " is not a finite number"));
    }
  }
  for (size_t k = 0; k < x.ids.size(); ++k) {
    if (x.ids[k] < 0 || x.ids[k] >= x.cols) {
      throw DataError("coordinate descent: feature id " + std::to_string(x.ids[k]) + " outside [0, " +
                      std::to_string(x.cols) + ")");
    }
    if (!std::isfinite(x.values[k])) throw DataError("coordinate descent: a feature value is not finite");
  }
  const int threads =
      options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return logistic ? Dispatch<true>(x, labels, options, progress, threads)
                  : Dispatch<false>(x, labels, options, progress, threads);
}

}  // namespace lever
