#pragma once
// `lever train --config run.yaml [--key.path=value ...]`: a training job from a YAML file, on the estimator.
#include <string>
#include <vector>

namespace lever::cli {

/// Runs the job; `overrides` are "key.path=value"; a non-empty `job_dir` replaces run.model_dir.
int RunTrainJob(const std::string& config_path, const std::vector<std::string>& overrides, const std::string& job_dir,
                bool quiet);

}  // namespace lever::cli
