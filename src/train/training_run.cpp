#include "lever/train/training_run.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "lever/doctor/record_file.h"
#include "lever/error.h"
#include "lever/io/atomic_file.h"
#include "lever/io/run_log.h"
#include "lever/losses/registry.h"
#include "lever/metrics/multilabel.h"
#include "lever/nn/activation.h"
#include "lever/nn/initializer.h"
#include "lever/optim/registry.h"
#include "lever/registry.h"
#include "lever/report/test_evaluation.h"
#include "lever/train/dnn_defaults.h"
#include "lever/train/run_result.h"

namespace lever {

// Reports each evaluation to a tuner (CLOUD_ML_HP_METRIC_FILE) and, with a job directory, logs as an
// estimator does (lever/io/run_log.h): the mean training loss of every 100 steps to <job-dir>/events.jsonl,
// each evaluation to <job-dir>/eval/events.jsonl, TensorBoard event files beside them.
class TrainingRun::JobFiles : public Hook {
 public:
  static constexpr int64_t kLogEvery = 100;
  JobFiles(HypertuneReporter tuner, const std::string& job_dir) : tuner_(std::move(tuner)) {
    if (job_dir.empty()) return;
    // A run starts afresh (step 0): what an earlier run in the directory logged is dropped.
    train_log_ = std::make_unique<RunLog>(job_dir, 0);
    eval_log_ = std::make_unique<RunLog>((std::filesystem::path(job_dir) / "eval").string(), 0);
  }
  bool AfterStep(Learner& /*learner*/, const StepReport& r) override {
    if (!train_log_) return false;
    loss_sum_ += r.loss;
    ++steps_;
    if (r.step % kLogEvery == 0 || r.step == r.max_steps) {
      const double seconds = r.seconds();
      train_log_->Log(r.step, {{"loss", loss_sum_ / static_cast<double>(steps_)},
                               {"global_step/sec", static_cast<double>(steps_) / std::max(seconds - last_, 1e-9)}});
      last_ = seconds;
      loss_sum_ = 0.0;
      steps_ = 0;
    }
    return false;
  }
  bool AfterEvaluation(Learner& /*learner*/, const EvalReport& info) override {
    if (info.name != "evaluation") return false;
    // The test set's figures as "loss" and "accuracy" (the training set's when there is no test set),
    // as an estimator's evaluation reports its data.eval file's.
    const std::string on = info.metrics.count("validation_loss") > 0 ? "validation_" : "train_";
    std::map<std::string, double> values{{"loss", info.Get(on + "loss")}};
    if (info.metrics.count(on + "accuracy") > 0) values["accuracy"] = info.Get(on + "accuracy");
    tuner_.Report(info.step, {values.begin(), values.end()});
    if (eval_log_) {
      for (const char* name : {"train_loss", "train_accuracy"}) {
        if (info.metrics.count(name) > 0) values[name] = info.Get(name);
      }
      eval_log_->Log(info.step, values);
    }
    return false;
  }
  // At the end of the run, after the final evaluation: a log whose last writes failed late says so.
  void Close() {
    if (train_log_) train_log_->Close();
    if (eval_log_) eval_log_->Close();
  }

