#pragma once
// `lever train --config run.yaml [--key.path=value ...]`: a training job from a YAML file, on the estimator.
#include <memory>
#include <string>
#include <vector>

#include "lever/data/schema.h"
#include "lever/data/table.h"
#include "lever/estimator/canned.h"
#include "lever/estimator/job_config.h"

namespace lever::cli {

/// A job's config, training table, fitted feature columns, head and estimator (not yet trained).
struct Job {
  JobConfig config;
  Schema schema;  // inferred from the training file
  Table train;
  Tensor train_labels;
  std::unique_ptr<FeatureSet> wide, deep;
  HeadPtr head;
  std::unique_ptr<Estimator> estimator;

  /// A CSV file under the training schema as examples (labels required or, for prediction, not read).
  Examples Read(const std::string& path, bool with_labels) const;
};

/// Loads the config (with overrides; a non-empty `job_dir` replaces run.model_dir), reads the training
/// file and fits the feature columns on it, and builds the estimator.
Job PrepareJob(const std::string& config_path, const std::vector<std::string>& overrides, const std::string& job_dir);

/// Runs the job; `overrides` are "key.path=value"; a non-empty `job_dir` replaces run.model_dir.
int RunTrainJob(const std::string& config_path, const std::vector<std::string>& overrides, const std::string& job_dir,
                bool quiet);

}  // namespace lever::cli
