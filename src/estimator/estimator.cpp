#include "lever/estimator/estimator.h"

#include <chrono>
#include <cmath>
#include <numeric>
#include <sstream>

#include "lever/checkpoint/checkpoint_manager.h"
#include "lever/error.h"
#include "lever/io/run_log.h"
#include "lever/optim/clipping.h"
#include "lever/optim/registry.h"

namespace lever {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint64_t kDataOrderStream = 0xE57DA7AULL;

bool StartsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

}  // namespace

struct Estimator::Built {
  std::unique_ptr<Graph> graph;
  Var features, labels;
  EstimatorSpec spec;
};

Estimator::Estimator(ModelFn model_fn, RunConfig config, Params params)
    : model_fn_(std::move(model_fn)), config_(std::move(config)), params_(std::move(params)) {
  if (!model_fn_) throw ConfigError("an estimator needs a model function");
  config_.Validate();
}

Estimator::~Estimator() = default;

namespace {
std::string OptimizerPrefix(size_t k) { return "optimizer_" + std::to_string(k) + "/"; }
}  // namespace

void Estimator::MaybeRestore(TrainOutcome* outcome) {
  if (config_.model_dir.empty()) return;
  if (!restore_checked_) {
    restore_checked_ = true;
    const CheckpointManager manager(config_.model_dir, config_.keep_checkpoint_max);
    LatestCheckpoint latest = manager.LatestGood();
    if (outcome) outcome->checkpoint_problems = latest.problems;
    if (latest.checkpoint) {
      latest.checkpoint->RestoreParameters(Variables());
      global_step_ = latest.checkpoint->step;
      if (outcome) outcome->resumed_from_step = latest.checkpoint->step;
      pending_optimizer_state_ = std::make_unique<CheckpointContents>(std::move(*latest.checkpoint));
    }
  }
  if (pending_optimizer_state_ && !optimizers_.empty()) {
    for (size_t k = 0; k < optimizers_.size(); ++k) {
      pending_optimizer_state_->RestoreOptimizer(*optimizers_[k], groups_[k], OptimizerPrefix(k));
    }
    pending_optimizer_state_.reset();
  }
}

std::string Estimator::SaveCheckpoint() {
  CheckpointManager manager(config_.model_dir, config_.keep_checkpoint_max);
  CheckpointContents c;
  c.step = global_step_;
  c.AddParameters(Variables());
  for (size_t k = 0; k < optimizers_.size(); ++k) c.AddOptimizer(*optimizers_[k], OptimizerPrefix(k));
  c.config["seed"] = config_.seed;
  c.config["params"] = params_.values();
  return manager.Save(c);
}

ParameterList Estimator::Variables() const {
  ParameterList all = store_.All();
  for (const Sequential* m : models_) {
    const ParameterList more = m->parameters().All();
    all.insert(all.end(), more.begin(), more.end());
  }
  return all;
}

std::vector<Tensor> Estimator::SnapshotVariables() const {
  std::vector<Tensor> values;
  for (const Parameter* p : Variables()) values.push_back(p->value);
  return values;
}

void Estimator::RestoreVariables(const std::vector<Tensor>& values) {
  const ParameterList vars = Variables();
  if (values.size() != vars.size()) throw ConfigError("a snapshot of " + std::to_string(values.size()) +
                                                      " variables cannot restore " + std::to_string(vars.size()));
  for (size_t i = 0; i < vars.size(); ++i) vars[i]->value = values[i];
}

