#include "lever/linear/training.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <span>
#include <utility>

#include "lever/error.h"
#include "lever/losses/registry.h"
#include "lever/losses/target_scale.h"
#include "lever/metrics/binary.h"
#include "lever/metrics/multilabel.h"
#include "lever/train/training_loop.h"

namespace lever {
namespace {

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

namespace {

// A linear model as the training loop's learner: on rows in memory (the loop's shuffled rows), or on the
// batches it reads from a stream.
class LinearLearner : public SteppingLearner {
 public:
  LinearLearner(LinearModel& model, Index batch_size)
      : model_(model), batch_size_(batch_size), logistic_(model.config().loss == "sigmoid_cross_entropy") {}
  void InMemory(const SparseRows& features, const std::vector<float>& labels) {
    features_ = &features;
    labels_ = &labels;
    x_.cols = features.cols;
    width_ = LinearLabelWidth(model_);
    y_.resize(batch_size_, width_);
  }
  // Reads until `whole_passes` passes are done (0: until the stream ends).
  void Streamed(LibsvmStream& stream, int64_t whole_passes) {
    stream_ = &stream;
    whole_passes_ = whole_passes;
  }

  int64_t global_step() const override { return steps_; }
  ParameterList Variables() const override { return {}; }  // the fused FTRL kernel keeps its own state
  double learning_rate() const override { return std::numeric_limits<double>::quiet_NaN(); }
  bool Exhausted() override {
    if (whole_passes_ > 0 && stream_->passes() >= whole_passes_) return true;
    if (!stream_->Next(batch_size_, x_, streamed_y_)) return true;
    if (logistic_) {
      for (float& v : streamed_y_) v = v > 0.0f ? 1.0f : 0.0f;
    }
    return false;
  }
  double TrainStep(std::span<const Index> rows) override {
    ++steps_;
    if (stream_ != nullptr) {
      return model_.TrainStep(x_,
                              Eigen::Map<const Tensor>(streamed_y_.data(), static_cast<Index>(streamed_y_.size()), 1));
    }
    x_.Clear();
    for (size_t r = 0; r < rows.size(); ++r) {
      const auto row = static_cast<size_t>(rows[r]);
      const auto b = static_cast<size_t>(features_->row_ptr[row]);
      const auto e = static_cast<size_t>(features_->row_ptr[row + 1]);
      x_.ids.insert(x_.ids.end(), features_->ids.begin() + static_cast<std::ptrdiff_t>(b),
                    features_->ids.begin() + static_cast<std::ptrdiff_t>(e));
      x_.values.insert(x_.values.end(), features_->values.begin() + static_cast<std::ptrdiff_t>(b),
                       features_->values.begin() + static_cast<std::ptrdiff_t>(e));
      x_.EndRow();
      for (Index c = 0; c < width_; ++c) {
        y_(static_cast<Index>(r), c) = (*labels_)[row * static_cast<size_t>(width_) + static_cast<size_t>(c)];
      }
    }
    return model_.TrainStep(x_, y_);
  }

 private:
  LinearModel& model_;
  Index batch_size_;
  bool logistic_;
  int64_t steps_ = 0;
  const SparseRows* features_ = nullptr;
  const std::vector<float>* labels_ = nullptr;
  LibsvmStream* stream_ = nullptr;
  int64_t whole_passes_ = 0;
  Index width_ = 1;  // label values per row
  SparseRows x_;
  Tensor y_;
  std::vector<float> streamed_y_;
};

// Reports the mean loss every `every` steps through a LinearProgressFn.
class ProgressHook : public Hook {
 public:
  ProgressHook(const LinearProgressFn& progress, int64_t every, std::function<std::pair<int64_t, double>()> seen)
      : progress_(progress), every_(every), seen_(std::move(seen)) {}
  bool AfterStep(Learner& /*learner*/, const StepReport& report) override {
    loss_sum_ += report.loss;
    ++count_;
    if (report.step % every_ == 0) {
      const auto [examples, passes] = seen_();
      progress_({report.step, examples, loss_sum_ / static_cast<double>(count_), passes, report.seconds()});
      loss_sum_ = 0.0;
      count_ = 0;
    }
    return false;
  }

 private:
  const LinearProgressFn& progress_;
  int64_t every_;
  std::function<std::pair<int64_t, double>()> seen_;  // examples and passes so far
  double loss_sum_ = 0.0;
  int64_t count_ = 0;
};

// Until converged: stops training when PassWatch says so at the end of a pass.
class PassWatchHook : public Hook {
 public:
  PassWatchHook(const LinearTrainOptions& options, int64_t steps_per_pass)
      : watch_(options), steps_per_pass_(steps_per_pass) {}
  bool AfterStep(Learner& /*learner*/, const StepReport& report) override {
    pass_loss_ += report.loss;
    if (report.step % steps_per_pass_ != 0) return false;
    const bool done = watch_.Done(pass_loss_ / static_cast<double>(steps_per_pass_));
    pass_loss_ = 0.0;
    return done;
  }
  Convergence Report(int64_t steps) const { return watch_.Report(steps); }

