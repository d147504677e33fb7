#pragma once
// `lever report STUDY_DIR`: one self-contained HTML page of a tuning study (lever/tune/): the trials' table
// (state, metric, parameters, time, why a trial failed, and the training doctor's first finding when the
// trial ran with --doctor), the metric by trial with the best so far, the metric against each parameter,
// and the best trial and the parameters' importance as `lever tune --show` prints them.
#include <string>

namespace lever {

/// The page for the study directory `study_dir` (it holds study.db, which is only read: IoError when it is
/// missing, DataError when it holds no study).
std::string StudyReportHtml(const std::string& study_dir);

}  // namespace lever
