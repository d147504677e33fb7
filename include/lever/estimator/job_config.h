#pragma once
// A training job described by one YAML file (`lever train --config run.yaml`): data, feature columns,
// estimator, optimizer, training, evaluation and run settings. Every key can be overridden by a
// "key.path=value" string (the CLI's --key.path=value flags, which is how a tuner passes hyperparameters).
//
//   data:        {train: train.csv, eval: test.csv, label: label, schema: schema.yaml, na_values: ["", NA]}
//   estimator:   {type: dnn, hidden_units: [64, 32], optimizer: adam, learning_rate: 0.001}
//   train:       {max_steps: 2000, batch_size: 64}
//   eval:        {every_steps: 200, early_stopping: {metric: loss, goal: minimize, patience_steps: 600}}
//   run:         {model_dir: runs/one, seed: 1, save_checkpoints_steps: 500}
//
// docs/cli.md lists every key. Errors name the file, the line, the key path, the value and what is valid.
#include <optional>
#include <string>
#include <vector>

#include "lever/data/schema.h"
#include "lever/estimator/run_config.h"
#include "lever/tensor/tensor.h"
#include "lever/train/dnn_defaults.h"

namespace lever {

struct JobConfig {
  std::string source;     // the file, for messages
  std::string directory;  // relative paths (data, vocabulary files) are resolved against it
  std::string text;       // the YAML text, for the feature-column lists (with overrides of them applied)
  std::string resolved;   // the whole YAML with every override applied (what an export bundle keeps)

  // data
  std::string train, eval, label = "label";
  /// The label columns: {label}, or data.label's list (a multi-label task; `label` then joins them with ",").
  std::vector<std::string> labels{"label"};
  std::string schema;  // data.schema: a schema YAML (lever/data/schema.h) declaring column types; empty: inferred
  std::optional<std::vector<std::string>> na_values;  // data.na_values: texts that mean missing (default below)
  ColumnTypes column_types;  // data.column_types: {column: type}, declared on top of the schema or the inference
  // estimator
  std::string type = "dnn";   // linear | dnn | wide_and_deep
  std::string head = "auto";  // auto | regression | binary | multi_class (lever/data/labels.h decides "auto")
  std::vector<std::string> label_vocabulary;  // the classes in id order (TensorFlow's label_vocabulary)
  std::string positive_class;                 // binary: the class that is 1 (default: the second sorted value)
  std::vector<Index> hidden_units = dnn_defaults::kHiddenUnits;  // lever/train/dnn_defaults.h
  std::string activation = dnn_defaults::kActivation;
  double dropout = 0.0;
  double l1 = 0.0, l2 = 0.0;  // on the linear (wide) weights
  std::string optimizer = dnn_defaults::kOptimizer;
  double learning_rate = dnn_defaults::kLearningRate;
  std::string linear_optimizer = "ftrl";
  double linear_learning_rate = 0.0;  // 0: min(0.2, 1 / sqrt(columns))
  // feature-column lists present at the top level
  bool feature_columns = false, wide_columns = false, deep_columns = false;
  // train, eval, run
  TrainSpec train_spec;
  /// train.validation_split: the share of the training rows held out for early stopping on their loss
  /// (train.patience checks without a better one stop training; the best check's variables are kept).
  /// 0, fewer than kMinRowsToHoldOut rows, or eval.early_stopping: none.
  double validation_split = 0.1;
  int64_t patience = 30;
  EvalSpec eval_spec;
  std::string early_stopping_metric;  // empty: no early stopping
  bool early_stopping_maximize = false;
  int64_t early_stopping_patience = 0;
  double early_stopping_min_delta = 0.0;
  // eval.export: inference bundles written while training into <model_dir>/export/<strategy>/<step>
  std::string export_strategy;  // empty: none; final | latest | best
  std::string export_metric;    // best: the metric compared (default: early stopping's, else loss)
  bool export_maximize = false;
  int export_keep = 5;
  RunConfig run;
  /// doctor: true (or `lever train --config ... --doctor`): the training doctor watches the job
  /// (lever/doctor/doctor.h; its knobs named as config overrides).
  bool doctor = false;
};

/// Reads `path` and applies `overrides` ("train.max_steps=500"; the value is YAML, so lists like
/// "[64, 32]" work). Throws IoError when the file cannot be read and ConfigError naming file, line, key
/// path and the rule otherwise (an override that names no key says so).
JobConfig LoadJobConfig(const std::string& path, const std::vector<std::string>& overrides = {});

}  // namespace lever
