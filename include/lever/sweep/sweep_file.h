#pragma once
// A sweep's knobs and runs as JSON (<output>/sweep.json, written by `lever sweep` beside sweep.csv), so
// `lever report SWEEP_DIR` draws the sweep again: format "lever.sweep", format_version 1, "knobs" (name,
// flag, values) and "runs" (values, seed, curve as [step, train loss, test loss, test accuracy] rows,
// diverged, diverged_at, train_loss, test_loss, test_accuracy, nonzero_weights, kernel_weights, finding,
// seconds); NaN and infinity as null.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lever/sweep/sweep.h"

namespace lever {

struct SweepResults {
  std::vector<SweepKnob> knobs;
  std::vector<SweepRun> runs;
};

nlohmann::ordered_json SweepJson(const std::vector<SweepKnob>& knobs, const std::vector<SweepRun>& runs);

/// Reads what SweepJson wrote. DataError naming the file and what is wrong for a file over 256 MiB, not
/// JSON, another format or version, a field of the wrong type, or a run whose values do not match the knobs.
SweepResults ReadSweepFile(const std::string& path);

}  // namespace lever
