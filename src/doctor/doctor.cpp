#include "lever/doctor/doctor.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "lever/doctor/record_file.h"
#include "lever/error.h"
#include "lever/io/atomic_file.h"
#include "lever/io/state.h"
#include "rules.h"

namespace lever {
namespace doctor {

double MeanOf(const std::vector<float>& values, size_t begin, size_t end) {
  end = std::min(end, values.size());
  if (begin >= end) return 0.0;
  double sum = 0.0;
  for (size_t i = begin; i < end; ++i) sum += values[i];
  return sum / static_cast<double>(end - begin);
}

double StartLoss(const DoctorRecord& record) {
  const size_t n = record.step_losses.size();
  return MeanOf(record.step_losses, 0, std::max<size_t>(1, n / 50));
}

double EndLoss(const DoctorRecord& record) {
  const size_t n = record.step_losses.size();
  return MeanOf(record.step_losses, n - std::min(n, std::max<size_t>(1, n / 10)), n);
}

double Fall(const DoctorRecord& record) {
  const double start = StartLoss(record);
  return start > 0 ? (start - EndLoss(record)) / start : 0.0;
}

double LateFall(const DoctorRecord& record) {
  const size_t n = record.step_losses.size();
  const double middle = MeanOf(record.step_losses, 4 * n / 10, 7 * n / 10);
  const double late = MeanOf(record.step_losses, 7 * n / 10, n);
  return middle > 0 ? (middle - late) / middle : 0.0;
}

std::string FallText(const DoctorRecord& record) {
  const double fall = Fall(record);
  const std::string values = fmt::format("({:.4g} -> {:.4g})", StartLoss(record), EndLoss(record));
  return fall < 0.005 ? "did not fall " + values : fmt::format("fell only {:.0f}% {}", 100 * fall, values);
}

std::string Scaled(double value, double factor) { return fmt::format("{:.3g}", value * factor); }

std::string OptimizerText(const DoctorFacts& facts) {
  return fmt::format("{} at {:g}", facts.optimizer, facts.learning_rate);
}

double HighRate(const DoctorFacts& facts) {
  // Momentum (0.9) takes steps about 10 times the rate's.
  return facts.optimizer == "sgd" ? 0.5 : facts.optimizer == "momentum" || facts.optimizer == "nesterov" ? 0.1 : 0.05;
}

bool HighLearningRate(const DoctorFacts& facts) { return facts.learning_rate > HighRate(facts); }

std::string LowerRate(const DoctorFacts& facts) {
  double rate = facts.learning_rate * 0.1;
  if (HighLearningRate(facts)) rate = std::min(rate, HighRate(facts) / 5);
  return "--learning-rate " + Scaled(rate, 1.0);
}

std::string BatchNormKnob(const DoctorFacts& facts) { return facts.batch_norm ? "" : "--batch-norm"; }

std::string Knobs(std::initializer_list<std::string> knobs) {
  std::string out;
  for (const std::string& k : knobs) {
    if (!k.empty()) out += (out.empty() ? "" : ", ") + k;
  }
  return out;
}

}  // namespace doctor

Doctor::Doctor(DoctorFacts facts) {
  record_.facts = std::move(facts);
  record_.step_losses.reserve(static_cast<size_t>(std::clamp<int64_t>(record_.facts.max_steps, 0, 1 << 20)));
}

int64_t Doctor::StatisticsEvery(int64_t max_steps) { return std::max<int64_t>(1, max_steps / 10); }

bool Doctor::AfterStep(Learner& /*learner*/, const StepReport& report) {
  record_.step_losses.push_back(static_cast<float>(report.loss));
  return false;
}

void Doctor::AfterStatistics(Learner& /*learner*/, const TrainingStatistics& statistics) {
  record_.statistics.push_back(statistics);
}

bool Doctor::AfterEvaluation(Learner& /*learner*/, const EvalReport& report) {
  if (report.name == "holdout") return false;
  DoctorEvaluation e;
  e.step = report.step;
  if (report.name == "evaluation") {  // the Trainer's: the whole training set's figures and the test set's
    e.train_loss = report.Get("train_loss");
    e.validation_loss = report.Get("validation_loss");
    e.train_accuracy = report.Get("train_accuracy");
    e.validation_accuracy = report.Get("validation_accuracy");
    e.regularization_loss = report.Get("regularization_loss");
  } else {
    // An estimator's evaluation of its eval file: the training loss is the mean batch loss since the last
    // evaluation (the estimator does not evaluate the training set); no training accuracy. The step losses
    // are those of the n steps up to this one (from step 1 when LoadState restored a resumed job's).
    const int64_t n = static_cast<int64_t>(record_.step_losses.size());
    const size_t since =
        record_.evaluations.empty()
            ? 0
            : static_cast<size_t>(std::clamp<int64_t>(record_.evaluations.back().step - (report.step - n), 0, n));
    if (since < record_.step_losses.size()) {
      e.train_loss = doctor::MeanOf(record_.step_losses, since, record_.step_losses.size());
    } else {
      // No step since the last evaluation (evaluated twice at one step, or a finished job run again): the
      // last training loss still holds; before any step there is none.
      e.train_loss = record_.evaluations.empty() ? std::numeric_limits<double>::quiet_NaN()
                                                 : record_.evaluations.back().train_loss;
    }
    e.validation_loss = report.Get("loss");
    e.train_accuracy = std::numeric_limits<double>::quiet_NaN();
    e.validation_accuracy = report.Get("accuracy");
    e.regularization_loss = 0.0;
  }
  record_.evaluations.push_back(e);
  // A running job's record: `lever doctor JOB_DIR` reads it while training goes on.
  if (!record_file_.empty()) WriteFileAtomically(record_file_, DoctorRecordToJson(record_, true).dump() + "\n");
  return false;
}

namespace {
constexpr char kStatePrefix[] = "hooks/doctor/";
constexpr int kEvaluationColumns = 7;  // step / 2^20, step % 2^20 (each exact in F32), then the five figures
}  // namespace

void Doctor::SaveState(const Learner& /*learner*/, StateWriter& out) const {
  const std::string prefix = kStatePrefix;
  out.WriteScalar(prefix + "steps", static_cast<double>(record_.step_losses.size()));
  Tensor losses(1, static_cast<Index>(record_.step_losses.size()));
  for (size_t i = 0; i < record_.step_losses.size(); ++i) losses(0, static_cast<Index>(i)) = record_.step_losses[i];
  out.WriteTensor(prefix + "step_losses", losses);
  Tensor evaluations(static_cast<Index>(record_.evaluations.size()), kEvaluationColumns);
  for (size_t i = 0; i < record_.evaluations.size(); ++i) {
    const DoctorEvaluation& e = record_.evaluations[i];
    const double figures[kEvaluationColumns] = {static_cast<double>(e.step >> 20),
                                                static_cast<double>(e.step & ((int64_t{1} << 20) - 1)),
                                                e.train_loss,
                                                e.validation_loss,
                                                e.train_accuracy,
                                                e.validation_accuracy,
                                                e.regularization_loss};
    for (int k = 0; k < kEvaluationColumns; ++k) evaluations(static_cast<Index>(i), k) = static_cast<float>(figures[k]);
  }
  out.WriteScalar(prefix + "evaluation_count", static_cast<double>(record_.evaluations.size()));
  if (!record_.evaluations.empty()) out.WriteTensor(prefix + "evaluations", evaluations);
  // The statistics samples as their JSON text, one byte per element (exact in a float).
  if (!record_.statistics.empty()) {
    const std::string text = StatisticsToJson(record_.statistics).dump();
    Tensor bytes(1, static_cast<Index>(text.size()));
    for (size_t i = 0; i < text.size(); ++i) bytes(0, static_cast<Index>(i)) = static_cast<unsigned char>(text[i]);
    out.WriteTensor(prefix + "statistics_json", bytes);
  }
}

void Doctor::LoadState(Learner& /*learner*/, const StateReader& in) {
  const std::string prefix = kStatePrefix;
  if (!in.Has(prefix + "steps")) return;  // saved without the doctor: it watches from here on
  const Tensor& losses = in.ReadTensor(prefix + "step_losses");
  const double steps = in.ReadScalar(prefix + "steps");
  if (steps != static_cast<double>(losses.size())) {
    throw IoError("the doctor's state holds " + std::to_string(losses.size()) + " step losses, not " +
                  fmt::format("{:g}", steps));
  }
  record_.step_losses.assign(losses.data(), losses.data() + losses.size());
  record_.evaluations.clear();
  record_.statistics.clear();
  if (in.Has(prefix + "statistics_json")) {
    const Tensor& bytes = in.ReadTensor(prefix + "statistics_json");
    std::string text(static_cast<size_t>(bytes.size()), '\0');
    for (Index i = 0; i < bytes.size(); ++i) {
      const float b = bytes.data()[i];
      if (!(b >= 0 && b <= 255)) throw IoError("the doctor's statistics in the checkpoint are damaged");
      text[static_cast<size_t>(i)] = static_cast<char>(static_cast<unsigned char>(b));
    }
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) throw IoError("the doctor's statistics in the checkpoint are not JSON");
    try {
      record_.statistics = StatisticsFromJson(j, "the checkpoint's doctor state");
    } catch (const DataError& e) {
      throw IoError(e.message());  // a damaged checkpoint, as any other unreadable part of one
    }
  }
  const double count = in.ReadScalar(prefix + "evaluation_count");
  if (count <= 0) return;
  const Tensor& e = in.ReadTensor(prefix + "evaluations");
  if (e.cols() != kEvaluationColumns || static_cast<double>(e.rows()) != count) {
    throw IoError(
        fmt::format("the doctor's evaluations are {}x{}, not {:g}x{}", e.rows(), e.cols(), count, kEvaluationColumns));
  }
  for (Index i = 0; i < e.rows(); ++i) {
    record_.evaluations.push_back({.step = (static_cast<int64_t>(e(i, 0)) << 20) + static_cast<int64_t>(e(i, 1)),
                                   .train_loss = e(i, 2),
                                   .validation_loss = e(i, 3),
                                   .train_accuracy = e(i, 4),
                                   .validation_accuracy = e(i, 5),
                                   .regularization_loss = e(i, 6)});
  }
}

