#pragma once
// One training session of `lever playground` (docs/playground.md): a flag-driven `lever train` run on a
// Playground dataset or a CSV table, trained in slices between the frames a page draws. Each frame holds the losses,
// the decision boundary over the plane and every hidden unit's output as small grids, the doctor's findings and whether
// the run diverged. Trained in slices, the run takes the same steps as `lever train` with the same flags and `--steps`
// at the frame's step: the weights are the same bit for bit.
//
//   PlaygroundSession session(spec, {});            // a table: PlaygroundSession(spec, {}, {"age", "income"})
//   session.Advance(500);                             // up to 500 more steps
//   nlohmann::json frame = session.Frame();          // what the page draws
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lever/train/training_run.h"

namespace lever {

/// What one session may use; the server's limits (a request beyond them is a ConfigError naming them).
struct PlaygroundLimits {
  int64_t max_steps = 2'000'000;  // a session pauses here (the doctor keeps every step's loss)
  int64_t max_units = 256;        // per hidden layer
  int64_t max_layers = 12;
  int64_t max_batch_size = 1000;
  int64_t max_inputs = 500;   // a table's model inputs (each a column of the boundary's grid)
  int64_t max_classes = 255;  // a multi-class boundary holds a class id per cell in a byte
  int boundary_grid = 100;    // the decision boundary's cells per side
  int neuron_grid = 24;       // a hidden unit's cells per side
  int64_t statistics_every = 1000;
  int64_t eval_every = 500;
};

/// The plane a session draws. A Playground dataset's is (x1, x2) over [-6, 6]; a CSV table's is two of
/// the model's inputs (numeric columns, standardized unless --no-standardize) over the range of their
/// values, the other inputs held at their training mean.
struct PlaygroundPlane {
  std::string x, y;  // a table's input columns; empty: the first two numeric ones
  double x_min = 0, x_max = 0, y_min = 0, y_max = 0;
  Index x_input = 0, y_input = 1;  // their places among the model's inputs
};

class PlaygroundSession {
 public:
  /// `spec` is a flag-driven run on a Playground dataset or a CSV table (binary, multi-class or regression;
  /// no job directory); the doctor is turned on. A table's `plane` names the two input columns drawn.
  /// Throws ConfigError for knobs beyond `limits`, a multi-label table, a plane column that is not a
  /// numeric input, and what TrainingRun throws.
  PlaygroundSession(TrainingRunSpec spec, PlaygroundLimits limits, PlaygroundPlane plane = {});
  ~PlaygroundSession();
  PlaygroundSession(const PlaygroundSession&) = delete;
  PlaygroundSession& operator=(const PlaygroundSession&) = delete;

  /// Trains up to `steps` more steps (fewer at the step limit). A loss that becomes NaN or infinite
  /// stops the session: diverged() then, and the doctor's findings say why. Returns the steps taken.
  int64_t Advance(int64_t steps);
  int64_t step() const;
  int64_t batch_size() const { return spec_.config.batch_size; }
  int64_t train_rows() const { return run_->data().train.size(); }
  bool diverged() const { return diverged_at_ >= 0; }
  bool at_limit() const { return step() >= limits_.max_steps; }

  /// The dataset's points in the plane with their labels: {"classification", "classes" (2 for binary, k for
  /// multi-class, 0 for regression), "class_names", "x": {"name", "min", "max"}, "y": {...}, "label_range"
  /// ([lo, hi]: a regression's colour scale), "train": [[x, y, label], ...], "test": [...], "rows": {"train",
  /// "test"}}; at most kMaxPoints points per set are sent (every n-th row).
  nlohmann::json Points() const;
  /// {"step", "train_loss", "test_loss", ("train_accuracy", "test_accuracy"), "boundary": {"size",
  /// "values", ("classes")}, "neurons": [{"layer", "size", "units": [values, ...]}], "diverged",
  /// "at_limit"}; a grid's values are bytes in base64, row by row from the top (y = max) and left (x = min),
  /// 0..255 for -1..1: a binary classifier's probability p as 2p - 1, a regression's value over
  /// label_range, a unit's tanh/sigmoid/ReLU clamped. A multi-class boundary's "classes" are each cell's
  /// most likely class id (one byte each) and its "values" that class's probability from 1/k (0) to 1 (255).
  nlohmann::json Frame();
  /// The doctor's findings so far, most likely first, as doctor.json holds them ({"healthy", "summary",
  /// "findings": [...]}).
  nlohmann::ordered_json Findings() const;

  const PlaygroundPlane& plane() const { return plane_; }
  /// The run (for exports: lever/train/run_export.h).
  TrainingRun& run() { return *run_; }

  /// The Playground's plane: points and grids span [-domain, domain] on both axes.
  static constexpr double kDomain = 6.0;
  static constexpr Index kMaxPoints = 2000;

 private:
  TrainingRunSpec spec_;
  PlaygroundLimits limits_;
  PlaygroundPlane plane_;
  std::unique_ptr<TrainingRun> run_;
  double label_min_ = -1, label_max_ = 1;  // a regression's colour scale
  Tensor boundary_features_, neuron_features_;
  /// The last slice's final evaluation (Train's, the figures `lever train` prints) and its step.
  EvalMetrics train_metrics_, test_metrics_;
  int64_t metrics_step_ = -1;
  class Taps;
  std::unique_ptr<Taps> taps_;
  int64_t diverged_at_ = -1;
};

/// Bytes as base64 (RFC 4648, with padding).
std::string Base64(const std::vector<uint8_t>& bytes);

}  // namespace lever
