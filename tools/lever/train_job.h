#pragma once
// `lever train --config run.yaml [--key.path=value ...]`: a training job from a YAML file, on the estimator
// (lever/estimator/job.h).
#include <string>
#include <vector>

#include "lever/estimator/job.h"

namespace lever::cli {

/// Loads the config with `overrides` ("key.path=value"); a non-empty `job_dir` replaces run.model_dir.
JobConfig LoadJobConfigWithDir(const std::string& config_path, const std::vector<std::string>& overrides,
                               const std::string& job_dir);

/// A trained job: the config (as LoadJobConfigWithDir), its columns refitted on data.train, checked
/// against the state its newest good checkpoint holds (CheckJobState). Throws ConfigError when there is
/// no model directory or checkpoint ("train first").
Job LoadTrainedJob(const std::string& config_path, const std::vector<std::string>& overrides, const std::string& job_dir);

struct TrainJobOutput {
  bool quiet = false;         // only the final line
  bool progress_bar = false;  // redraw a progress bar between the lines (a terminal)
};

/// Runs the job; `overrides` are "key.path=value"; a non-empty `job_dir` replaces run.model_dir.
int RunTrainJob(const std::string& config_path, const std::vector<std::string>& overrides, const std::string& job_dir,
                const TrainJobOutput& output);

}  // namespace lever::cli
