#pragma once
// The report's sections drawn from <job_dir>/evaluation.json (lever/report/test_evaluation.h): the model on
// the test set (ROC, precision-recall and calibration curves, the confusion and threshold tables, or the
// predictions against the labels) and the kernels' weight histograms. Internal to src/report.
#include <nlohmann/json.hpp>
#include <string>

namespace lever {

/// The two sections; "" for a null `evaluation`. Parts of the file that are missing or of the wrong type
/// are left out, never read as numbers.
std::string TestSetSection(const nlohmann::json& evaluation);
std::string WeightsSection(const nlohmann::json& evaluation);

}  // namespace lever
