#include "lever/linear/training.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

#include "lever/error.h"
#include "lever/losses/registry.h"
#include "lever/losses/target_scale.h"
#include "lever/metrics/binary.h"

namespace lever {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void CheckOptions(const LinearTrainOptions& o) {
  if (o.batch_size < 0) {
    throw ConfigError("batch size must be a positive number of examples (or 0 to pick one), got " +
                      std::to_string(o.batch_size));
  }
  if (o.steps < 0) throw ConfigError("steps must be >= 0");
  if (o.steps == 0 && !(o.passes >= 0.0 && std::isfinite(o.passes))) {
    throw ConfigError("give a positive number of passes (or 0: until converged)");
  }
  if (o.steps == 0 && o.passes == 0.0) {
    if (o.max_passes < 1) throw ConfigError("max passes must be at least 1, got " + std::to_string(o.max_passes));
    if (!(o.tolerance >= 0.0)) throw ConfigError("the pass tolerance must be >= 0");
    if (o.patience < 1) throw ConfigError("the pass patience must be at least 1, got " + std::to_string(o.patience));
  }
}

// Until converged: watches the mean training loss of each pass (scikit-learn's SGD rule: stop when `patience`
// passes in a row did not beat the best by more than `tolerance`, relative).
class PassWatch {
 public:
  explicit PassWatch(const LinearTrainOptions& o) : o_(o) {}
  // Records a finished pass; true when training should stop.
  bool Done(double pass_loss) {
    ++passes_;
    // A gain counts when it beats the tolerance relative to the best loss, or to 1e-4 for a loss that is
    // already about zero (a perfect fit's relative changes mean nothing).
    if (pass_loss < best_ - o_.tolerance * std::max(std::abs(best_), 1e-4) || passes_ == 1) {
      stalled_ = 0;
    } else {
      ++stalled_;
    }
    best_ = std::min(best_, pass_loss);
    converged_ = stalled_ >= o_.patience;
    return converged_ || passes_ >= o_.max_passes;
  }
  Convergence Report(int64_t steps) const {
    Convergence c;
    c.iterations = steps;
    c.limit = "max passes";
    c.criterion = "pass tolerance";
    c.tolerance = o_.tolerance;
    c.converged = converged_;
    if (!converged_) {
      c.reason = "not converged: the training loss still fell by more than " + FormatChange(o_.tolerance) +
                 " within the last " + std::to_string(o_.patience) + " of " + std::to_string(passes_) +
                 " passes (the most that training until converged takes); give more passes or a larger learning rate";
    }
    return c;
  }

 private:
  const LinearTrainOptions& o_;
  int64_t passes_ = 0, stalled_ = 0;
  double best_ = std::numeric_limits<double>::infinity();
  bool converged_ = false;
};

// Accumulates predictions for the metrics.
class Scorer {
 public:
  explicit Scorer(const std::string& loss) : loss_(loss) {}
  void Add(const Tensor& predictions, const float* labels, Index rows) {
    for (Index i = 0; i < rows; ++i) {
      const float y = labels[i];
      if (loss_ == "sigmoid_cross_entropy") {
        p_.push_back(predictions(i, 0));
        y_.push_back(y);
      } else if (loss_ == "sparse_softmax_cross_entropy") {
        Index best = 0;
        predictions.row(i).maxCoeff(&best);
        correct_ += best == static_cast<Index>(y);
        const double p = std::max(1e-15, static_cast<double>(predictions(i, static_cast<Index>(y))));
        nll_ -= std::log(p);
      } else {
        const double d = predictions(i, 0) - y;
        squared_ += d * d;
      }
      ++n_;
    }
  }
  LinearEvaluation Result() const {
    LinearEvaluation e;
    e.examples = n_;
    if (n_ == 0) return e;
    const double n = static_cast<double>(n_);
    if (loss_ == "sigmoid_cross_entropy") {
      e.log_loss = LogLoss(p_, y_);
      e.loss = e.log_loss;
      e.auc = AucRoc(p_, y_);
      e.accuracy = Accuracy(p_, y_);
    } else if (loss_ == "sparse_softmax_cross_entropy") {
      e.loss = e.log_loss = nll_ / n;
      e.accuracy = static_cast<double>(correct_) / n;
    } else {
      e.loss = squared_ / n;
      e.rmse = std::sqrt(squared_ / n);
    }
    return e;
  }

