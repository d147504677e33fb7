#include "lever/train/training_data.h"

#include <fmt/core.h>

#include <optional>

#include "lever/data/csv_dataset.h"
#include "lever/data/playground.h"
#include "lever/error.h"
#include "lever/losses/registry.h"

namespace lever {
namespace {

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
  d.default_loss = data.classification ? "sigmoid_cross_entropy" : "mean_squared_error";
  std::string features;
  for (const std::string& f : s.features) features += (features.empty() ? "" : ",") + f;
  d.description = fmt::format("{} ({} train, {} test, noise {}), features {}", s.dataset, data.train.size(),
                              data.test.size(), s.noise, features);
  d.train = std::move(data.train);
  d.test = std::move(data.test);
  return d;
}

TrainingData CsvTrainingData(const TrainingDataSpec& s) {
  if (s.test_file.empty()) {
    throw ConfigError(
        "--train-file needs a --test-file to evaluate on (the held-out examples every reported "
        "metric is measured on)");
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
  CsvDataset test = ReadCsvDataset(s.test_file, train, csv);
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
  d.description = fmt::format("{} ({} train, {} test), {} features{}", s.train_file, train.data.size(),
                              test.data.size(), train.data.num_features(), s.standardize ? " (standardized)" : "");
  d.summary = train.summary.Lines();
  for (const auto& [name, values] : train.categories) {
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
