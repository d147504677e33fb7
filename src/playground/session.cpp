// A playground session: a Playground run trained in slices, and the frames a page draws of it.
#include "lever/playground/session.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "lever/autodiff/graph.h"
#include "lever/data/csv_reader.h"
#include "lever/data/playground.h"
#include "lever/error.h"
#include "lever/io/excerpt.h"
#include "lever/losses/registry.h"

namespace lever {
namespace {

// The points of a size x size grid over the plane, row by row from the top left: (size^2, 2).
Tensor GridPoints(int size, const PlaygroundPlane& plane) {
  Tensor points(static_cast<Index>(size) * size, 2);
  for (int row = 0; row < size; ++row) {
    for (int col = 0; col < size; ++col) {
      const double x = plane.x_min + (plane.x_max - plane.x_min) * (col + 0.5) / size;
      const double y = plane.y_max - (plane.y_max - plane.y_min) * (row + 0.5) / size;
      points(static_cast<Index>(row) * size + col, 0) = static_cast<float>(x);
      points(static_cast<Index>(row) * size + col, 1) = static_cast<float>(y);
    }
  }
  return points;
}

// A table's model inputs over the plane: every input at its training mean but the plane's two.
Tensor TableGrid(const Tensor& points, const Tensor& train_features, const PlaygroundPlane& plane) {
  const Eigen::RowVectorXf mean = train_features.colwise().mean();
  Tensor grid = mean.replicate(points.rows(), 1);
  grid.col(plane.x_input) = points.col(0);
  grid.col(plane.y_input) = points.col(1);
  return grid;
}

// [lo, hi] of two columns' values, widened by a twentieth on each side (a constant column by 1).
std::pair<double, double> Span(const Tensor& a, const Tensor& b, Index column) {
  double lo = a.rows() > 0 ? a(0, column) : 0, hi = lo;
  for (const Tensor* t : {&a, &b}) {
    for (Index i = 0; i < t->rows(); ++i) {
      lo = std::min(lo, static_cast<double>((*t)(i, column)));
      hi = std::max(hi, static_cast<double>((*t)(i, column)));
    }
  }
  const double pad = hi > lo ? (hi - lo) / 20 : 1.0;
  return {lo - pad, hi + pad};
}

// A one-hot input of a text column ("city=NYC") is not a plane's axis; a number column is, "=" in its name
// or not.
bool NumericInput(const std::string& name, const std::vector<std::string>& text_columns) {
  return std::none_of(text_columns.begin(), text_columns.end(),
                      [&name](const std::string& column) { return name.starts_with(column + "="); });
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

PlaygroundSession::PlaygroundSession(TrainingRunSpec spec, PlaygroundLimits limits, PlaygroundPlane plane)
    : spec_(std::move(spec)), limits_(limits), plane_(std::move(plane)) {
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
  const bool table = !spec_.data.train_file.empty();
  if (table && spec_.data.label.find(',') != std::string::npos) {
    throw ConfigError("the playground draws one label column; a multi-label table (--label " + spec_.data.label +
                      ") trains with lever train");
  }
  if (table) {  // the columns, before the data and the model are built for them
    CsvOptions csv;
    if (spec_.data.train_file.ends_with(".tsv")) csv.delimiter = '\t';
    const auto columns = static_cast<int64_t>(CsvReader(spec_.data.train_file, csv).header().size());
    if (columns - 1 > limits_.max_inputs) {
      throw ConfigError(
          fmt::format("the table has {} columns: the playground draws at most {} inputs; leave columns "
                      "out, or train it with lever train",
                      columns, limits_.max_inputs));
    }
  }
  spec_.job_dir.clear();
  spec_.doctor = true;
  spec_.report_to_tuner = false;
  spec_.config.max_steps = limits_.max_steps;  // the doctor's facts; training goes slice by slice
  spec_.config.statistics_every = limits_.statistics_every;
  spec_.config.eval_every = limits_.eval_every;
  run_ = std::make_unique<TrainingRun>(spec_);
  run_->trainer().set_max_steps(0);
  const TrainingData& data = run_->data();
  if (data.labels.task == Task::kMultiLabel) {
    throw ConfigError("the playground draws one label column; a multi-label table trains with lever train");
  }
  if (data.train.num_features() > limits_.max_inputs) {
    throw ConfigError(fmt::format(
        "the table makes {} model inputs (text columns give one per value): the playground draws at most {}; "
        "leave columns out, or train it with lever train",
        data.train.num_features(), limits_.max_inputs));
  }
  if (data.outputs > limits_.max_classes) {
    throw ConfigError(fmt::format("{} classes: the playground draws at most {}; train it with lever train",
                                  data.outputs, limits_.max_classes));
  }
  if (table) {
    const std::vector<std::string>& names = data.train.feature_names;
    std::vector<std::string> numeric;
    for (const std::string& name : names) {
      if (NumericInput(name, data.text_columns)) numeric.push_back(name);
    }
    const auto list = [&numeric] {
      std::string out;
      for (const std::string& n : numeric) out += (out.empty() ? "" : ", ") + n;
      return out.empty() ? std::string("none") : out;
    };
    if (plane_.x.empty() && plane_.y.empty()) {
      if (numeric.size() < 2) {
        throw ConfigError(fmt::format(
            "the playground draws two numeric columns of the table as its plane, and this table has {} ({})",
            numeric.size(), list()));
      }
      plane_.x = numeric[0];
      plane_.y = numeric[1];
    }
    const auto input = [&](const std::string& column, const char* axis) {
      const auto it = std::find(names.begin(), names.end(), column);
      if (column.empty() || it == names.end() || !NumericInput(column, data.text_columns)) {
        throw ConfigError(fmt::format("the plane's {} axis {}: not a numeric input column of the table (they are: {})",
                                      axis, QuoteExcerpt(column), list()));
      }
      return static_cast<Index>(it - names.begin());
    };
    plane_.x_input = input(plane_.x, "x");
    plane_.y_input = input(plane_.y, "y");
    if (plane_.x_input == plane_.y_input) throw ConfigError("the plane's x and y axes are the same column");
    std::tie(plane_.x_min, plane_.x_max) = Span(data.train.features, data.test.features, plane_.x_input);
    std::tie(plane_.y_min, plane_.y_max) = Span(data.train.features, data.test.features, plane_.y_input);
    if (!data.classification) std::tie(label_min_, label_max_) = Span(data.train.labels, data.train.labels, 0);
    boundary_features_ = TableGrid(GridPoints(limits_.boundary_grid, plane_), data.train.features, plane_);
    neuron_features_ = TableGrid(GridPoints(limits_.neuron_grid, plane_), data.train.features, plane_);
  } else {
    plane_ = {.x = "x1", .y = "x2", .x_min = -kDomain, .x_max = kDomain, .y_min = -kDomain, .y_max = kDomain};
    boundary_features_ = PlaygroundFeatures(GridPoints(limits_.boundary_grid, plane_), spec_.data.features);
    neuron_features_ = PlaygroundFeatures(GridPoints(limits_.neuron_grid, plane_), spec_.data.features);
  }
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
  const TrainingData& data = run_->data();
  const bool table = !spec_.data.train_file.empty();
  const Index x = table ? plane_.x_input : 0, y = table ? plane_.y_input : 1;
  const auto rows = [&](const Tensor& points, const Tensor& labels) {
    nlohmann::json out = nlohmann::json::array();
    const Index every = std::max<Index>(1, (points.rows() + kMaxPoints - 1) / kMaxPoints);
    for (Index i = 0; i < points.rows(); i += every) out.push_back({points(i, x), points(i, y), labels(i, 0)});
    return out;
  };
  const bool multi_class = data.labels.task == Task::kMultiClass;
  nlohmann::json out = {
      {"classification", data.classification},
      {"classes", multi_class           ? data.outputs
                  : data.classification ? 2
                                        : 0},
      {"x", {{"name", plane_.x}, {"min", plane_.x_min}, {"max", plane_.x_max}}},
      {"y", {{"name", plane_.y}, {"min", plane_.y_min}, {"max", plane_.y_max}}},
      {"label_range", {label_min_, label_max_}},
      {"rows", {{"train", data.train.size()}, {"test", data.test.size()}}},
      {"train", table ? rows(data.train.features, data.train.labels) : rows(data.train_points, data.train.labels)},
      {"test", table ? rows(data.test.features, data.test.labels) : rows(data.test_points, data.test.labels)}};
  nlohmann::json names = nlohmann::json::array();
  for (const std::string& name : data.labels.classes) names.push_back(name);
  out["class_names"] = names;
  return out;
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
  // The output over the plane: a binary classifier's probability as 2p - 1, a regression's value over the
  // labels' range; a multi-class one's most likely class and its probability.
  const Tensor boundary = trainer.Predict(boundary_features_);
  std::vector<uint8_t> bytes(static_cast<size_t>(boundary.rows()));
  if (run_->data().labels.task == Task::kMultiClass) {
    std::vector<uint8_t> classes(bytes.size());
    const double chance = 1.0 / static_cast<double>(boundary.cols());
    for (Index i = 0; i < boundary.rows(); ++i) {
      Index best = 0;
      const double p = boundary.row(i).maxCoeff(&best);
      classes[static_cast<size_t>(i)] = static_cast<uint8_t>(std::min<Index>(best, 255));
      bytes[static_cast<size_t>(i)] = Byte(2 * (p - chance) / (1 - chance) - 1);
    }
    frame["boundary"] = Grid(limits_.boundary_grid, bytes);
    frame["boundary"]["classes"] = Base64(classes);
  } else {
    for (Index i = 0; i < boundary.rows(); ++i) {
      const double v = boundary(i, 0);
      bytes[static_cast<size_t>(i)] =
          Byte(classification ? 2 * v - 1 : 2 * (v - label_min_) / (label_max_ - label_min_) - 1);
    }
    frame["boundary"] = Grid(limits_.boundary_grid, bytes);
  }
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
  if (step() == 0 && !diverged()) {
    return {
        {"healthy", true}, {"summary", "not trained yet: press play"}, {"findings", nlohmann::ordered_json::array()}};
  }
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
