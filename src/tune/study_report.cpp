#include "lever/tune/study_report.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "lever/tune/importance.h"
#include "lever/tune/study_plots.h"

namespace lever::tune {

std::string FormatObjective(double value) { return std::isfinite(value) ? fmt::format("{:.6g}", value) : "-"; }

TrialTable::TrialTable(const StudyDefinition& study, int max_trials)
    : space_(study.params), goal_(study.goal), metric_(study.metric_tag), max_trials_(max_trials) {}

std::string TrialTable::Header() const {
  return fmt::format("{:>5}  {:<11}  {:>12}  {:>8}  parameters\n", "trial", "state", metric_.substr(0, 12), "time");
}

std::string TrialTable::Row(const StoredTrial& t) const {
  const bool ended = t.status != TrialStatus::kRunning && t.status != TrialStatus::kInterrupted;
  std::string out =
      fmt::format("{:>5}  {:<11}  {:>12}  {:>8}  {}\n", t.number, ToString(t.status), FormatObjective(t.objective),
                  ended ? fmt::format("{:.1f}s", t.duration) : "", space_.Describe(t.assignment));
  if (t.status == TrialStatus::kFailed || t.status == TrialStatus::kStopped) {
    out += fmt::format("{:>7}{}\n", "", t.reason);
  }
  if (t.status == TrialStatus::kFailed && !t.stderr_tail.empty()) {
    out += fmt::format("{:>7}stderr ({}):\n", "", t.job_dir.empty() ? "last lines" : t.job_dir + "/stderr.log");
    size_t start = 0;
    while (start <= t.stderr_tail.size()) {
      const size_t end = t.stderr_tail.find('\n', start);
      out += fmt::format("{:>7}| {}\n", "", t.stderr_tail.substr(start, end == std::string::npos ? end : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return out;
}

std::string TrialTable::Progress(const std::vector<StoredTrial>& all) const {
  int finished = 0, running = 0;
  for (const StoredTrial& t : all) {
    finished += t.status != TrialStatus::kRunning && t.status != TrialStatus::kInterrupted;
    running += t.status == TrialStatus::kRunning;
  }
  const std::optional<size_t> best = BestTrial(all, goal_);
  return fmt::format(
      "{:>7}[{}/{} finished, {} running; best {}]\n", "", finished, max_trials_, running,
      best ? fmt::format("{} {} (trial {})", metric_, FormatObjective(all[*best].objective), all[*best].number)
           : std::string("none yet"));
}

std::string StudySummary(const StudyDefinition& study, const std::vector<StoredTrial>& trials) {
  const SearchSpace space(study.params);
  std::string out;
  const std::optional<size_t> best = BestTrial(trials, study.goal);
  if (best) {
    const StoredTrial& b = trials[*best];
    out += fmt::format("best: trial {}  {} {}  {}\n", b.number, study.metric_tag, FormatObjective(b.objective),
                       space.Describe(b.assignment));
    if (!b.job_dir.empty()) out += fmt::format("      job dir {}\n", b.job_dir);
  }
  const std::vector<ParameterImportance> importance = ParameterImportances(space, AsTrialRecords(trials));
  if (importance.empty()) return out;
  out += fmt::format(
      "parameter importance (share of the variation of {}'s rank explained by each parameter alone, "
      "omega squared; docs/tuning.md):\n",
      study.metric_tag);
  size_t width = 0;
  for (const ParameterImportance& p : importance) width = std::max(width, p.name.size());
  for (const ParameterImportance& p : importance) {
    const size_t bar = std::isfinite(p.importance) ? static_cast<size_t>(std::lround(p.importance * 40)) : 0;
    out += fmt::format("  {:<{}}  {:.2f}  {}\n", p.name, width, p.importance, std::string(bar, '#'));
  }
  return out;
}

std::string StudyEndText(StudyEnd end) {
  switch (end) {
    case StudyEnd::kExhausted:
      return "the grid is exhausted";
    case StudyEnd::kMaxFailedTrials:
      return "maxFailedTrials reached";
    case StudyEnd::kMaxTrials:
      break;
  }
  return "maxTrials reached";
}

std::string StudyFailureText(const StudyResult& r) {
  if (r.end != StudyEnd::kMaxFailedTrials && r.best) return "";
  const StoredTrial* failed = nullptr;
  for (const StoredTrial& t : r.trials) {
    if (t.status == TrialStatus::kFailed) failed = &t;
  }
  return std::string(r.best ? "the study stopped early: " : "no trial reported a usable metric: ") +
         std::to_string(r.failed) + " trials failed" +
         (failed ? fmt::format("; the last, trial {}: {}", failed->number, failed->reason) : "") +
         ". Run the trainer by hand with one trial's arguments to see why.";
}

}  // namespace lever::tune
