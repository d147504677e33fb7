#pragma once
// `lever report SWEEP_DIR`: one self-contained HTML page of a knob sweep (lever/sweep/sweep.h) from the
// sweep.json `lever sweep` writes: the runs' table with the doctor's verdicts, the overlaid curves, the
// heatmap (two knobs) and, for each knob whose values are numbers, its effect: the final train and test
// loss (the mean over the other knobs and the seeds, with the seeds' range), the test accuracy and the
// share of nonzero weights (an L1 sweep's regularization path) against the knob's value.
#include <string>

namespace lever {

/// The page for the sweep output directory `sweep_dir` (it holds sweep.json; lever/sweep/sweep_file.h
/// says what is refused).
std::string SweepReportHtml(const std::string& sweep_dir);

}  // namespace lever
