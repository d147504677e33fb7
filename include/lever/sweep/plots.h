#pragma once
// A sweep's results (lever/sweep/sweep.h) as a table and as self-contained SVG: the curves of every run
// overlaid (test loss solid, train loss dashed, log scale, one colour per combination) and, for two knobs,
// a heatmap of the final test figure. No script, no external file: a browser or an image viewer shows them.
#include <string>
#include <vector>

#include "lever/sweep/sweep.h"

namespace lever {

/// The runs as aligned text columns: the knobs' values, seed (with several), final train and test loss,
/// test accuracy (classification), nonzero weights, the doctor's verdict. Ends with "\n".
std::string SweepTableText(const std::vector<SweepKnob>& knobs, const std::vector<SweepRun>& runs);
/// The same as CSV with a header row.
std::string SweepTableCsv(const std::vector<SweepKnob>& knobs, const std::vector<SweepRun>& runs);
/// Overlaid loss curves, 1000 x 520 pixels (the legend on the right).
std::string SweepCurvesSvg(const std::vector<SweepKnob>& knobs, const std::vector<SweepRun>& runs);
/// Two knobs: a grid of the final test accuracy (classification) or test loss, the mean over seeds, with
/// the value printed in each cell; empty for another number of knobs.
std::string SweepHeatmapSvg(const std::vector<SweepKnob>& knobs, const std::vector<SweepRun>& runs);

}  // namespace lever
