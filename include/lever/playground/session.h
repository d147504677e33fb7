#pragma once
// One training session of `lever playground` (docs/playground.md): a flag-driven `lever train` run on a
// Playground dataset, trained in slices between the frames a page draws. Each frame holds the losses, the
// decision boundary over the plane and every hidden unit's output as small grids, the doctor's findings
// and whether the run diverged. Trained in slices, the run takes the same steps as `lever train` with the
// same flags and `--steps` at the frame's step: the weights are the same bit for bit.
//
//   PlaygroundSession session(spec, {});
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
  int boundary_grid = 100;  // the decision boundary's cells per side
  int neuron_grid = 24;     // a hidden unit's cells per side
  int64_t statistics_every = 1000;
  int64_t eval_every = 500;
};

class PlaygroundSession {
 public:
  /// `spec` is a flag-driven run on a Playground dataset (no CSV table, no job directory); the doctor is
  /// turned on. Throws ConfigError for knobs beyond `limits` and what TrainingRun throws.
  PlaygroundSession(TrainingRunSpec spec, PlaygroundLimits limits);
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

  /// The dataset's points in the plane with their labels: {"classification", "domain", "train": [[x1, x2,
  /// label], ...], "test": [...]}.
  nlohmann::json Points() const;
  /// {"step", "train_loss", "test_loss", ("train_accuracy", "test_accuracy"), "boundary": {"size",
  /// "values"}, "neurons": [{"layer", "size", "units": [values, ...]}], "diverged", "at_limit"}; a grid's
  /// values are bytes in base64, row by row from the top (x2 = +domain) and left (x1 = -domain), 0..255 for
  /// the output's -1..1 (a classifier's probability p as 2p - 1, a unit's tanh/sigmoid/ReLU clamped).
  nlohmann::json Frame();
  /// The doctor's findings so far, most likely first, as doctor.json holds them ({"healthy", "summary",
  /// "findings": [...]}).
  nlohmann::ordered_json Findings() const;

  /// The Playground's plane: points and grids span [-domain, domain] on both axes.
  static constexpr double kDomain = 6.0;

 private:
  TrainingRunSpec spec_;
  PlaygroundLimits limits_;
  std::unique_ptr<TrainingRun> run_;
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