void Estimator::CheckData(const Dataset& data, const char* what) const {
  if (data.size() == 0) throw DataError(std::string(what) + " set is empty");
  if (data.labels.rows() != data.size()) {
    throw DataError(std::string(what) + " set has " + std::to_string(data.size()) + " examples but " +
                    std::to_string(data.labels.rows()) + " labels");
  }
  if (!data.features.allFinite()) {
    for (Index i = 0; i < data.features.rows(); ++i) {
      for (Index j = 0; j < data.features.cols(); ++j) {
        if (!std::isfinite(data.features(i, j))) {
          std::ostringstream msg;
          msg << what << " set example " << i << ", feature "
              << (static_cast<size_t>(j) < data.feature_names.size() ? data.feature_names[static_cast<size_t>(j)]
                                                                      : std::to_string(j))
              << " is " << data.features(i, j) << "; fill or drop missing values first";
          throw DataError(msg.str());
        }
      }
    }
  }
}

Estimator::Built& Estimator::TrainGraph(const Dataset& data, int64_t batch_size) {
  if (train_ && train_->features.cols() == data.num_features() && train_->labels.cols() == data.labels.cols() &&
      train_->features.rows() == batch_size) {
    return *train_;
  }
  auto b = std::make_unique<Built>();
  b->graph = std::make_unique<Graph>(config_.seed);
  b->graph->set_training(true);
  b->features = b->graph->Input("features", {batch_size, data.num_features()});
  b->labels = b->graph->Input("labels", {batch_size, data.labels.cols()});
  ModelFnContext ctx(Mode::kTrain, *b->graph, FeatureInputs{b->features, {}}, b->labels, params_, store_, config_.seed,
                     &models_);
  b->spec = model_fn_(ctx);
  if (!b->spec.loss.valid() || b->spec.loss.rows() != 1 || b->spec.loss.cols() != 1) {
    throw ConfigError("the model function's spec needs a 1 x 1 loss in train mode");
  }
  if (b->spec.train_ops.empty()) throw ConfigError("the model function's spec has no train op in train mode");
  train_ = std::move(b);
  return *train_;
}

Estimator::Built& Estimator::InferenceGraph(Mode mode, Index features, Index label_cols) {
  std::unique_ptr<Built>& slot = mode == Mode::kEval ? eval_ : predict_;
  if (slot && slot->features.cols() == features && (mode == Mode::kPredict || slot->labels.cols() == label_cols)) {
    return *slot;
  }
  auto b = std::make_unique<Built>();
  b->graph = std::make_unique<Graph>(config_.seed);
  b->graph->set_training(false);
  b->features = b->graph->Input("features", {1, features});
  if (mode == Mode::kEval) b->labels = b->graph->Input("labels", {1, label_cols});
  ModelFnContext ctx(mode, *b->graph, FeatureInputs{b->features, {}}, b->labels, params_, store_, config_.seed,
                     &models_);
  b->spec = model_fn_(ctx);
  if (!b->spec.predictions.valid()) throw ConfigError("the model function's spec has no predictions");
  if (mode == Mode::kEval && !b->spec.eval_metrics) {
    throw ConfigError("the model function's spec has no eval metrics (a head's CreateSpec provides them)");
  }
  slot = std::move(b);
  return *slot;
}

void Estimator::CreateOptimizers(const EstimatorSpec& spec) {
  if (!optimizers_.empty()) return;
  ParameterList remaining;
  for (Parameter* p : Variables()) {
    if (p->trainable) remaining.push_back(p);
  }
  for (const TrainOp& op : spec.train_ops) {
    ParameterList group, rest;
    for (Parameter* p : remaining) {
      bool claimed = op.prefixes.empty();
      for (const std::string& prefix : op.prefixes) claimed = claimed || StartsWith(p->name, prefix);
      (claimed ? group : rest).push_back(p);
    }
    optimizers_.push_back(MakeOptimizer(op.optimizer));
    groups_.push_back(group);
    remaining = rest;
  }
  if (!remaining.empty()) {
    std::string names;
    for (const Parameter* p : remaining) names += (names.empty() ? "" : ", ") + p->name;
    throw ConfigError("no train op updates the variables " + names +
                      "; give a train op without prefixes to train every remaining variable");
  }
}

TrainOutcome Estimator::Train(const Dataset& data, const TrainSpec& spec) { return Run(data, spec, nullptr, nullptr, nullptr); }