 private:
  std::string loss_;
  std::vector<float> p_, y_;
  int64_t n_ = 0, correct_ = 0;
  double nll_ = 0.0, squared_ = 0.0;
};

}  // namespace

Index LinearBatchSize(const LinearTrainOptions& options, int64_t rows) {
  if (options.batch_size > 0) return options.batch_size;
  if (rows < 0) return 256;
  return static_cast<Index>(std::clamp<int64_t>((rows + 15) / 16, 1, 256));
}

Convergence OnlineConvergence(const std::vector<float>& step_losses) {
  return LossTrendConvergence(step_losses, "steps or passes");
}

float PrepareLabel(const std::string& loss, float raw) {
  return CanonicalLossName(loss) == "sigmoid_cross_entropy" ? (raw > 0.0f ? 1.0f : 0.0f) : raw;
}

int64_t TrainLinear(LinearModel& model, LibsvmStream& stream, const LinearTrainOptions& options,
                    const LinearProgressFn& progress, Convergence* convergence) {
  CheckOptions(options);
  const auto start = Clock::now();
  const bool logistic = model.config().loss == "sigmoid_cross_entropy";
  SparseRows x;
  std::vector<float> y;
  int64_t steps = 0;
  double loss_sum = 0.0;
  int64_t loss_count = 0;
  const int64_t whole_passes = options.passes == 0.0 ? 1 : static_cast<int64_t>(std::ceil(options.passes));
  const Index batch_size = LinearBatchSize(options, -1);
  std::vector<float> step_losses;
  while (options.steps > 0 ? steps < options.steps : stream.passes() < whole_passes) {
    if (!stream.Next(batch_size, x, y)) break;
    if (logistic) {
      for (float& v : y) v = v > 0.0f ? 1.0f : 0.0f;
    }
    const double step_loss = model.TrainStep(x, Eigen::Map<const Tensor>(y.data(), static_cast<Index>(y.size()), 1));
    if (convergence) step_losses.push_back(static_cast<float>(step_loss));
    loss_sum += step_loss;
    ++loss_count;
    ++steps;
    if (progress && options.report_every > 0 && steps % options.report_every == 0) {
      progress({steps, stream.examples(), loss_sum / static_cast<double>(loss_count),
                static_cast<double>(stream.passes()), Since(start)});
      loss_sum = 0.0;
      loss_count = 0;
    }
  }
  if (convergence) *convergence = OnlineConvergence(step_losses);
  return steps;
}