 private:
  PassWatch watch_;
  int64_t steps_per_pass_;
  double pass_loss_ = 0.0;
};

}  // namespace

int64_t TrainLinear(LinearModel& model, LibsvmStream& stream, const LinearTrainOptions& options,
                    const LinearProgressFn& progress, Convergence* convergence) {
  CheckOptions(options);
  const Index batch_size = LinearBatchSize(options, -1);
  LinearLearner learner(model, batch_size);
  learner.Streamed(
      stream, options.steps > 0 ? 0 : (options.passes == 0.0 ? 1 : static_cast<int64_t>(std::ceil(options.passes))));
  LoopSpec spec;
  spec.max_steps = options.steps > 0 ? options.steps : std::numeric_limits<int64_t>::max();
  spec.batch_size = batch_size;
  spec.record_step_losses = convergence != nullptr;
  std::vector<Hook*> hooks;
  std::optional<ProgressHook> progress_hook;
  if (progress && options.report_every > 0) {
    progress_hook.emplace(progress, options.report_every, [&stream] {
      return std::pair<int64_t, double>{stream.examples(), static_cast<double>(stream.passes())};
    });
    hooks.push_back(&*progress_hook);
  }
  const LoopOutcome outcome = RunTrainingLoop(learner, 0, spec, hooks);
  if (convergence) *convergence = OnlineConvergence(outcome.step_losses);
  return outcome.steps;
}

int64_t TrainLinear(LinearModel& model, const SparseRows& features, const std::vector<float>& labels,
                    const LinearTrainOptions& options, const LinearProgressFn& progress, Convergence* convergence) {
  CheckOptions(options);
  const Index n = features.rows();
  if (n == 0) throw DataError("no training examples");
  if (static_cast<Index>(labels.size()) != n * LinearLabelWidth(model)) {
    throw DataError("labels and features differ in their number of rows (" + std::to_string(labels.size()) +
                    " label values for " + std::to_string(n) + " rows of " + std::to_string(LinearLabelWidth(model)) +
                    " labels)");
  }
  const Index batch_size = LinearBatchSize(options, n);
  const bool until_converged = options.steps == 0 && options.passes == 0.0;
  const int64_t steps_per_pass = (n + batch_size - 1) / batch_size;
  if (model.config().loss == "mean_squared_error" && model.outputs() == 1 && model.steps() == 0) {
    // The labels' mean and standard deviation (a constant target: centred, unscaled), as the networks' heads fit them.
    const TargetScale scale = TargetScale::Fit(Eigen::Map<const Tensor>(labels.data(), n, 1));
    if (!scale.identity()) model.StandardizeTargets(scale.mean, scale.stddev);
  }
  LinearLearner learner(model, batch_size);
  learner.InMemory(features, labels);
  LoopSpec spec;
  spec.max_steps =
      options.steps > 0 ? options.steps
      : until_converged
          ? options.max_passes * steps_per_pass
          : static_cast<int64_t>(std::ceil(options.passes * static_cast<double>(n) / static_cast<double>(batch_size)));
  spec.batch_size = batch_size;
  spec.seed = options.seed;
  spec.order_stream = EpochOrder::kTrainerStream;
  spec.pass_aligned = until_converged;  // every pass starts on a fresh shuffle (a pass is whole steps)
  spec.record_step_losses = convergence != nullptr && !until_converged;
  std::vector<Hook*> hooks;
  std::optional<PassWatchHook> watch;
  if (until_converged) {
    watch.emplace(options, steps_per_pass);
    hooks.push_back(&*watch);
  }
  std::optional<ProgressHook> progress_hook;
  if (progress && options.report_every > 0) {
    progress_hook.emplace(progress, options.report_every, [&learner, batch_size, n] {
      const int64_t examples = learner.global_step() * batch_size;
      return std::pair<int64_t, double>{examples, static_cast<double>(examples) / static_cast<double>(n)};
    });
    hooks.push_back(&*progress_hook);
  }
  const LoopOutcome outcome = RunTrainingLoop(learner, n, spec, hooks);
  if (convergence)
    *convergence = until_converged ? watch->Report(outcome.steps) : OnlineConvergence(outcome.step_losses);
  return outcome.steps;
}

Index LinearLabelWidth(const LinearModel& model) {
  return model.config().loss == "sigmoid_cross_entropy" ? model.outputs() : 1;
}

LinearEvaluation EvaluateLinear(LinearModel& model, const SparseRows& features, const std::vector<float>& labels,
                                const std::vector<std::string>& label_names) {
  if (LinearLabelWidth(model) > 1) {
    // Multi-label: every output a yes/no label, scored as the networks' multi-label head is.
    const Index width = LinearLabelWidth(model);
    if (static_cast<Index>(labels.size()) != features.rows() * width) {
      throw DataError("labels and features differ in their number of rows");
    }
    const Tensor y = Eigen::Map<const Tensor>(labels.data(), features.rows(), width);
    LinearEvaluation e;
    e.examples = features.rows();
    if (e.examples == 0) return e;
    e.label_metrics = MultiLabelMetrics(model.Predict(features), y, label_names);
    e.loss = e.log_loss = e.label_metrics.at("loss");
    e.auc = e.label_metrics.at("auc");
    e.accuracy = e.label_metrics.at("accuracy");
    return e;
  }
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
