#pragma once
// The metric file of the cloudml-hypertune convention: the trainer finds its path in
// $CLOUD_ML_HP_METRIC_FILE and writes one JSON object per line,
//   {"global_step": "100", "rmse": "0.42", "timestamp": 1525851440.1, "trial": "3"}
// Values may be JSON strings (as cloudml-hypertune writes them) or numbers; a missing global_step is 0.
// cloudml-hypertune rewrites the whole file on every report, keeping its last 100, so the file is read
// whole at every poll and a report is recognized by its line's text.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lever/tune/median_stopping.h"

namespace lever::tune {

/// One line: the report of `tag`, or nullopt when the line reports other metrics only. Throws DataError
/// for a line that is not a JSON object or whose tag or global_step is not a number.
std::optional<MetricPoint> ParseMetricLine(const std::string& line, const std::string& tag);

/// A trial's metric as it appears in its metric file.
class MetricFileReader {
 public:
  MetricFileReader(std::string path, std::string tag) : path_(std::move(path)), tag_(std::move(tag)) {}

  /// Reports that appeared since the last call, in file order. No file yet means no reports; a last line
  /// without its newline is left for the next call (the trainer may be writing it). Malformed lines are
  /// skipped and remembered in problem().
  std::vector<MetricPoint> Poll();
  /// Every report seen so far, in the order seen.
  const std::vector<MetricPoint>& reports() const { return reports_; }
  /// The value at the largest global_step (the latest such report); nullopt before any report.
  std::optional<double> Final() const;
  /// The last malformed line's problem ("line 3: ..."), empty if none.
  const std::string& problem() const { return problem_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_, tag_;
  std::set<std::string> seen_lines_;
  std::vector<MetricPoint> reports_;
  std::string problem_;
};

/// The value at the largest step of `points` (the later one among equal steps); nullopt if empty.
std::optional<double> FinalValue(const std::vector<MetricPoint>& points);

}  // namespace lever::tune
