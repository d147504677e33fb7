#pragma once
// One `lever train` run without a run config, as the library does it: the data (lever/train/training_data.h),
// a multilayer perceptron, the Trainer, early stopping on the held-out rows, and the job directory's files
// (eval.jsonl, one line per evaluation; result.json at the end; the tuner's metric file). The caller adds
// hooks (progress) and prints; the run never does.
//
//   TrainingRun run(spec);
//   run.trainer().AddHook(&progress);
//   const TrainingOutcome outcome = run.Run();   // outcome.json is what result.json holds
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "lever/doctor/doctor.h"
#include "lever/io/dir_lock.h"
#include "lever/nn/mlp.h"
#include "lever/optim/schedule.h"
#include "lever/train/hypertune_reporter.h"
#include "lever/train/trainer.h"
#include "lever/train/training_data.h"

namespace lever {

/// Which of a run's model and training knobs the user chose (the others take the data's defaults).
struct KnobsChosen {
  bool hidden = false, activation = false, optimizer = false, learning_rate = false, batch_size = false, steps = false;
};

/// The defaults are the Playground's: two hidden layers of 8 tanh units, Adam at 0.01, batches of 10, 3000
/// steps, the loss the labels call for, ten evaluations a run. A CSV table takes the run config's network
/// instead (UseTableDefaults).
struct TrainingRunSpec {
  TrainingRunSpec() {
    mlp.hidden = {8, 8};
    mlp.activation = "tanh";
    config.batch_size = 10;
    config.max_steps = 3000;
    config.loss = "auto";
    config.optimizer.name = "adam";
    config.optimizer.learning_rate = 0.01;
    config.eval_every = 0;
  }
  TrainingDataSpec data;
  MlpSpec mlp;         // outputs follow the data
  TrainConfig config;  // loss "auto": the data's; eval_every 0: ten evaluations a run
  /// The learning-rate schedule (name "constant": none). The run builds config.optimizer.schedule from it,
  /// starting at config.optimizer.learning_rate, so a knob that turns the learning rate (--fix, a sweep)
  /// moves the schedule with it, and an export can write it back as flags (lever/train/run_arguments.h).
  ScheduleSpec schedule;
  int64_t patience = 30;  // early stopping checks (when the data has a holdout); 0: none
  std::string job_dir;    // empty: no files; else locked while the run lives (one writer at a time)
  /// The training doctor (lever/doctor/doctor.h) watches the run: TrainingOutcome::findings, doctor.json
  /// in the job directory; statistics_every 0 becomes Doctor::StatisticsEvery(max_steps).
  bool doctor = false;
  /// Report evaluations to a tuning study (CLOUD_ML_HP_METRIC_FILE, lever/train/hypertune_reporter.h).
  /// Off for the runs a trial makes besides its own (a sweep's, --fix's rounds), which would overwrite
  /// the trial's figures.
  bool report_to_tuner = true;

  /// With a CSV table (data.train_file), the knobs not `chosen` take the defaults `lever train --config`
  /// gives a table (lever/train/dnn_defaults.h: 64,32 ReLU, Adam at 0.001, 1000 steps of 32), so the
  /// flag-driven and the run-config forms train the same network. A Playground dataset keeps its own.
  void UseTableDefaults(const KnobsChosen& chosen);
  /// Turns a knob as the doctor's findings name it ("--learning-rate 0.3", "--standardize", "--hidden
  /// 16,16"): `lever train --fix`. Returns whether the spec changed (false: the knob was already there).
  /// Throws ConfigError for a knob that is not one of these flags or a bad value (a count must be whole).
  bool ApplyKnob(const std::string& knob);
};

struct TrainingOutcome {
  TrainResult result;
  std::string loss;  // the canonical loss trained
  /// Multi-label: MultiLabelMetrics on the test set, with the label names (lever/metrics/multilabel.h).
  std::map<std::string, double> label_metrics;
  /// Empty when converged; otherwise the warning, naming --steps and --learning-rate.
  std::string not_converged;
  nlohmann::ordered_json json;  // result.json's contents
  Index holdout_rows = 0;
  std::vector<std::string> label_names;  // multi-label: the label columns
  /// With the doctor: its findings, most likely first, and what `--doctor` prints (a healthy run's line
  /// when there are none).
  std::vector<Finding> findings;
  std::string doctor_text;

  /// The final lines as `lever train` prints them: "final: train loss ...", per-label figures
  /// (multi-label), steps, time and weights, and where early stopping left the weights. Ends with "\n".
  std::string Text() const;
};

class TrainingRun {
 public:
  /// Takes the job directory's lock (lever/io/dir_lock.h; ConfigError naming the pid of a run that holds
  /// it) and removes temporary files killed runs left there, loads the data and builds the model and
  /// trainer. Throws ConfigError for invalid knobs and what LoadTrainingData throws; IoError when the job
  /// directory cannot be created.
  explicit TrainingRun(TrainingRunSpec spec);
  ~TrainingRun();

  const TrainingData& data() const { return data_; }
  Sequential& model() { return model_; }
  Trainer& trainer() { return *trainer_; }
  const Trainer& trainer() const { return *trainer_; }
  const TrainConfig& config() const { return trainer_->config(); }
  /// The spec as the run resolved it: the loss the data calls for, the data's outputs, the evaluation
  /// cadence, the schedule built into config.optimizer.
  const TrainingRunSpec& spec() const { return spec_; }

  /// What `lever train` prints before training: the model's summary, the data, the label decision, the
  /// data summary, the loss, optimizer, batch, steps and seed. Ends with "\n".
  std::string Header() const;
  /// Trains, then writes result.json (atomically) to the job directory when there is one. With the doctor,
  /// a DivergenceError carries the doctor's findings in its message (and doctor.json is written first).
  TrainingOutcome Run();
  /// The doctor (spec.doctor), or null: after a DivergenceError its Diagnose() has the findings.
  const Doctor* doctor() const { return doctor_.get(); }
  Doctor* mutable_doctor() { return doctor_.get(); }

 private:
  class JobFiles;
  TrainingRunSpec spec_;
  std::unique_ptr<DirLock> lock_;
  TrainingData data_;
  Sequential model_;
  std::unique_ptr<Trainer> trainer_;
  std::unique_ptr<JobFiles> files_;
  std::unique_ptr<Doctor> doctor_;

  DoctorFacts Facts() const;
};

}  // namespace lever
