#pragma once
// A knob sweep: "adjust the knobs and see their effect". Trains one flag-driven run (lever/train/
// training_run.h) per combination of knob values (and per seed), several at a time, and keeps each run's
// curves, final figures and the training doctor's verdict; lever/sweep/plots.h draws them.
//
//   SweepSpec spec;
//   spec.base = ...;                                        // the run every combination starts from
//   spec.knobs = {ParseSweepKnob("learning_rate=0.001,0.01,0.1,1")};
//   const std::vector<SweepRun> runs = RunSweep(spec);      // in combination order, seeds innermost
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lever/train/training_run.h"

namespace lever {

/// One knob and the values it takes: `flag` is `lever train`'s ("--learning-rate"), as TrainingRunSpec::
/// ApplyKnob turns it.
struct SweepKnob {
  std::string name;  // as the user wrote it: learning_rate
  std::string flag;  // --learning-rate
  std::vector<std::string> values;
};

/// "learning_rate=0.001,0.01,0.1" (or learning-rate, --learning-rate; "lr" too). The knobs are those
/// ApplyKnob turns that take a value. Throws ConfigError naming the knob, the valid ones, or an empty value.
SweepKnob ParseSweepKnob(const std::string& text);

struct SweepSpec {
  TrainingRunSpec base;  // job_dir is ignored: sweep runs write no files
  /// A run config (`lever train --config`): when set, every run is that job with the knobs as its
  /// overrides (estimator.learning_rate, train.batch_size, ...; lever/doctor/finding.h's AsConfigOverride)
  /// after `config_overrides` ("key.path=value"), with run.seed the run's seed, no model directory and the
  /// doctor on; `base` is then unused except for base.config.seed, the first seed.
  std::string config;
  std::vector<std::string> config_overrides;
  std::vector<SweepKnob> knobs;
  int seeds = 1;  // each combination with seeds base.config.seed, +1, ...
  int jobs = 1;   // runs trained at the same time (threads)
};

/// One point of a run's curves: an evaluation.
struct SweepPoint {
  int64_t step = 0;
  double train_loss = 0.0, test_loss = 0.0, test_accuracy = 0.0;  // accuracy NaN for regression
};

struct SweepRun {
  std::vector<std::string> values;  // one per knob, in the knobs' order
  uint64_t seed = 1;
  std::vector<SweepPoint> curve;
  bool diverged = false;
  int64_t diverged_at = -1;
  double train_loss = 0.0, test_loss = 0.0, test_accuracy = 0.0;  // final; NaN when diverged
  int64_t nonzero_weights = 0, kernel_weights = 0;
  std::string finding;  // the doctor's first finding's id, or "healthy"
  double seconds = 0.0;
};

/// Trains every combination, `jobs` at a time (a run config is loaded once first, and a knob a run config
/// has no key for, --initializer or --features, is a ConfigError before any run); `done` (when set) is called after
/// each run, from the thread that trained it, with the number finished and the total. Throws what a run's construction
/// throws (ConfigError for a knob value that is invalid, DataError for the data) before or while training; a run that
/// diverges is kept as diverged.
std::vector<SweepRun> RunSweep(const SweepSpec& spec, const std::function<void(int, int)>& done = {});

}  // namespace lever