void Doctor::Diverged(int64_t step) {
  record_.diverged = true;
  record_.diverged_at = step;
}

std::vector<Finding> Doctor::Finish(const std::string& directory) {
  std::vector<Finding> findings = Diagnose();
  if (!directory.empty()) WriteDoctorJson(directory, findings, record_.diverged ? "" : HealthySummary());
  WriteRecord();
  return findings;
}

std::vector<Finding> Doctor::FinishDiverged(int64_t step, const std::string& directory) {
  Diverged(step);
  return Finish(directory);
}

std::vector<Finding> DiagnoseRecord(const DoctorRecord& record) {
  std::vector<Finding> findings;
  doctor::StatisticsRules(record, findings);
  doctor::CurveRules(record, findings);
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.confidence > b.confidence; });
  return record.facts.config_job ? WithConfigKnobs(std::move(findings)) : findings;
}

std::string HealthySummary(const DoctorRecord& record) {
  const double start = doctor::StartLoss(record), end = doctor::EndLoss(record);
  std::string out = fmt::format("the training loss fell from {:.4g} to {:.4g}", start, end);
  if (!record.evaluations.empty() && std::isfinite(record.evaluations.back().validation_loss)) {
    const DoctorEvaluation& last = record.evaluations.back();
    out += fmt::format(" (test {:.4g})", last.validation_loss);
  }
  return out + (record.converged ? " and leveled off" : ", near its floor") +
         "; gradients, activations and the train/test gap look healthy";
}

std::vector<Finding> Doctor::Diagnose() const { return DiagnoseRecord(record_); }

std::string Doctor::HealthySummary() const { return lever::HealthySummary(record_); }

void Doctor::WriteRecord() const {
  if (!record_file_.empty()) WriteFileAtomically(record_file_, DoctorRecordToJson(record_, false).dump() + "\n");
}

}  // namespace lever
