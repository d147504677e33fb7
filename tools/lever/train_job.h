#pragma once
// `lever train --config run.yaml [--key.path=value ...]`: a training job from a YAML file, run by the
// library (lever/estimator/job_runner.h: RunJob, LoadTrainedJob).
#include <string>
#include <vector>

#include "lever/estimator/job_runner.h"

namespace lever::cli {

struct TrainJobOutput {
  bool quiet = false;         // only the final line
  bool progress_bar = false;  // redraw a progress bar between the lines (a terminal)
};

/// Runs the job; `overrides` are "key.path=value"; a non-empty `job_dir` replaces run.model_dir.
int RunTrainJob(const std::string& config_path, const std::vector<std::string>& overrides, const std::string& job_dir,
                const TrainJobOutput& output);

}  // namespace lever::cli
