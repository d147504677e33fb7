#pragma once
// A run config (lever/estimator/job_config.h) made into a model: the training file's schema, the feature
// columns fitted on it, the head its labels call for, and the canned estimator over them. `lever train
// --config`, `lever eval`, `lever predict` and `lever export` work through it; so can a program:
//
//   Job job = PrepareJob(LoadJobConfig("run.yaml"));
//   TrainAndEvaluate(*job.estimator, job.TrainExamples(), job.Read(job.config.eval, true),
//                    job.config.train_spec, job.config.eval_spec);
//   ExportBundle(job, "bundle");                  // lever/estimator/bundle.h
//   Job served = LoadBundle("bundle");            // no training file needed
//   Tensor p = served.estimator->Predict(served.Read("new.csv", false));
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lever/data/labels.h"
#include "lever/data/schema.h"
#include "lever/data/table.h"
#include "lever/estimator/canned.h"
#include "lever/estimator/job_config.h"
#include "lever/features/column_source.h"
#include "lever/io/state.h"

namespace lever {

struct Job {
  JobConfig config;
  Schema schema;                           // the training file's columns, label included
  std::unique_ptr<FeatureSet> wide, deep;  // either may be null (linear: wide only; dnn: deep only)
  LabelEncoding labels;  // the task and classes, decided from the training file (or read from a bundle)
  HeadPtr head;
  std::unique_ptr<Estimator> estimator;
  /// The training table and its labels (empty in a job loaded from a bundle).
  Table train;
  Tensor train_labels;
  /// Regression: the training targets' mean and standard deviation the head trains in (identity for
  /// classification); a bundle carries it.
  TargetScale target_scale;
  /// What the training file holds (rows; per column type, missing share, distinct texts, the fill of
  /// missing numbers), for the CLI to print before training; empty in a job loaded from a bundle.
  TableSummary summary;
  /// What the default feature columns made of each text column (MaterializeDefaultColumns), for the CLI.
  std::vector<std::string> column_notes;
  /// A job from LoadTrainedJob: the step of the newest good checkpoint (the one its estimator restores),
  /// and the newer checkpoints skipped as unusable on the way, each message naming the file and what is
  /// wrong, for the caller to report: its predictions then come from an older step than the newest.
  int64_t checkpoint_step = -1;
  std::vector<std::string> checkpoint_problems;

  /// Examples of a CSV file read with the training schema: with labels, or (with_labels false) without
  /// the label column, which may then be absent from the file. Throws DataError / IoError naming the file.
  Examples Read(const std::string& path, bool with_labels) const;
  /// Examples of a table that has the schema's columns (targets: rows x 1, or rows x 0 for none).
  Examples Make(const Table& table, const std::string& file, Tensor targets) const;
  /// The training examples (a job from PrepareJob).
  Examples TrainExamples() const;
  /// The head as the run config names it ("regression", "binary", "multi_class") and its outputs.
  std::string HeadKind() const;
};

/// Reads the training file (column types from config.schema, or inferred from every row; missing values
/// are config.na_values or the defaults), builds the feature columns the
/// config lists (every column but the label as a standardized number when it lists none) and fits them
/// on it, decides the label encoding (lever/data/labels.h: estimator.head, or "auto" from the labels) and
/// its head, and builds the estimator on
/// config.run. Throws ConfigError / DataError / IoError naming the file and what is wrong.
Job PrepareJob(JobConfig config);

/// The label options a run config gives: estimator.head as the task, estimator.label_vocabulary and
/// estimator.positive_class (lever/data/labels.h decides the rest from the training file).
LabelOptions JobLabelOptions(const JobConfig& config);

/// The head for a label encoding: binary, multi_class with one output per class, or regression trained
/// on targets standardized by `scale` (lever/losses/target_scale.h).
HeadPtr MakeJobHead(const LabelEncoding& labels, const TargetScale& scale = {});

/// Every column of `schema` but the labels as a standardized numeric column (a job whose config lists no
/// feature columns). Throws ConfigError naming `file` and a text column.
FeatureSet NumericFeatureColumns(const Schema& schema, const std::vector<std::string>& labels, const std::string& file);

/// Text columns beyond this many distinct training values are hashed by the default columns.
inline constexpr size_t kMaxDefaultVocabulary = 10000;

/// A linear or dnn job whose config lists no feature columns and whose training table has text feature
/// columns: writes the default columns into the config (`config.text`, `config.resolved`, feature_columns
/// set), so checkpoints, eval, predict and bundles rebuild the same ones. Numbers are `numeric`; a text
/// column is `categorical` over its training values with one out-of-vocabulary bucket (missing and unseen
/// values; hashed beyond kMaxDefaultVocabulary values), wrapped in an `embedding` of the default dimension
/// for a dnn. Returns one line per text column saying what it became; nothing (and no change) otherwise.
std::vector<std::string> MaterializeDefaultColumns(JobConfig& config, const Table& train);

/// Sets `job.wide` / `job.deep` to the (unfitted) feature sets the config lists for its model type, or
/// every schema column but the label as a standardized number when it lists none.
void MakeJobColumns(Job& job);

/// What a job's checkpoints hold besides the model (under "hooks/job/"): each feature set's fitted
/// statistics ("hooks/job/deep/features/price/mean") and a fingerprint of the column definitions (the
/// training file's schema, the columns as described, the vocabulary files' contents). The hook writes
/// them into every checkpoint; on resume it checks them, as CheckJobState does.
std::shared_ptr<Hook> MakeJobStateHook(const Job& job);

/// Throws ConfigError naming what differs when `checkpoint_state` (a checkpoint's MemoryState) holds job
/// state other than `job`'s: the training file or a vocabulary file changed since the checkpoint was
/// written, so its weights would meet inputs they were not trained on. `where` names the checkpoint. A
/// checkpoint without job state passes.
void CheckJobState(const Job& job, const StateReader& checkpoint_state, const std::string& where);

/// The estimator of a job whose feature sets and head are set (config.run gives its model_dir and seed).
std::unique_ptr<Estimator> MakeJobEstimator(const Job& job);

}  // namespace lever
