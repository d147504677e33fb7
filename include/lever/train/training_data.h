#pragma once
// The examples `lever train` learns from without a run config: a TensorFlow Playground dataset (its
// multi-class sets, spiral3, rings3 and gauss4, in the form a CSV column of class ids 0..k-1 takes), or a
// numeric CSV table (features imputed and standardized with the training file's statistics, the labels'
// task decided as lever/data/labels.h says, and a share of the training rows held out for early stopping).
//
//   TrainingDataSpec spec;
//   spec.train_file = "train.csv";
//   spec.test_file = "test.csv";
//   spec.label = "price";
//   TrainingData data = LoadTrainingData(spec);   // data.label_decision: "label 'price': ... -> regression"
#include <cstdint>
#include <string>
#include <vector>

#include "lever/data/dataset.h"
#include "lever/data/labels.h"
#include "lever/data/schema.h"
#include "lever/train/holdout_stopping.h"

namespace lever {

struct TrainingDataSpec {
  // A Playground dataset (when train_file is empty): lever/data/playground.h, in the Playground's units.
  std::string dataset = "spiral";
  std::vector<std::string> features{"x1", "x2"};
  double noise = 0.0;           // 0..50
  double train_percent = 50.0;  // 10..90
  int samples = 0;              // 0: the Playground's 500 / 1200

  // A CSV table: every column but the label(s) is a feature.
  std::string train_file, test_file;
  /// No test_file: split train_file's rows at random by `seed`, train_percent of them (10..90) for
  /// training and the rest for testing (`lever train --train-file all.csv --train-percent 80`). Column
  /// types, text values and classes are read from the whole file; missing-value fills, standardization and
  /// the holdout from the training rows only.
  bool split_train_file = false;
  std::string label = "label";  // several, "a,b,c": a multi-label task
  std::string task = "auto";    // auto | binary | multi_class | regression | multi_label
  std::string loss = "auto";    // a loss other than auto implies the task when task is auto
  std::vector<std::string> label_vocabulary;
  std::string positive_class;
  std::string schema;                  // a schema YAML declaring column types; empty: inferred
  std::vector<std::string> na_values;  // texts that mean missing; empty: DefaultMissingValues()
  ColumnTypes column_types;            // --column-type: declared types on top of the schema or the inference
  bool standardize = true;
  double validation_split = 0.1;  // share of the training rows held out; 0: none (and below kMinRowsToHoldOut rows)
  bool hold_out = true;           // false: no holdout (early stopping off)

  uint64_t seed = 1;  // the Playground's points and the holdout's rows
};

struct TrainingData {
  Dataset train, test;
  Dataset holdout;  // training rows held out for early stopping (CSV); empty: none
  /// A Playground dataset's raw (x1, x2) points, train and test rows in order (for plotting); CSV: empty.
  Tensor train_points, test_points;
  bool classification = true;
  std::string default_loss;  // the loss the labels call for
  Index outputs = 1;
  std::string description;           // one line: what the data is
  std::string label_decision;        // CSV, multi-class Playground set: what the labels were read as, and why
  LabelEncoding labels;              // CSV, multi-class Playground set (classes "0".."k-1"): the task and classes
  std::vector<std::string> summary;  // CSV: the data summary's lines
  /// CSV: the text feature columns, each one 0/1 input per training value (then standardized with the rest).
  std::vector<std::string> text_columns;
};

/// Throws ConfigError for knobs out of range (naming them as the CLI's flags), and what the readers throw
/// (lever/data/csv_dataset.h) for the files.
TrainingData LoadTrainingData(const TrainingDataSpec& spec);

}  // namespace lever
