#include "lever/train/training_data.h"

#include <fmt/core.h>

#include <algorithm>
#include <optional>

#include "lever/data/csv_dataset.h"
#include "lever/data/playground.h"
#include "lever/error.h"
#include "lever/losses/registry.h"

namespace lever {
namespace {

// An explicit --loss against the task the labels were given (or told) to be: the pairs that cannot train
// are refused here, by the flags' names, before the loss meets labels of the wrong shape.
void CheckLossFitsTask(const std::string& loss, Task task) {
  const bool fits = loss == "sigmoid_cross_entropy"          ? task != Task::kMultiClass
                    : loss == "sparse_softmax_cross_entropy" ? task == Task::kMultiClass
                    : loss == "softmax_cross_entropy"        ? task == Task::kMultiLabel
                                                             : task != Task::kMultiClass;
  if (fits) return;
  const std::string what = fmt::format("--loss {} does not fit a {} task", loss, TaskName(task));
  if (loss == "softmax_cross_entropy") {
    throw ConfigError(what +
                      ": it takes one 0/1 label column per class (--label a,b,c). For one column of class "
                      "ids use --loss sparse_softmax_cross_entropy, or leave --loss out");
  }
  throw ConfigError(what + ": " +
                    (task == Task::kMultiClass ? "one class id per row takes --loss sparse_softmax_cross_entropy"
                                               : "sparse_softmax_cross_entropy takes class ids 0..k-1 (--task "
                                                 "multi_class)") +
                    "; or leave --loss out and lever picks the loss that fits the labels");
}

// A multi-class Playground set (spiral3, rings3, gauss4) takes the form a CSV column of class ids 0..k-1
// takes: the same task, classes, loss, outputs and decision line, so everything after the data (the
// evaluation, result.json, the report) treats both alike. An explicit --loss that does not fit is refused as
// it is for such a table.
void SetMultiClassLabels(const TrainingDataSpec& s, int classes, TrainingData& d) {
  if (s.loss != "auto") CheckLossFitsTask(CanonicalLossName(s.loss), Task::kMultiClass);
  d.labels.column = "label";
  d.labels.task = Task::kMultiClass;
  for (int id = 0; id < classes; ++id) d.labels.classes.push_back(std::to_string(id));
  d.labels.explanation = fmt::format("labels: {}'s class ids 0..{} -> {}, {} classes", s.dataset, classes - 1,
                                     TaskName(Task::kMultiClass), classes);
  d.label_decision = d.labels.explanation;
  d.default_loss = d.labels.DefaultLoss();
  d.outputs = d.labels.Outputs();
}

TrainingData PlaygroundTrainingData(const TrainingDataSpec& s) {
  if (!(s.noise >= 0 && s.noise <= 50))
    throw ConfigError(fmt::format("--noise is the Playground's 0-50 scale, got {}", s.noise));
  if (!(s.train_percent >= 10 && s.train_percent <= 90)) {
    throw ConfigError(fmt::format("--train-percent must be in 10..90 (the Playground's ratio of training data), got {}",
                                  s.train_percent));
  }
  PlaygroundSpec spec;
  spec.dataset = s.dataset;
  spec.features = s.features;
  spec.noise = s.noise / 100.0;
  spec.train_ratio = s.train_percent / 100.0;
  spec.num_samples = s.samples;
  spec.seed = s.seed;
  PlaygroundData data = MakePlaygroundData(spec);
  TrainingData d;
  d.classification = data.classification;
  if (data.classes > 2) {
    SetMultiClassLabels(s, data.classes, d);
  } else {  // the binary sets' labels 0/1 and the regression targets need no decision
    d.default_loss = data.classification ? "sigmoid_cross_entropy" : "mean_squared_error";
  }
  std::string features;
  for (const std::string& f : s.features) features += (features.empty() ? "" : ",") + f;
  d.description = fmt::format("{} ({} train, {} test, noise {}), features {}", s.dataset, data.train.size(),
                              data.test.size(), s.noise, features);
  d.train = std::move(data.train);
  d.test = std::move(data.test);
  d.train_points = std::move(data.train_points);
  d.test_points = std::move(data.test_points);
  return d;
}

// --loss sigmoid_cross_entropy on labels passed as they are (--task regression): each must be a probability.
// The first that is not is named by file, line and column, not by the loss's row in a batch.
void CheckProbabilityLabels(const CsvDataset& data, const std::string& path) {
  const Tensor& y = data.data.labels;
  for (Index i = 0; i < y.rows(); ++i) {
    const float v = y(i, 0);
    if (v >= 0.0f && v <= 1.0f) continue;
    const auto row = static_cast<size_t>(i);
    throw DataError(fmt::format(
        "{}:{}: label column '{}' is {}, but --loss sigmoid_cross_entropy takes labels in [0, 1] (0 or 1, or a "
        "probability), and --task regression passes them as they are. Leave out --task regression (two values are "
        "then encoded as 0 and 1), or fix the row",
        path, row < data.lines.size() ? data.lines[row] : i + 2, data.labels.column, FormatValue(v)));
  }
}

// --train-file without --test-file: moves (100 - train_percent)% of `table`'s rows, drawn by `seed`, into the
// returned test table (same schema, labels and text values); the rest keep their order in `table`.
CsvDataset SplitTestRows(CsvDataset& table, double train_percent, uint64_t seed) {
  const Index n = table.data.size();
  if (n < 2) {
    throw DataError(
        fmt::format("--train-percent splits --train-file's rows into training and test rows, but it has "
                    "{} row{}; give more rows, or a --test-file",
                    n, n == 1 ? "" : "s"));
  }
  const std::vector<bool> is_test = RowSplitMask(n, 1.0 - train_percent / 100.0, seed, kTestSplitStream);
  CsvDataset test;
  test.schema = table.schema;
  test.labels = table.labels;
  test.categories = table.categories;
  Dataset rest;
  for (Dataset* d : {&rest, &test.data}) {
    const auto rows = static_cast<Index>(std::count(is_test.begin(), is_test.end(), d == &test.data));
    d->feature_names = table.data.feature_names;
    d->features.resize(rows, table.data.features.cols());
    d->labels.resize(rows, table.data.labels.cols());
  }
  std::vector<int64_t> rest_lines;
  Index at_rest = 0, at_test = 0;
  for (Index r = 0; r < n; ++r) {
    const bool to_test = is_test[static_cast<size_t>(r)];
    Dataset& d = to_test ? test.data : rest;
    Index& at = to_test ? at_test : at_rest;
    d.features.row(at) = table.data.features.row(r);
    d.labels.row(at) = table.data.labels.row(r);
    ++at;
    if (static_cast<size_t>(r) < table.lines.size()) (to_test ? test.lines : rest_lines).push_back(table.lines[r]);
  }
  table.data = std::move(rest);
  table.lines = std::move(rest_lines);
  return test;
}

TrainingData CsvTrainingData(const TrainingDataSpec& s) {
  if (s.test_file.empty() && !s.split_train_file) {
    throw ConfigError(
        "--train-file needs a --test-file to evaluate on (the held-out examples every reported "
        "metric is measured on), or --train-percent P to split its rows: P percent for training, the rest for "
        "testing, drawn by --seed");
  }
  if (s.test_file.empty() && !(s.train_percent >= 10 && s.train_percent <= 90)) {
    throw ConfigError(fmt::format(
        "--train-percent must be in 10..90 (the share of --train-file's rows trained on), got {}", s.train_percent));
  }
  if (!(s.validation_split >= 0.0 && s.validation_split < 1.0)) {
    throw ConfigError(
        fmt::format("--validation-split is a share of the training rows in [0, 1), got {}", s.validation_split));
  }
  CsvOptions csv;
  if (s.train_file.ends_with(".tsv")) csv.delimiter = '\t';
  const std::vector<std::string> na_values = s.na_values.empty() ? DefaultMissingValues() : s.na_values;
  std::optional<Schema> declared;
  if (!s.schema.empty()) {
    declared = LoadSchema(s.schema);
    if (!s.na_values.empty()) declared->missing_values = na_values;
  }
  LabelOptions label_options;
  label_options.task = s.task;
  // A loss names the task when the task does not.
  const std::string loss = s.loss == "auto" ? "auto" : CanonicalLossName(s.loss);
  if (s.task == "auto" && loss != "auto") {
    label_options.task = loss == "sigmoid_cross_entropy"          ? "binary"
                         : loss == "sparse_softmax_cross_entropy" ? "multi_class"
                         : IsClassificationLoss(loss)             ? "auto"
                                                                  : "regression";
  }
  label_options.vocabulary = s.label_vocabulary;
  label_options.positive_class = s.positive_class;
  CsvDataset train = ReadCsvDataset(s.train_file, s.label, declared ? &*declared : nullptr, csv, {}, label_options,
                                    na_values, s.column_types);
  CsvDataset test =
      s.test_file.empty() ? SplitTestRows(train, s.train_percent, s.seed) : ReadCsvDataset(s.test_file, train, csv);
  const std::string& test_file = s.test_file.empty() ? s.train_file : s.test_file;
  if (loss != "auto") CheckLossFitsTask(loss, train.labels.task);
  if (loss == "sigmoid_cross_entropy" && train.labels.task == Task::kRegression) {
    CheckProbabilityLabels(train, s.train_file);
    CheckProbabilityLabels(test, test_file);
  }
  // Missing values take the training mean, in the training and the test file alike.
  const Imputer imputer = Imputer::Fit(train.data);
  imputer.Apply(train.data.features);
  imputer.Apply(test.data.features);
  imputer.Describe(train.summary);
  if (s.standardize) {
    const Standardizer z = Standardizer::Fit(train.data.features);
    z.Apply(train.data.features);
    z.Apply(test.data.features);
  }
  TrainingData d;
  d.labels = train.labels;
  d.classification = train.labels.task != Task::kRegression;
  d.default_loss = train.labels.DefaultLoss();
  d.outputs = train.labels.Outputs();
  d.label_decision = train.labels.explanation;
  d.description =
      fmt::format("{} ({} train, {} test{}), {} features{}", s.train_file, train.data.size(), test.data.size(),
                  s.test_file.empty() ? fmt::format(": a {}% split by seed {}", s.train_percent, s.seed) : "",
                  train.data.num_features(), s.standardize ? " (standardized)" : "");
  d.summary = train.summary.Lines();
  for (const auto& [name, values] : train.categories) {
    d.text_columns.push_back(name);
    d.summary.push_back("column '" + name + "': text, " + std::to_string(values.size()) + " values -> " +
                        std::to_string(values.size()) + " inputs of 0/1 (" + name + "=" + values.front() +
                        ", ...; a missing or unseen value: all 0)");
  }
  // Too few rows to spare any: no holdout (and so no early stopping) below kMinRowsToHoldOut.
  if (s.hold_out && s.validation_split > 0.0 && train.data.size() >= kMinRowsToHoldOut) {
    auto [rest, holdout] = SplitHoldout(train.data, s.validation_split, s.seed);
    d.train = std::move(rest);
    d.holdout = std::move(holdout);
  } else {
    d.train = std::move(train.data);
  }
  d.test = std::move(test.data);
  return d;
}

}  // namespace

TrainingData LoadTrainingData(const TrainingDataSpec& spec) {
  return spec.train_file.empty() ? PlaygroundTrainingData(spec) : CsvTrainingData(spec);
}

}  // namespace lever