 private:
  HypertuneReporter tuner_;
  std::unique_ptr<RunLog> train_log_, eval_log_;
  double loss_sum_ = 0.0, last_ = 0.0;
  int64_t steps_ = 0;
};

namespace {

// The numeric flags, named as the user typed them (TrainConfig's own checks name its C++ fields).
void CheckFlags(const TrainingRunSpec& spec) {
  const TrainConfig& c = spec.config;
  if (c.max_steps < 0) throw ConfigError(fmt::format("--steps must be >= 0, got {}", c.max_steps));
  if (c.batch_size <= 0) {
    throw ConfigError(fmt::format(
        "--batch-size must be a positive number of examples, got {}. Typical values: 10 to 512.", c.batch_size));
  }
  if (!(c.clip_norm >= 0.0) || !std::isfinite(c.clip_norm)) {
    throw ConfigError("--clip-norm must be >= 0 (0 turns clipping off), got " + FormatValue(c.clip_norm));
  }
  if (!(c.clip_value >= 0.0) || !std::isfinite(c.clip_value)) {
    throw ConfigError("--clip-value must be >= 0 (0 turns clipping off), got " + FormatValue(c.clip_value));
  }
  if (c.eval_every < 0) {
    throw ConfigError(fmt::format("--eval-every must be >= 0 (0: ten evaluations a run), got {}", c.eval_every));
  }
  if (c.statistics_every < 0) {
    throw ConfigError(fmt::format("--stats-every must be >= 0 (0: off), got {}", c.statistics_every));
  }
  if (spec.patience < 0) throw ConfigError(fmt::format("--patience is a number of checks >= 0, got {}", spec.patience));
}

}  // namespace

void TrainingRunSpec::UseTableDefaults(const KnobsChosen& chosen) {
  if (data.train_file.empty()) return;
  if (!chosen.hidden) mlp.hidden = dnn_defaults::kHiddenUnits;
  if (!chosen.activation) mlp.activation = dnn_defaults::kActivation;
  if (!chosen.optimizer) config.optimizer.name = dnn_defaults::kOptimizer;
  if (!chosen.learning_rate) config.optimizer.learning_rate = dnn_defaults::kLearningRate;
  if (!chosen.batch_size) config.batch_size = dnn_defaults::kBatchSize;
  if (!chosen.steps) config.max_steps = dnn_defaults::kMaxSteps;
}

bool TrainingRunSpec::ApplyKnob(const std::string& knob) {
  const size_t space = knob.find(' ');
  const std::string flag = knob.substr(0, space);
  const std::string value = space == std::string::npos ? "" : knob.substr(space + 1);
  const auto number = [&]() {
    try {
      size_t used = 0;
      const double v = std::stod(value, &used);
      if (used == value.size() && std::isfinite(v) && v >= 0) return v;
    } catch (const std::exception&) {
    }
    throw ConfigError("the knob '" + knob + "' needs a finite number of 0 or more");
  };
  const auto whole = [&]() {
    const double v = number();
    if (v != std::floor(v) || v < 1 || v > 1e15) throw ConfigError("the knob '" + knob + "' needs a whole number >= 1");
    return static_cast<int64_t>(v);
  };
  // Sets `field` to `to`; whether that changed it.
  const auto set = [](auto& field, const auto& to) {
    const bool changed = !(field == to);
    field = to;
    return changed;
  };
  if (flag == "--learning-rate") return set(config.optimizer.learning_rate, number());
  if (flag == "--steps") return set(config.max_steps, whole());
  if (flag == "--batch-size") return set(config.batch_size, whole());
  if (flag == "--clip-norm") return set(config.clip_norm, number());
  if (flag == "--l1") return set(mlp.regularizer.l1, number());
  if (flag == "--l2") return set(mlp.regularizer.l2, number());
  if (flag == "--dropout") return set(mlp.dropout, number());
  if (flag == "--activation") {
    HiddenActivations(value, mlp.hidden.size());  // throws, listing the valid names
    return set(mlp.activation, value);
  }
  if (flag == "--initializer") {
    CheckInitializer(value);
    return set(mlp.initializer, value);
  }
  if (flag == "--optimizer") {
    CheckOptimizer(value);  // throws, listing the valid names
    return set(config.optimizer.name, value);
  }
  if (flag == "--hidden") return set(mlp.hidden, ParseLayerSizes(value));
  if (flag == "--features") return set(data.features, SplitNames(value));
  if (flag == "--standardize") return set(data.standardize, true);
  if (flag == "--batch-norm") return set(mlp.batch_norm, true);
  throw ConfigError("the knob '" + knob + "' is not one lever train --fix can turn");
}

TrainingRun::TrainingRun(TrainingRunSpec spec) : spec_(std::move(spec)) {
  CheckFlags(spec_);
  if (!spec_.job_dir.empty()) {
    std::error_code error;
    std::filesystem::create_directories(spec_.job_dir, error);
    if (error) throw IoError("cannot create the job directory " + spec_.job_dir + ": " + error.message());
    lock_ = std::make_unique<DirLock>(spec_.job_dir, "lever.lock",
                                      "another lever process is writing the job directory '" + spec_.job_dir + "'",
                                      "wait for it to end, or stop it, or give this run another --job-dir");
    RemoveStaleTemporaries(spec_.job_dir);
  }
  spec_.data.hold_out = spec_.patience > 0;
  data_ = LoadTrainingData(spec_.data);
  spec_.mlp.outputs = data_.outputs;
  model_ = MakeMlp(spec_.mlp);
  TrainConfig& c = spec_.config;
  if (c.loss == "auto") c.loss = data_.default_loss;
  if (c.eval_every <= 0) c.eval_every = std::max<int64_t>(1, c.max_steps / 10);
  if (spec_.doctor && c.statistics_every == 0) c.statistics_every = Doctor::StatisticsEvery(c.max_steps);
  if (spec_.schedule.name != "constant") {
    ScheduleSpec schedule = spec_.schedule;
    schedule.learning_rate = c.optimizer.learning_rate;
    c.optimizer.schedule = MakeSchedule(schedule);
  }
  c.Validate();
  model_.Build(data_.train.num_features(), c.seed);
  trainer_ = std::make_unique<Trainer>(model_, c);
  files_ = std::make_unique<JobFiles>(
      spec_.report_to_tuner ? HypertuneReporter::FromEnvironment() : HypertuneReporter(), spec_.job_dir);
  trainer_->AddHook(files_.get());
  if (data_.holdout.size() > 0) trainer_->SetEarlyStopping(data_.holdout, {.patience = spec_.patience});
  if (spec_.doctor) {
    doctor_ = std::make_unique<Doctor>(Facts());
    if (!spec_.job_dir.empty()) {
      doctor_->SetRecordFile((std::filesystem::path(spec_.job_dir) / "doctor_record.json").string());
    }
    trainer_->AddHook(doctor_.get());
  }
}

DoctorFacts TrainingRun::Facts() const {
  const TrainConfig& c = trainer_->config();
  DoctorFacts f;
  f.optimizer = c.optimizer.name;
  f.learning_rate = c.optimizer.learning_rate;
  f.batch_size = c.batch_size;
  f.max_steps = c.max_steps;
  f.activation = spec_.mlp.activation;
  f.initializer = spec_.mlp.initializer;
  f.hidden.assign(spec_.mlp.hidden.begin(), spec_.mlp.hidden.end());
  f.l1 = spec_.mlp.regularizer.l1;
  f.l2 = spec_.mlp.regularizer.l2;
  f.dropout = spec_.mlp.dropout;
  f.batch_norm = spec_.mlp.batch_norm;
  f.clip_norm = c.clip_norm;
  f.classification = data_.classification;
  f.train_rows = data_.train.size();
  const Tensor& x = data_.train.features;
  f.largest_input_stddev = 0.0;
  for (Index j = 0; j < x.cols() && x.rows() > 0; ++j) {
    const double mean = x.col(j).cast<double>().mean();
    const double stddev = std::sqrt(std::max(0.0, x.col(j).cast<double>().squaredNorm() / x.rows() - mean * mean));
    f.largest_input_mean = std::max(f.largest_input_mean, std::abs(mean));
    f.largest_input_stddev = std::max(f.largest_input_stddev, stddev);
  }
  f.standardized = !spec_.data.train_file.empty() && spec_.data.standardize;
  const Tensor& y = data_.train.labels;
  if (!f.classification && y.size() > 0) {
    const double mean = y.cast<double>().mean();
    f.label_variance = std::max(0.0, y.cast<double>().squaredNorm() / static_cast<double>(y.size()) - mean * mean);
  }
  return f;
}

namespace {

// <job-dir>/evaluation.json: what `lever report` draws of the trained model on the test set and of its
// kernels' weights (lever/report/test_evaluation.h).
void WriteEvaluationFile(Trainer& trainer, const TrainingData& data, const std::string& loss, const std::string& path) {
  const Tensor predictions = trainer.Predict(data.test.features);
  std::string head = "regression";
  if (data.labels.task == Task::kMultiLabel || (loss == "sigmoid_cross_entropy" && predictions.cols() > 1)) {
    head = "multi_label";
  } else if (loss == "sigmoid_cross_entropy") {
    head = "binary";
  } else if (IsClassificationLoss(loss)) {
    head = "multi_class";
  }
  nlohmann::ordered_json j = TestEvaluationJson(head, predictions, data.test.labels, data.labels.classes);
  j["weights"] = WeightHistogramsJson(KernelsOf(trainer.model().parameters().All()));
  WriteFileAtomically(path, j.dump() + "\n");
}

}  // namespace

TrainingRun::~TrainingRun() = default;

TrainingOutcome TrainingRun::Run() {
  TrainingOutcome o;
  try {
    o.result = trainer_->Train(data_.train, &data_.test);
  } catch (const DivergenceError& e) {
    if (!doctor_) throw;
    const std::vector<Finding> findings = doctor_->FinishDiverged(e.step(), spec_.job_dir);
    throw DivergenceError(e.message() + "\n" + FindingsText(findings, ""), e.step());
  }
  files_->Close();
  if (doctor_) {
    doctor_->SetConverged(o.result.convergence.converged);
    o.findings = doctor_->Finish(spec_.job_dir);
    o.doctor_text = FindingsText(o.findings, doctor_->HealthySummary());
  }
  const TrainResult& r = o.result;
  o.loss = CanonicalLossName(trainer_->config().loss);
  const bool multi_label = data_.labels.task == Task::kMultiLabel;
  o.holdout_rows = data_.holdout.size();
  if (multi_label) o.label_names = data_.labels.classes;
  if (multi_label)
    o.label_metrics =
        MultiLabelMetrics(trainer_->Predict(data_.test.features), data_.test.labels, data_.labels.classes);
  if (!r.convergence.converged) {
    o.not_converged = fmt::format(
        "not converged: the training loss still fell {:.1f}% over the last tenth of {} steps "
        "(more than {:.0f}%); raise --steps or --learning-rate",
        100.0 * r.convergence.change, r.convergence.iterations, 100.0 * r.convergence.tolerance);
  }
  RunResult result;
  result.global_step = r.steps;
  result.steps = r.steps;
  result.train_seconds = r.training_seconds;
  result.metrics = {{"train_loss", r.train.loss}, {"test_loss", r.validation->loss}};
  if (IsClassificationLoss(o.loss)) {
    result.metrics.emplace_back("train_accuracy", r.train.accuracy);
    result.metrics.emplace_back("test_accuracy", r.validation->accuracy);
  }
  if (multi_label) {
    result.metrics.emplace_back("test_auc", o.label_metrics.at("auc"));
    result.metrics.emplace_back("test_subset_accuracy", o.label_metrics.at("accuracy"));
  }
  result.metrics.emplace_back("regularization_loss", r.regularization_loss);
  result.metrics.emplace_back("nonzero_weights", static_cast<double>(r.nonzero_weights));
  result.metrics.emplace_back("kernel_weights", static_cast<double>(r.kernel_weights));
  if (!data_.label_decision.empty()) {
    result.task = TaskName(data_.labels.task);
    result.classes = data_.labels.classes;
  }
  result.holdout_rows = data_.holdout.size();
  result.holdout = {r.best_step, r.holdout_loss, r.stopped_early};
  result.convergence = r.convergence;
  result.convergence->reason = o.not_converged;
  result.extras["loss_function"] = o.loss;
  if (multi_label) {
    nlohmann::ordered_json per_label = nlohmann::ordered_json::object();
    for (const std::string& name : data_.labels.classes) {
      per_label[name] = {{"auc", o.label_metrics.at("auc/" + name)},
                         {"accuracy", o.label_metrics.at("accuracy/" + name)}};
    }
    result.extras["per_label"] = per_label;
  }
  o.json = result.ToJson();
  if (!spec_.job_dir.empty() && data_.test.size() > 0) {
    WriteEvaluationFile(*trainer_, data_, o.loss, (std::filesystem::path(spec_.job_dir) / "evaluation.json").string());
  }
  if (!spec_.job_dir.empty()) result.Write((std::filesystem::path(spec_.job_dir) / "result.json").string());
  return o;
}

std::string TrainingRun::Header() const {
  std::string out = fmt::format("{}data: {}\n", model_.Summary(), data_.description);
  if (!data_.label_decision.empty()) out += data_.label_decision + "\n";
  for (const std::string& line : data_.summary) out += "  " + line + "\n";
  const TrainConfig& c = trainer_->config();
  out += fmt::format("loss: {}  optimizer: {}  batch {}  steps {}  seed {}\n", CanonicalLossName(c.loss),
                     trainer_->optimizer().Describe(), c.batch_size, c.max_steps, c.seed);
  return out;
}

std::string TrainingOutcome::Text() const {
  const TrainResult& r = result;
  std::string out = fmt::format("final: train loss {:.4f}  test loss {:.4f}", r.train.loss, r.validation->loss);
  if (IsClassificationLoss(loss)) {
    out += fmt::format("  train accuracy {:.4f}  test accuracy {:.4f}", r.train.accuracy, r.validation->accuracy);
  }
  if (!label_metrics.empty()) {
    out += fmt::format("\n       test: mean AUC {:.4f}  subset accuracy {:.4f}\n      ", label_metrics.at("auc"),
                       label_metrics.at("accuracy"));
    for (const std::string& name : label_names) {
      out += fmt::format(" {}: AUC {:.4f} accuracy {:.4f};", name, label_metrics.at("auc/" + name),
                         label_metrics.at("accuracy/" + name));
    }
  }
  out += fmt::format(
      "\n       {} steps in {:.2f}s ({:.0f} steps/s)  regularization loss {:.4f}  nonzero weights {}/{}\n", r.steps,
      r.training_seconds, r.steps_per_second, r.regularization_loss, r.nonzero_weights, r.kernel_weights);
  if (r.best_step >= 0) {
    out += fmt::format(
        "       early stopping: holdout loss {:.4f} at step {} ({} of the training rows held out); {} {}{}, "
        "the weights are step {}'s\n",
        r.holdout_loss, r.best_step, holdout_rows, r.stopped_early ? "stopped at step" : "ran all", r.steps,
        r.stopped_early ? "" : " steps", r.best_step);
  }
  return out;
}

}  // namespace lever
