#pragma once
// `lever report`: one self-contained HTML page of a run (no script, no network; the plots are inline SVG,
// lever/report/line_chart.h), from the files `lever train --doctor --job-dir DIR` writes: the doctor's
// findings, the run's knobs and final figures, the loss and accuracy curves (every step's batch loss and the
// evaluations' train and test figures), per-layer gradient and weight norms and update ratios over time,
// activation health (dead and saturated units) and the share of nonzero weights. docs/doctor.md shows one.
#include <string>

namespace lever {

/// The page for the job directory `job_dir`. Reads <job_dir>/doctor_record.json (lever/doctor/
/// record_file.h; IoError saying how to write one when it is missing, DataError for a damaged one) and,
/// when present, result.json (its figures; DataError when it is not a JSON object).
std::string RunReportHtml(const std::string& job_dir);

}  // namespace lever
