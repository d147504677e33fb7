#pragma once
// One linear-model job from files to results, what `lever linear` runs: a LIBSVM file (read into memory, or
// streamed from disk when the feature space is given) or a CSV table (schema inferred or declared, feature
// columns from YAML or one per input column, the label decided as DecideLabels does), trained online with
// an optimizer (FTRL by default) or by coordinate descent, then evaluated on a test file.
//
//   LinearJobOptions options;
//   options.train_file = "train.csv";
//   options.test_file = "test.csv";
//   options.label = "clicked";
//   LinearJobResult r = RunLinearJob(options);
//   // r.evaluation.auc, r.nonzero_weights, r.convergence; r.ToJson() is `lever linear --json`'s line
//
// The job prints nothing: progress goes to a LinearProgressFn and the lines a user wants to see before the
// results (the label decision, the feature columns, coordinate descent's sweeps) to an info callback.
// Option names in error messages are the CLI's flags (--label, --solver), since it is the main caller.
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lever/data/bad_rows.h"
#include "lever/data/schema.h"
#include "lever/linear/linear_model.h"
#include "lever/linear/training.h"
#include "lever/optim/convergence.h"
#include "lever/optim/registry.h"

namespace lever {

struct LinearJobOptions {
  std::string train_file;
  std::string test_file;        // empty: no evaluation
  std::string format = "auto";  // auto (.csv, .tsv, gzipped too: csv; otherwise libsvm), libsvm or csv
  // LIBSVM
  int64_t num_features = 0;  // > 0 (online solver): the file is streamed, parsed while training
  bool zero_based = false;   // indices start at 0
  // CSV
  std::string schema;        // schema YAML; empty: inferred from the training file
  std::string na_values;     // comma-separated texts that mean missing; empty: DefaultMissingValues()
  ColumnTypes column_types;  // --column-type: declared types on top of the schema or the inference
  std::string columns;       // feature columns YAML; empty: one column per input column
  std::string label;         // one label column (or the schema's)
  // Model
  /// auto, or a name or alias of the loss registry. auto: CSV labels decide it as `lever train` does
  /// (lever/data/labels.h: two values logistic, a few classes softmax, other numbers squared; several label
  /// columns logistic); LIBSVM is logistic (softmax with classes), and in memory its labels must then be two.
  std::string loss = "auto";
  Index classes = 0;              // softmax: the number of classes (LIBSVM needs it; CSV labels give them)
  std::string solver = "online";  // online (the optimizer, step by step) or cd (coordinate descent)
  OptimizerSpec optimizer{.name = "ftrl", .learning_rate = 0.0};  // online; learning rate 0: the default rule
  double l1 = 0.0;
  double l2 = 0.0;
  std::string l1_scale = "none";  // none or std (ParseL1Scale)
  // Online solver (LinearTrainOptions)
  int64_t batch_size = 0;
  int64_t steps = 0;
  double passes = 0.0;
  int64_t shuffle_buffer = 0;  // streaming: examples held for shuffling
  uint64_t seed = 1;
  // Coordinate descent
  int max_sweeps = 0;  // 0: 20 for the logistic loss, 100 for the squared loss
  double tolerance = 1e-4;
  BadRowPolicy bad_rows;
  int64_t report_every = 0;  // progress every N steps (0: 1000)
  int64_t top = 0;           // the N largest weights go to LinearJobResult::top_weights

  /// Throws ConfigError for an unknown loss, format or solver, a negative learning rate, --classes that do
  /// not fit the loss, a softmax fit by coordinate descent or an unknown L1 scale.
  void Validate() const;
};

struct NamedWeight {
  std::string feature;  // "feature 7" (LIBSVM, as the file numbers it) or FeatureSet::LinearFeatureName
  float weight = 0.0f;
};

struct LinearJobResult {
  std::string loss;            // the canonical loss name (auto: the one the labels decided)
  std::string solver;          // online or cd
  std::string optimizer;       // Optimizer::Describe(); empty for coordinate descent
  int64_t steps = 0;           // optimizer steps, or sweeps of coordinate descent
  int64_t train_examples = 0;  // examples trained on, repeats counted
  int64_t train_rows = -1;     // rows of the training file; -1: not known (a stream stopped before its end)
  BadRowReport train_bad_rows, test_bad_rows;
  double seconds = 0.0;          // end to end: reading, training, evaluating
  double rows_per_second = 0.0;  // (train_examples + test examples) / seconds
  Index nonzero_weights = 0;
  Index weights = 0;                 // features x outputs
  LinearEvaluation evaluation;       // examples == 0: no test file
  std::vector<std::string> classes;  // CSV classification: class id -> label value; multi-label: the label columns
  std::string label_explanation;     // CSV: DecideLabels' explanation
  std::string feature_columns;       // CSV: FeatureSet::Describe()
  Convergence convergence;
  /// Empty when converged; otherwise why not and which flags to change.
  std::string not_converged_reason;
  std::vector<NamedWeight> top_weights;  // the `top` largest nonzero weights, largest first
  std::shared_ptr<LinearModel> model;

  /// `lever linear --json`'s object: steps, train_examples, train_rows (null when not known),
  /// train_skipped_rows, seconds, rows_per_second, nonzero_weights, test_examples, test_skipped_rows,
  /// log_loss, auc, accuracy, rmse, loss, solver, optimizer (null for cd), classes (CSV classification; for
  /// multi-label "labels" and "per_label": {label: {auc, accuracy}}, auc the mean, accuracy subset accuracy) and
  /// convergence {converged, iterations, change, tolerance, reason}.
  nlohmann::json ToJson() const;
  /// The results as `lever linear` prints them: what was trained, the rows skipped (with --skip-bad-rows),
  /// the test figures (multi-label: each label's too) and the largest weights. Ends with "\n".
  std::string Text(const LinearJobOptions& options) const;
};

/// Runs the job. `progress` receives online training's progress every `report_every` steps (none when
/// empty); `info` receives messages (without a trailing newline; a message may hold several lines) the
/// user should see before the results. Throws ConfigError, DataError or IoError.
LinearJobResult RunLinearJob(const LinearJobOptions& options, const LinearProgressFn& progress = {},
                             const std::function<void(const std::string&)>& info = {});

}  // namespace lever
