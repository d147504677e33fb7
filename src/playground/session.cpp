// A playground session: a Playground run trained in slices, and the frames a page draws of it.
#include "lever/playground/session.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "lever/autodiff/graph.h"
#include "lever/data/playground.h"
#include "lever/error.h"
#include "lever/losses/registry.h"

namespace lever {
namespace {

// The points of a size x size grid over the plane, row by row from the top left: (size^2, 2).
Tensor GridPoints(int size, double domain) {
  Tensor points(static_cast<Index>(size) * size, 2);
  for (int row = 0; row < size; ++row) {
    for (int col = 0; col < size; ++col) {
      const double x1 = -domain + 2 * domain * (col + 0.5) / size;
      const double x2 = domain - 2 * domain * (row + 0.5) / size;
      points(static_cast<Index>(row) * size + col, 0) = static_cast<float>(x1);
      points(static_cast<Index>(row) * size + col, 1) = static_cast<float>(x2);
    }
  }
  return points;
}

// -1..1 as 0..255 (clamped; NaN as the middle).
uint8_t Byte(double v) {
  if (!std::isfinite(v)) return 128;
  return static_cast<uint8_t>(std::lround((std::clamp(v, -1.0, 1.0) + 1.0) * 127.5));
}

nlohmann::json Grid(int size, const std::vector<uint8_t>& bytes) { return {{"size", size}, {"values", Base64(bytes)}}; }

// A finite number, or null (a diverged loss).
nlohmann::json Number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

}  // namespace

std::string Base64(const std::vector<uint8_t>& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const uint32_t a = bytes[i], b = i + 1 < bytes.size() ? bytes[i + 1] : 0,
                   c = i + 2 < bytes.size() ? bytes[i + 2] : 0;
    const uint32_t triple = (a << 16) | (b << 8) | c;
    out += kAlphabet[(triple >> 18) & 63];
    out += kAlphabet[(triple >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(triple >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[triple & 63] : '=';
  }
  return out;
}

// An inference graph of the model that records every layer's activation: the hidden units' outputs on the
// neuron grid.
class PlaygroundSession::Taps {
 public:
  explicit Taps(Sequential& model) : graph_(0), output_layer_(model.layers().back()->name()) {
    graph_.set_training(false);
    input_ = graph_.Input("features", {0, model.input_units()});
    output_ = model.Apply(input_, LayerContext{false, &taps_});
  }
  // Each hidden layer's activations on `features` (the output layer's left out).
  std::vector<std::pair<std::string, Tensor>> Outputs(const Tensor& features) {
    graph_.FeedBuffer(input_, features.rows()) = features;
    graph_.Forward(output_);
    std::vector<std::pair<std::string, Tensor>> out;
    for (const ActivationTap& tap : taps_) {
      if (tap.layer != output_layer_) out.emplace_back(tap.layer, tap.output.value());
    }
    return out;
  }

 private:
  Graph graph_;
  std::string output_layer_;
  Var input_, output_;
  std::vector<ActivationTap> taps_;
};

PlaygroundSession::PlaygroundSession(TrainingRunSpec spec, PlaygroundLimits limits)
    : spec_(std::move(spec)), limits_(limits) {
  if (!spec_.data.train_file.empty())
    throw ConfigError("the playground trains on a Playground dataset, not a CSV table");
  if (static_cast<int64_t>(spec_.mlp.hidden.size()) > limits_.max_layers) {
    throw ConfigError(
        fmt::format("{} hidden layers: the playground allows at most {}", spec_.mlp.hidden.size(), limits_.max_layers));
  }
  for (const Index units : spec_.mlp.hidden) {
    if (units > limits_.max_units) {
      throw ConfigError(
          fmt::format("a hidden layer of {} units: the playground allows at most {}", units, limits_.max_units));
    }
  }
  if (spec_.config.batch_size > limits_.max_batch_size) {
    throw ConfigError(fmt::format("batch size {}: the playground allows at most {}", spec_.config.batch_size,
                                  limits_.max_batch_size));
  }
  spec_.job_dir.clear();
  spec_.doctor = true;
  spec_.report_to_tuner = false;
  spec_.config.max_steps = limits_.max_steps;  // the doctor's facts; training goes slice by slice
  spec_.config.statistics_every = limits_.statistics_every;
  spec_.config.eval_every = limits_.eval_every;
  run_ = std::make_unique<TrainingRun>(spec_);
  run_->trainer().set_max_steps(0);
  boundary_features_ = PlaygroundFeatures(GridPoints(limits_.boundary_grid, kDomain), spec_.data.features);
  neuron_features_ = PlaygroundFeatures(GridPoints(limits_.neuron_grid, kDomain), spec_.data.features);
  taps_ = std::make_unique<Taps>(run_->model());
}

PlaygroundSession::~PlaygroundSession() = default;

int64_t PlaygroundSession::step() const { return run_->trainer().step(); }

int64_t PlaygroundSession::Advance(int64_t steps) {
  if (diverged() || steps <= 0) return 0;
  Trainer& trainer = run_->trainer();
  const int64_t from = trainer.step();
  const int64_t to = std::min(limits_.max_steps, from + steps);
  if (to <= from) return 0;
  trainer.set_max_steps(to);
  try {
    const TrainResult result = trainer.Train(run_->data().train, &run_->data().test);
    if (result.validation) {  // Train ends with both sets' evaluation: the frame need not repeat it
      train_metrics_ = result.train;
      test_metrics_ = *result.validation;
      metrics_step_ = trainer.step();
    }
  } catch (const DivergenceError& e) {
    diverged_at_ = e.step();
    run_->mutable_doctor()->Diverged(e.step());
  }
  return trainer.step() - from;
}

nlohmann::json PlaygroundSession::Points() const {
  const auto rows = [](const Tensor& points, const Tensor& labels) {
    nlohmann::json out = nlohmann::json::array();
    for (Index i = 0; i < points.rows(); ++i) out.push_back({points(i, 0), points(i, 1), labels(i, 0)});
    return out;
  };
  const TrainingData& data = run_->data();
  return {{"classification", data.classification},
          {"domain", kDomain},
          {"train", rows(data.train_points, data.train.labels)},
          {"test", rows(data.test_points, data.test.labels)}};
}

nlohmann::json PlaygroundSession::Frame() {
  Trainer& trainer = run_->trainer();
  nlohmann::json frame = {{"step", trainer.step()}, {"diverged", diverged()}, {"at_limit", at_limit()}};
  if (diverged()) {
    frame["diverged_at"] = diverged_at_;
    return frame;
  }
  if (metrics_step_ != trainer.step()) {  // no slice ended here yet (a new run at step 0)
    train_metrics_ = trainer.Evaluate(run_->data().train);
    test_metrics_ = trainer.Evaluate(run_->data().test);
    metrics_step_ = trainer.step();
  }
  const EvalMetrics& train = train_metrics_;
  const EvalMetrics& test = test_metrics_;
  const bool classification = run_->data().classification;
  frame["train_loss"] = Number(train.loss);
  frame["test_loss"] = Number(test.loss);
  if (classification) {
    frame["train_accuracy"] = Number(train.accuracy);
    frame["test_accuracy"] = Number(test.accuracy);
  }
  // The output over the plane: a classifier's probability as 2p - 1, a regression's value.
  const Tensor boundary = trainer.Predict(boundary_features_);
  std::vector<uint8_t> bytes(static_cast<size_t>(boundary.rows()));
  for (Index i = 0; i < boundary.rows(); ++i) {
    const double v = boundary(i, 0);
    bytes[static_cast<size_t>(i)] = Byte(classification ? 2 * v - 1 : v);
  }
  frame["boundary"] = Grid(limits_.boundary_grid, bytes);
  nlohmann::json neurons = nlohmann::json::array();
  for (const auto& [layer, values] : taps_->Outputs(neuron_features_)) {
    nlohmann::json units = nlohmann::json::array();
    for (Index u = 0; u < values.cols(); ++u) {
      std::vector<uint8_t> unit(static_cast<size_t>(values.rows()));
      for (Index i = 0; i < values.rows(); ++i) unit[static_cast<size_t>(i)] = Byte(values(i, u));
      units.push_back(Base64(unit));
    }
    neurons.push_back({{"layer", layer}, {"size", limits_.neuron_grid}, {"units", units}});
  }
  frame["neurons"] = neurons;
  return frame;
}

nlohmann::ordered_json PlaygroundSession::Findings() const {
  const Doctor& doctor = *run_->doctor();
  const std::vector<Finding> findings = doctor.Diagnose();
  nlohmann::ordered_json out = {{"healthy", findings.empty()}};
  out["summary"] = findings.empty() ? doctor.HealthySummary() : findings.front().evidence;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Finding& f : findings) list.push_back(f.ToJson());
  out["findings"] = list;
  return out;
}

}  // namespace lever
