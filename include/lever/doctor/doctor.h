#pragma once
// The training doctor: a hook (lever/train/hook.h) that watches a network train, reading the loss of
// every step, the evaluations and the sampled gradient, weight and activation statistics
// (lever/train/statistics.h), and at the end says what is wrong and which knob to turn: the rules of thumb
// a practitioner applies while watching training, as code. docs/doctor.md lists every finding with the
// rule it encodes and its thresholds.
//
//   Doctor doctor(facts);                        // the run's knobs and data, for evidence and advice
//   trainer.AddHook(&doctor);                    // with TrainConfig::statistics_every = doctor's choice
//   trainer.Train(train, &test);
//   for (const Finding& f : doctor.Diagnose()) ...
#include <cstdint>
#include <string>
#include <vector>

#include "lever/doctor/finding.h"
#include "lever/train/hook.h"

namespace lever {

/// What the doctor knows of the run besides what it watches: the knobs (to name them in its advice) and
/// the data.
struct DoctorFacts {
  std::string optimizer = "adam";
  double learning_rate = 0.01;
  int64_t batch_size = 32;
  int64_t max_steps = 1000;
  std::string activation = "relu";
  /// The weights' initializer ("" when the run's model chose its own).
  std::string initializer;
  std::vector<int64_t> hidden;
  double l1 = 0.0, l2 = 0.0, dropout = 0.0;
  bool batch_norm = false;
  double clip_norm = 0.0;
  bool classification = true;
  int64_t train_rows = 0;
  /// The label's variance (regression): what a constant prediction's mean squared error would be.
  double label_variance = 0.0;
  /// The inputs as the network sees them: the largest standard deviation and absolute mean of a feature,
  /// and whether lever standardized them.
  double largest_input_stddev = 1.0, largest_input_mean = 0.0;
  bool standardized = true;
  /// The run came from a run config: its knobs are named as config overrides (WithConfigKnobs).
  bool config_job = false;
};

/// One evaluation the doctor keeps: losses (and accuracies for classification; NaN when not measured).
struct DoctorEvaluation {
  int64_t step = 0;
  double train_loss = 0.0, validation_loss = 0.0, train_accuracy = 0.0, validation_accuracy = 0.0;
  double regularization_loss = 0.0;
};

/// Everything the doctor watched, which the rules read (lever/doctor/rules.h).
struct DoctorRecord {
  DoctorFacts facts;
  std::vector<float> step_losses;             // every step's batch loss, in order
  std::vector<DoctorEvaluation> evaluations;  // the Trainer's "evaluation" reports
  std::vector<TrainingStatistics> statistics;
  bool diverged = false;  // the loss became NaN or infinite
  int64_t diverged_at = -1;
  bool converged = true;     // TrainResult::convergence: false when the loss was still falling at the end
  bool interrupted = false;  // stopped by a signal before max_steps (a config job resumes it)
};

/// The findings for a record, most likely first (what Doctor::Diagnose gives for the run it watched), their
/// knobs named as run-config overrides for a config job (WithConfigKnobs), and a healthy run's line.
std::vector<Finding> DiagnoseRecord(const DoctorRecord& record);
std::string HealthySummary(const DoctorRecord& record);

class Doctor : public Hook {
 public:
  explicit Doctor(DoctorFacts facts);

  /// The sampling interval of the statistics: 10 samples a run at most, so the doctor's cost stays small
  /// (each sample copies the weights once and reads the activations of one batch).
  static int64_t StatisticsEvery(int64_t max_steps);

  bool AfterStep(Learner& learner, const StepReport& report) override;
  void AfterStatistics(Learner& learner, const TrainingStatistics& statistics) override;
  bool AfterEvaluation(Learner& learner, const EvalReport& report) override;
  /// What the doctor watched goes into every checkpoint an estimator saves ("hooks/doctor/..."), so a
  /// resumed job is diagnosed on its whole run, and a finished job run again (no step taken) keeps its
  /// record rather than writing an empty one.
  void SaveState(const Learner& learner, StateWriter& out) const override;
  void LoadState(Learner& learner, const StateReader& in) override;

  /// Tells the doctor the loss became NaN or infinite at `step` (the Trainer throws DivergenceError).
  void Diverged(int64_t step);
  /// The end of a run: writes doctor.json into `directory` (none when empty; a run that did not diverge
  /// with the healthy line) and the record file, and returns the findings (Diagnose).
  std::vector<Finding> Finish(const std::string& directory);
  /// Finish for a run that diverged at `step` (Diverged first).
  std::vector<Finding> FinishDiverged(int64_t step, const std::string& directory);
  /// Tells the doctor whether the loss had leveled off at the end (TrainResult::convergence).
  void SetConverged(bool converged) { record_.converged = converged; }
  /// Tells the doctor a signal stopped the run before its last step.
  void SetInterrupted(bool interrupted) { record_.interrupted = interrupted; }
  /// After every evaluation, the record is written (atomically) to `path` as a running job's
  /// (lever/doctor/record_file.h); empty: not written.
  void SetRecordFile(std::string path) { record_file_ = std::move(path); }
  /// Writes the record to the record file as a finished (or interrupted) run's (nothing without one).
  void WriteRecord() const;

  /// The findings, most likely first; empty for a healthy run.
  std::vector<Finding> Diagnose() const;
  /// One line for a run without findings: how far the loss fell, and that nothing was alarming.
  std::string HealthySummary() const;
  const DoctorRecord& record() const { return record_; }

 private:
  DoctorRecord record_;
  std::string record_file_;
};

}  // namespace lever
