#include "lever/estimator/estimator.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

#include "lever/checkpoint/checkpoint_manager.h"
#include "lever/error.h"
#include "lever/io/run_log.h"
#include "lever/optim/clipping.h"
#include "lever/optim/registry.h"
#include "lever/registry.h"
#include "lever/train/training_loop.h"

namespace lever {
namespace {

using Clock = std::chrono::steady_clock;

bool StartsWith(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

}  // namespace

struct Estimator::Built {
  std::unique_ptr<Graph> graph;
  std::vector<ActivationTap> taps;  // the training graph's activations, for the statistics
  Var dense, labels;
  std::map<std::string, Var> sparse;
  Index dense_cols = 0, label_cols = 0;
  std::map<std::string, Index> sparse_cols;
  std::map<std::string, SparseRows> placeholders;  // empty rows fed while the model function builds
  EstimatorSpec spec;

  // Whether this graph was built for inputs shaped like `data`'s.
  bool Fits(const Examples& data, bool with_labels) const {
    if (data.dense.cols() != dense_cols || (with_labels && data.labels.cols() != label_cols)) return false;
    if (data.sparse.size() != sparse_cols.size()) return false;
    for (const auto& [name, rows] : data.sparse) {
      const auto it = sparse_cols.find(name);
      if (it == sparse_cols.end() || it->second != rows.cols) return false;
    }
    return true;
  }
};

Estimator::Estimator(ModelFn model_fn, RunConfig config, Params params)
    : model_fn_(std::move(model_fn)), config_(std::move(config)), params_(std::move(params)) {
  if (!model_fn_) throw ConfigError("an estimator needs a model function");
  config_.Validate();
}

Estimator::~Estimator() = default;

namespace {
std::string OptimizerPrefix(size_t k) { return "optimizer_" + std::to_string(k) + "/"; }
constexpr const char* kHookPrefix = "hooks/";
}  // namespace

void Estimator::MaybeRestore(TrainOutcome* outcome) {
  if (config_.model_dir.empty()) return;
  if (!restore_checked_) {
    restore_checked_ = true;
    const CheckpointManager manager(config_.model_dir, config_.keep_checkpoint_max);
    LatestCheckpoint latest = manager.LatestGood();
    restore_problems_ = latest.problems;
    if (!latest.checkpoint && !manager.Steps().empty()) {
      restore_checked_ = false;  // and so again at the next call
      // Committed checkpoints, none usable: training would start again at step 0 and its saves delete
      // them, predictions would come from untrained variables. (Uncommitted files alone are a first save
      // that was interrupted, and training starts afresh over them.)
      throw IoError("every checkpoint in " + config_.model_dir + " is damaged" + latest.ProblemsText() +
                    ". Nothing was trained or predicted: restore the files from a copy, move them out of the "
                    "directory to start again from step 0, or use a new model directory");
    }
    if (latest.checkpoint) {
      latest.checkpoint->RestoreParameters(Variables());
      global_step_ = latest.checkpoint->step;
      restored_step_ = latest.checkpoint->step;
      pending_hook_state_ = std::make_unique<CheckpointContents>();
      pending_hook_state_->source = latest.checkpoint->source;
      pending_hook_state_->step = latest.checkpoint->step;
      for (const auto& [name, tensor] : latest.checkpoint->tensors) {
        if (StartsWith(name, kHookPrefix)) pending_hook_state_->Add(name, tensor);
      }
      pending_optimizer_state_ = std::make_unique<CheckpointContents>(std::move(*latest.checkpoint));
    }
    // The first Train after the restore reports it, whether Evaluate or Predict ran first or not.
    if (outcome) {
      outcome->checkpoint_problems = restore_problems_;
      outcome->resumed_from_step = restored_step_;
    }
  } else if (outcome && !restore_reported_) {
    outcome->checkpoint_problems = restore_problems_;
    outcome->resumed_from_step = restored_step_;
  }
  if (outcome) restore_reported_ = true;
  if (pending_optimizer_state_ && !optimizers_.empty()) {
    for (size_t k = 0; k < optimizers_.size(); ++k) {
      pending_optimizer_state_->RestoreOptimizer(*optimizers_[k], groups_[k], OptimizerPrefix(k));
    }
    pending_optimizer_state_.reset();
  }
}

void Estimator::RestoreHooks(const std::vector<std::shared_ptr<Hook>>& hooks) {
  if (!pending_hook_state_) return;
  const MemoryState state = pending_hook_state_->State();
  for (const auto& hook : hooks) {
    try {
      hook->LoadState(*this, state);
    } catch (const IoError& e) {
      throw IoError(pending_hook_state_->Where() + "hook state: " + e.message());
    }
  }
  pending_hook_state_.reset();
}

std::string Estimator::SaveCheckpoint(const std::vector<std::shared_ptr<Hook>>& hooks) {
  CheckpointManager manager(config_.model_dir, config_.keep_checkpoint_max);
  CheckpointContents c;
  c.step = global_step_;
  c.AddParameters(Variables());
  for (size_t k = 0; k < optimizers_.size(); ++k) c.AddOptimizer(*optimizers_[k], OptimizerPrefix(k));
  for (const auto& hook : hooks) {
    // One state per hook, so two hooks writing the same key are an error (Add) rather than one silently
    // overwriting the other.
    MemoryState state;
    hook->SaveState(*this, state);
    auto check = [](const std::string& key) {
      if (!StartsWith(key, kHookPrefix)) {
        throw ConfigError("a hook saved its state as '" + key +
                          "'; hook state keys start with \"hooks/\" and a name "
                          "of the hook's own");
      }
    };
    for (const auto& entry : state.tensors()) check(entry.first);
    for (const auto& entry : state.scalars()) check(entry.first);
    c.AddState(state);
  }
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

void Estimator::RestoreVariables(const std::vector<Tensor>& values) {
  Learner::RestoreVariables(values);
  variables_replaced_ = true;
}

std::unique_ptr<Estimator::Built> Estimator::BuildGraph(Mode mode, const Examples& data, Index rows) {
  auto b = std::make_unique<Built>();
  b->graph = std::make_unique<Graph>(config_.seed);
  b->graph->set_training(mode == Mode::kTrain);
  b->dense_cols = data.dense.cols();
  FeatureInputs inputs;
  if (b->dense_cols > 0) b->dense = inputs.dense = b->graph->Input("features", {rows, b->dense_cols});
  for (const auto& [name, sparse] : data.sparse) {
    b->sparse_cols[name] = sparse.cols;
    b->sparse[name] = inputs.sparse[name] = b->graph->SparseInput(name, sparse.cols);
    // Rows without entries, so shapes are known (rows x ...) while the model function adds its ops.
    SparseRows& empty = b->placeholders[name];
    empty.cols = sparse.cols;
    empty.row_ptr.assign(static_cast<size_t>(rows) + 1, 0);
    b->graph->FeedSparse(b->sparse[name], &empty);
  }
  if (mode != Mode::kPredict) {
    b->label_cols = data.labels.cols();
    b->labels = b->graph->Input("labels", {rows, b->label_cols});
  }
  ModelFnContext ctx(mode, *b->graph, inputs, b->labels, params_, store_, config_.seed, &models_);
  if (mode == Mode::kTrain) ctx.RecordActivations(&b->taps);
  b->spec = model_fn_(ctx);
  if (!b->spec.predictions.valid()) throw ConfigError("the model function's spec has no predictions");
  if (mode != Mode::kPredict && (!b->spec.loss.valid() || b->spec.loss.rows() != 1 || b->spec.loss.cols() != 1)) {
    throw ConfigError(std::string("the model function's spec needs a 1 x 1 loss in ") + ModeName(mode) + " mode");
  }
  if (mode == Mode::kTrain && b->spec.train_ops.empty()) {
    throw ConfigError("the model function's spec has no train op in train mode");
  }
  if (mode == Mode::kEval && !b->spec.eval_metrics) {
    throw ConfigError("the model function's spec has no eval metrics (a head's CreateSpec provides them)");
  }
  return b;
}

Estimator::Built& Estimator::TrainGraph(const Examples& data, int64_t batch_size) {
  if (!train_ || !train_->Fits(data, true) || (train_->dense.valid() && train_->dense.rows() != batch_size)) {
    train_ = BuildGraph(Mode::kTrain, data, batch_size);
  }
  return *train_;
}

Estimator::Built& Estimator::InferenceGraph(Mode mode, const Examples& data) {
  std::unique_ptr<Built>& slot = mode == Mode::kEval ? eval_ : predict_;
  if (!slot || !slot->Fits(data, mode == Mode::kEval)) slot = BuildGraph(mode, data, 1);
  return *slot;
}

void Estimator::Feed(Built& b, const Examples& batch) {
  if (b.dense.valid()) b.graph->Feed(b.dense, batch.dense);
  for (auto& [name, var] : b.sparse) b.graph->FeedSparse(var, &batch.sparse.at(name));
  if (b.labels.valid()) b.graph->Feed(b.labels, batch.labels);
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
    const std::string names = JoinNames(remaining, [](const Parameter* p) { return p->name; });
    throw ConfigError("no train op updates the variables " + names +
                      "; give a train op without prefixes to train every remaining variable");
  }
}

TrainOutcome Estimator::Train(const Examples& data, const TrainSpec& spec) {
  return Run(data, spec, nullptr, nullptr, nullptr);
}

double Estimator::learning_rate() const {
  return optimizers_.empty() ? std::numeric_limits<double>::quiet_NaN() : optimizers_.front()->current_learning_rate();
}

double Estimator::TrainStep(std::span<const Index> rows) {
  Built& b = *train_;
  GatherRows(*train_data_, rows, batch_);
  Feed(b, batch_);
  b.graph->set_step(static_cast<uint64_t>(global_step_));
  b.graph->Forward();
  b.graph->Backward(b.spec.loss);
  const bool stats_step = sampler_.watching() && IsStatisticsStep(global_step_ + 1, statistics_every_);
  if (stats_step) sampler_.BeforeUpdate();
  double squares = 0.0;  // of every group's gradient norm, before clipping (a sampled step's)
  bool clipped = false;
  for (size_t k = 0; k < optimizers_.size(); ++k) {
    if (clip_norm_ > 0.0) {
      const double norm = ClipByGlobalNorm(groups_[k], clip_norm_);
      squares += norm * norm;
      clipped = clipped || norm > clip_norm_;
    } else if (stats_step) {
      const double norm = GlobalGradientNorm(groups_[k]);
      squares += norm * norm;
    }
    optimizers_[k]->Step(groups_[k]);
  }
  ++global_step_;
  const double loss = b.spec.loss.scalar();
  if (stats_step) sampler_.AfterUpdate(global_step_, loss, std::sqrt(squares), clipped, learning_rate());
  if (train_log_) {
    log_window_loss_ += loss;
    ++log_window_steps_;
    if (global_step_ % config_.log_step_count_steps == 0) {
      const double seconds = std::chrono::duration<double>(Clock::now() - log_window_start_).count();
      train_log_->Log(global_step_,
                      {{"loss", log_window_loss_ / static_cast<double>(log_window_steps_)},
                       {"global_step/sec", seconds > 0 ? static_cast<double>(log_window_steps_) / seconds : 0.0}});
      log_window_start_ = Clock::now();
      log_window_steps_ = 0;
      log_window_loss_ = 0.0;
    }
  }
  return loss;
}

TrainingStatistics Estimator::Statistics() {
  TrainingStatistics s = sampler_.Last();
  const ParameterList variables = Variables();
  s.regularization_loss = RegularizationPenalty(variables);
  for (const Parameter* p : variables) {
    if (IsKernelName(p->name)) {
      s.kernel_weights += p->size();
      s.nonzero_weights += p->CountNonzero();
    }
  }
  return s;
}

TrainOutcome Estimator::Run(const Examples& data, const TrainSpec& spec, const Examples* eval,
                            const EvalSpec* eval_spec, std::vector<EvalReport>* reports) {
  spec.Validate();
  if (eval_spec) eval_spec->Validate();
  data.Validate("training");
  if (eval) eval->Validate("evaluation");
  const auto start = Clock::now();
  Built& b = TrainGraph(data, spec.batch_size);
  CreateOptimizers(b.spec);
  TrainOutcome out;
  // The hooks: early stopping on the holdout first (its End puts the best variables back before the
  // others' End), then the spec's.
  std::optional<HoldoutStopping> stopping;
  std::vector<std::shared_ptr<Hook>> all_hooks;
  EvalSpec holdout_spec;
  if (spec.holdout != nullptr) {
    spec.holdout->Validate("holdout");
    if (eval_spec) holdout_spec.eval_batch_size = eval_spec->eval_batch_size;
    stopping.emplace(spec.holdout_stopping, spec.max_steps, [this, &spec, &holdout_spec] {
      const std::map<std::string, double> metrics = EvaluateValidated(*spec.holdout, holdout_spec);
      const auto loss = metrics.find("loss");
      if (loss == metrics.end()) throw ConfigError("early stopping on a holdout needs the head's 'loss' metric");
      return loss->second;
    });
    all_hooks.push_back(stopping->hook());
  }
  for (const auto& hook : spec.hooks) all_hooks.push_back(hook);
  MaybeRestore(&out);
  RestoreHooks(all_hooks);
  const bool writes = !config_.model_dir.empty();
  // The logs continue from this step: what a killed run logged after its last checkpoint is dropped, as
  // this run logs those steps again.
  std::unique_ptr<RunLog> eval_log;
  train_log_.reset();
  if (writes) train_log_ = std::make_unique<RunLog>(config_.model_dir, global_step_);
  if (writes && eval) eval_log = std::make_unique<RunLog>(config_.model_dir + "/" + eval_spec->name, global_step_);
  // A finished job run again takes no step and evaluates its last step once more, with the same result:
  // the line its first run logged (the last one, at this step) is not written twice.
  std::optional<ScalarEvent> logged_last;
  if (eval_log && out.resumed_from_step >= 0) {
    try {
      const std::vector<ScalarEvent> logged = ReadEventsJsonl(eval_log->jsonl_path()).events;
      if (!logged.empty() && logged.back().step == global_step_) logged_last = logged.back();
    } catch (const IoError&) {
      // An unreadable log is only appended to.
    }
  }
  auto last_save = Clock::now();
  int64_t last_saved_step = out.resumed_from_step >= 0 ? global_step_ : -1;  // the step on disk
  auto save = [&] {
    out.last_checkpoint = SaveCheckpoint(all_hooks);
    last_save = Clock::now();
    last_saved_step = global_step_;
  };
  log_window_start_ = Clock::now();
  log_window_steps_ = 0;
  log_window_loss_ = 0.0;
  const int64_t first_step = global_step_;

  LoopSpec loop{.max_steps = spec.max_steps,
                .batch_size = spec.batch_size,
                .seed = config_.seed,
                .order_stream = EpochOrder::kEstimatorStream,
                .stop_requested = spec.stop_requested};
  if (stopping) loop.evaluations.push_back(stopping->Evaluation());
  if (eval) {
    LoopEvaluation e;
    e.name = eval_spec->name;
    e.every_steps = eval_spec->every_steps;
    e.start_delay_steps = eval_spec->start_delay_steps;
    e.throttle_secs = eval_spec->throttle_secs;
    e.run = [&](bool /*is_final*/) {
      std::map<std::string, double> metrics = EvaluateValidated(*eval, *eval_spec);  // checked on entry
      if (eval_log) {
        std::map<std::string, double> values = metrics;
        values.erase("global_step");
        if (!(global_step_ == first_step && logged_last && logged_last->values == values)) {
          eval_log->Log(global_step_, values);
        }
      }
      return metrics;
    };
    e.after_hooks = [&](const EvalReport& report) {
      for (const auto& exporter : eval_spec->exporters) exporter->Export(*this, report, report.is_final);
    };
    loop.evaluations.push_back(std::move(e));
  }
  // After the step's hooks and evaluation, so the checkpoint holds their state at this step: a run
  // resumed from it goes on with the next step as this one does, and its logs hold this step's lines.
  loop.after_step = [&] {
    if (writes &&
        (config_.save_checkpoints_steps > 0
             ? global_step_ % config_.save_checkpoints_steps == 0
             : std::chrono::duration<double>(Clock::now() - last_save).count() >= config_.save_checkpoints_secs)) {
      save();
    }
  };
  // The end of training (or a stop request) is always in a checkpoint, and so are variables a hook put
  // back (early stopping's best ones), so the directory holds what the estimator now holds.
  loop.after_end = [&] {
    if (writes && (last_saved_step != global_step_ || variables_replaced_)) save();
  };
  std::vector<Hook*> hooks;
  for (const auto& hook : all_hooks) hooks.push_back(hook.get());
  variables_replaced_ = false;
  train_data_ = &data;
  clip_norm_ = spec.clip_norm;
  statistics_every_ = spec.statistics_every;
  loop.statistics_every = spec.statistics_every;
  sampler_ = StatisticsSampler();
  if (statistics_every_ > 0) {
    ParameterList trainable;
    for (const ParameterList& group : groups_) trainable.insert(trainable.end(), group.begin(), group.end());
    sampler_.Watch(trainable, &b.taps);
  }
  LoopOutcome loop_out;
  try {
    loop_out = RunTrainingLoop(*this, data.size(), loop, hooks);
  } catch (...) {
    train_data_ = nullptr;
    train_log_.reset();
    throw;
  }
  train_data_ = nullptr;
  // A log whose last writes failed late says so here, not never.
  if (train_log_) train_log_->Close();
  if (eval_log) eval_log->Close();
  train_log_.reset();
  out.steps = loop_out.steps;
  out.last_loss = loop_out.last_loss;
  out.stopped_by_hook = loop_out.stopped_by_hook;
  out.interrupted = loop_out.interrupted;
  if (stopping) out.holdout = stopping->Result(global_step_);
  if (reports) {
    for (EvalReport& r : loop_out.evaluations) reports->push_back(std::move(r));
  }
  out.global_step = global_step_;
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

std::map<std::string, double> Estimator::Evaluate(const Examples& data, const EvalSpec& eval_spec) {
  eval_spec.Validate();
  data.Validate("evaluation");
  return EvaluateValidated(data, eval_spec);
}

std::map<std::string, double> Estimator::EvaluateValidated(const Examples& data, const EvalSpec& eval_spec) {
  Built& b = InferenceGraph(Mode::kEval, data);
  MaybeRestore(nullptr);
  const Index chunk = eval_spec.eval_batch_size;
  Index rows = data.size();
  if (eval_spec.steps > 0) rows = std::min<Index>(rows, eval_spec.steps * chunk);
  Tensor predictions;
  for (Index begin = 0; begin < rows; begin += chunk) {
    const Index count = std::min(chunk, rows - begin);
    data.Slice(begin, begin + count, batch_);
    Feed(b, batch_);
    b.graph->Forward();
    const auto p = b.spec.predictions.value();
    if (begin == 0) predictions.resize(rows, p.cols());
    predictions.middleRows(begin, count) = p;
  }
  std::map<std::string, double> metrics = b.spec.eval_metrics(predictions, data.labels.topRows(rows));
  metrics["global_step"] = static_cast<double>(global_step_);
  return metrics;
}

Tensor Estimator::Predict(const Examples& data, Index batch_size) {
  if (batch_size <= 0) throw ConfigError("prediction batch size must be positive");
  Built& b = InferenceGraph(Mode::kPredict, data);
  MaybeRestore(nullptr);
  Tensor out;
  const Index n = data.rows();
  for (Index begin = 0; begin < n; begin += batch_size) {
    const Index count = std::min(batch_size, n - begin);
    data.Slice(begin, begin + count, batch_);
    Feed(b, batch_);
    b.graph->Forward(b.spec.predictions);
    const auto p = b.spec.predictions.value();
    if (begin == 0) out.resize(n, p.cols());
    out.middleRows(begin, count) = p;
  }
  return out;
}

Tensor Estimator::Predict(const Tensor& features, Index batch_size) {
  Examples e;
  e.dense = features;
  e.labels.resize(features.rows(), 0);
  return Predict(e, batch_size);
}

TrainAndEvaluateResult TrainAndEvaluate(Estimator& estimator, const Examples& train, const Examples& eval,
                                        const TrainSpec& train_spec, const EvalSpec& eval_spec) {
  TrainAndEvaluateResult result;
  result.train = estimator.Run(train, train_spec, &eval, &eval_spec, &result.evaluations);
  return result;
}

}  // namespace lever