TrainOutcome Estimator::Run(const Dataset& data, const TrainSpec& spec, const Dataset* eval, const EvalSpec* eval_spec,
                            std::vector<EvalReport>* reports) {
  spec.Validate();
  if (eval_spec) eval_spec->Validate();
  CheckData(data, "training");
  if (eval) CheckData(*eval, "evaluation");
  const auto start = Clock::now();
  Built& b = TrainGraph(data, spec.batch_size);
  CreateOptimizers(b.spec);
  TrainOutcome out;
  MaybeRestore(&out);
  const bool writes = !config_.model_dir.empty();
  std::unique_ptr<RunLog> train_log, eval_log;
  if (writes) train_log = std::make_unique<RunLog>(config_.model_dir);
  if (writes && eval) eval_log = std::make_unique<RunLog>(config_.model_dir + "/" + eval_spec->name);
  auto last_save = Clock::now();
  int64_t last_saved_step = out.resumed_from_step >= 0 ? global_step_ : -1;  // the step on disk
  auto save = [&] {
    out.last_checkpoint = SaveCheckpoint();
    last_save = Clock::now();
    last_saved_step = global_step_;
  };
  auto log_window_start = Clock::now();
  int64_t log_window_steps = 0;
  double log_window_loss = 0.0;
  for (const auto& hook : spec.hooks) hook->Begin(*this);

  const Index n = data.size();
  const Index batch = spec.batch_size;
  auto evaluate = [&] {
    EvalReport report{global_step_, eval_spec->name, Evaluate(*eval, *eval_spec)};
    if (eval_log) {
      std::map<std::string, double> values = report.metrics;
      values.erase("global_step");
      eval_log->Log(global_step_, values);
    }
    bool stop = false;
    for (const auto& hook : spec.hooks) stop = hook->AfterEvaluation(*this, report) || stop;
    reports->push_back(std::move(report));
    return stop;
  };
  int64_t last_eval = -1;
  while (global_step_ < spec.max_steps) {
    if (spec.stop_requested && spec.stop_requested()) {
      out.interrupted = true;
      break;
    }
    // The batch: rows first..first+batch of the epoch permutations, which depend only on (seed, epoch).
    auto x = b.graph->FeedBuffer(b.features, batch);
    auto y = b.graph->FeedBuffer(b.labels, batch);
    for (Index r = 0; r < batch; ++r) {
      const int64_t pos = global_step_ * batch + r;
      const int64_t epoch = pos / n;
      if (epoch != order_epoch_ || order_size_ != n) {
        order_.resize(static_cast<size_t>(n));
        std::iota(order_.begin(), order_.end(), Index{0});
        Rng rng = Rng::Stream(config_.seed, kDataOrderStream, static_cast<uint64_t>(epoch));
        for (size_t i = order_.size() - 1; i > 0; --i) std::swap(order_[i], order_[rng.UniformInt(i + 1)]);
        order_epoch_ = epoch;
        order_size_ = n;
      }
      const Index row = order_[static_cast<size_t>(pos % n)];
      x.row(r) = data.features.row(row);
      y.row(r) = data.labels.row(row);
    }
    b.graph->set_step(static_cast<uint64_t>(global_step_));
    b.graph->Forward();
    b.graph->Backward(b.spec.loss);
    for (size_t k = 0; k < optimizers_.size(); ++k) {
      if (spec.clip_norm > 0.0) ClipByGlobalNorm(groups_[k], spec.clip_norm);
      optimizers_[k]->Step(groups_[k]);
    }
    ++global_step_;
    ++out.steps;
    out.last_loss = b.spec.loss.scalar();
    if (train_log) {
      log_window_loss += out.last_loss;
      ++log_window_steps;
      if (global_step_ % config_.log_step_count_steps == 0) {
        const double seconds = std::chrono::duration<double>(Clock::now() - log_window_start).count();
        train_log->Log(global_step_, {{"loss", log_window_loss / static_cast<double>(log_window_steps)},
                                      {"global_step/sec", seconds > 0 ? static_cast<double>(log_window_steps) / seconds : 0.0}});
        log_window_start = Clock::now();
        log_window_steps = 0;
        log_window_loss = 0.0;
      }
    }
    if (writes && (config_.save_checkpoints_steps > 0
                       ? global_step_ % config_.save_checkpoints_steps == 0
                       : std::chrono::duration<double>(Clock::now() - last_save).count() >= config_.save_checkpoints_secs)) {
      save();
    }
    const StepReport report{global_step_, spec.max_steps, out.last_loss,
                            std::chrono::duration<double>(Clock::now() - start).count()};
    bool stop = false;
    for (const auto& hook : spec.hooks) stop = hook->AfterStep(*this, report) || stop;
    if (!stop && eval && eval_spec->every_steps > 0 && global_step_ >= eval_spec->start_delay_steps &&
        global_step_ % eval_spec->every_steps == 0 && global_step_ < spec.max_steps) {
      stop = evaluate();
      last_eval = global_step_;
    }
    if (stop) {
      out.stopped_by_hook = true;
      break;
    }
  }
  for (const auto& hook : spec.hooks) hook->End(*this);
  // The end of training (or a stop request) is always in a checkpoint.
  if (writes && last_saved_step != global_step_) save();
  // A final evaluation, unless the last one was at this step of these variables (a hook that stopped
  // training may have put back earlier ones).
  if (eval && (last_eval != global_step_ || out.stopped_by_hook)) evaluate();
  out.global_step = global_step_;
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

std::map<std::string, double> Estimator::Evaluate(const Dataset& data, const EvalSpec& eval_spec) {
  CheckData(data, "evaluation");
  Built& b = InferenceGraph(Mode::kEval, data.num_features(), data.labels.cols());
  MaybeRestore(nullptr);
  const Index chunk = eval_spec.eval_batch_size;
  Index rows = data.size();
  if (eval_spec.steps > 0) rows = std::min<Index>(rows, eval_spec.steps * chunk);
  Tensor predictions;
  for (Index begin = 0; begin < rows; begin += chunk) {
    const Index count = std::min(chunk, rows - begin);
    b.graph->Feed(b.features, data.features.middleRows(begin, count));
    b.graph->Feed(b.labels, data.labels.middleRows(begin, count));
    b.graph->Forward();
    const auto p = b.spec.predictions.value();
    if (begin == 0) predictions.resize(rows, p.cols());
    predictions.middleRows(begin, count) = p;
  }
  std::map<std::string, double> metrics = b.spec.eval_metrics(predictions, data.labels.topRows(rows));
  metrics["global_step"] = static_cast<double>(global_step_);
  return metrics;
}

Tensor Estimator::Predict(const Tensor& features, Index batch_size) {
  if (batch_size <= 0) throw ConfigError("prediction batch size must be positive");
  Built& b = InferenceGraph(Mode::kPredict, features.cols(), 0);
  MaybeRestore(nullptr);
  Tensor out;
  for (Index begin = 0; begin < features.rows(); begin += batch_size) {
    const Index count = std::min(batch_size, features.rows() - begin);
    b.graph->Feed(b.features, features.middleRows(begin, count));
    b.graph->Forward(b.spec.predictions);
    const auto p = b.spec.predictions.value();
    if (begin == 0) out.resize(features.rows(), p.cols());
    out.middleRows(begin, count) = p;
  }
  return out;
}

TrainAndEvaluateResult TrainAndEvaluate(Estimator& estimator, const Dataset& train, const Dataset& eval,
                                        const TrainSpec& train_spec, const EvalSpec& eval_spec) {
  TrainAndEvaluateResult result;
  result.train = estimator.Run(train, train_spec, &eval, &eval_spec, &result.evaluations);
  return result;
}

}  // namespace lever