int64_t TrainLinear(LinearModel& model, const SparseRows& features, const std::vector<float>& labels,
                    const LinearTrainOptions& options, const LinearProgressFn& progress, Convergence* convergence) {
  CheckOptions(options);
  const Index n = features.rows();
  if (n == 0) throw DataError("no training examples");
  if (static_cast<Index>(labels.size()) != n) throw DataError("labels and features differ in their number of rows");
  const Index batch_size = LinearBatchSize(options, n);
  const bool until_converged = options.steps == 0 && options.passes == 0.0;
  const int64_t steps_per_pass = (n + batch_size - 1) / batch_size;
  const int64_t steps =
      options.steps > 0 ? options.steps
      : until_converged
          ? options.max_passes * steps_per_pass
          : static_cast<int64_t>(std::ceil(options.passes * static_cast<double>(n) / static_cast<double>(batch_size)));
  if (model.config().loss == "mean_squared_error" && model.outputs() == 1 && model.steps() == 0) {
    // The labels' mean and standard deviation (a constant target: centred, unscaled), as the networks' heads fit them.
    const TargetScale scale = TargetScale::Fit(Eigen::Map<const Tensor>(labels.data(), n, 1));
    if (!scale.identity()) model.StandardizeTargets(scale.mean, scale.stddev);
  }
  const auto start = Clock::now();
  std::vector<Index> order(static_cast<size_t>(n));
  int64_t epoch = -1;
  SparseRows x;
  x.cols = features.cols;
  Tensor y(batch_size, 1);
  double loss_sum = 0.0, pass_loss = 0.0;
  int64_t loss_count = 0, taken = 0;
  std::vector<float> step_losses;
  PassWatch watch(options);
  if (convergence && !until_converged) step_losses.reserve(static_cast<size_t>(steps));
  for (int64_t step = 0; step < steps; ++step) {
    x.Clear();
    for (Index r = 0; r < batch_size; ++r) {
      // Until converged, every pass starts on a fresh shuffle (a pass is whole steps; the last may wrap).
      const int64_t pos = until_converged ? (step / steps_per_pass) * n + ((step % steps_per_pass) * batch_size + r) % n
                                          : step * batch_size + r;
      if (pos / n != epoch) {
        epoch = pos / n;
        std::iota(order.begin(), order.end(), Index{0});
        Rng rng = Rng::Stream(options.seed, 0xDA7A0D3EULL, static_cast<uint64_t>(epoch));
        for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.UniformInt(i + 1)]);
      }
      const Index row = order[static_cast<size_t>(pos % n)];
      const auto b = static_cast<size_t>(features.row_ptr[static_cast<size_t>(row)]);
      const auto e = static_cast<size_t>(features.row_ptr[static_cast<size_t>(row) + 1]);
      x.ids.insert(x.ids.end(), features.ids.begin() + static_cast<std::ptrdiff_t>(b),
                   features.ids.begin() + static_cast<std::ptrdiff_t>(e));
      x.values.insert(x.values.end(), features.values.begin() + static_cast<std::ptrdiff_t>(b),
                      features.values.begin() + static_cast<std::ptrdiff_t>(e));
      x.EndRow();
      y(r, 0) = labels[static_cast<size_t>(row)];
    }
    const double step_loss = model.TrainStep(x, y);
    if (convergence && !until_converged) step_losses.push_back(static_cast<float>(step_loss));
    loss_sum += step_loss;
    pass_loss += step_loss;
    ++loss_count;
    taken = step + 1;
    if (progress && options.report_every > 0 && taken % options.report_every == 0) {
      const int64_t examples = taken * batch_size;
      progress({taken, examples, loss_sum / static_cast<double>(loss_count),
                static_cast<double>(examples) / static_cast<double>(n), Since(start)});
      loss_sum = 0.0;
      loss_count = 0;
    }
    if (until_converged && taken % steps_per_pass == 0) {
      if (watch.Done(pass_loss / static_cast<double>(steps_per_pass))) break;
      pass_loss = 0.0;
    }
  }
  if (convergence) *convergence = until_converged ? watch.Report(taken) : OnlineConvergence(step_losses);
  return taken;
}

LinearEvaluation EvaluateLinear(LinearModel& model, const SparseRows& features, const std::vector<float>& labels) {
  Scorer scorer(model.config().loss);
  const Index chunk = 4096;
  SparseRows x;
  x.cols = features.cols;
  for (Index begin = 0; begin < features.rows(); begin += chunk) {
    const Index end = std::min(features.rows(), begin + chunk);
    x.Clear();
    const auto b = features.row_ptr[static_cast<size_t>(begin)];
    for (Index r = begin; r < end; ++r) x.row_ptr.push_back(features.row_ptr[static_cast<size_t>(r) + 1] - b);
    x.ids.assign(features.ids.begin() + b, features.ids.begin() + features.row_ptr[static_cast<size_t>(end)]);
    x.values.assign(features.values.begin() + b, features.values.begin() + features.row_ptr[static_cast<size_t>(end)]);
    scorer.Add(model.Predict(x), labels.data() + begin, end - begin);
  }
  return scorer.Result();
}

LinearEvaluation EvaluateLinear(LinearModel& model, const std::string& path, const LibsvmOptions& options,
                                const BadRowPolicy& policy, BadRowReport* skipped) {
  Scorer scorer(model.config().loss);
  LibsvmFileReader reader(path, options, policy);
  SparseBlock block;
  const std::string loss = model.config().loss;
  while (reader.Next(block)) {
    if (block.features.cols > model.num_features()) {
      throw DataError(path + ":" + std::to_string(block.first_line) + "-" + std::to_string(block.end_line - 1) +
                      ": a feature index is beyond the model's " + std::to_string(model.num_features()) + " features");
    }
    block.features.cols = model.num_features();
    for (float& v : block.labels) v = PrepareLabel(loss, v);
    scorer.Add(model.Predict(block.features), block.labels.data(), block.features.rows());
  }
  if (skipped) *skipped = reader.bad_rows();
  return scorer.Result();
}

}  // namespace lever
