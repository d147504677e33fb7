#include "lever/report/study_page.h"

#include <fmt/core.h>

#include <filesystem>
#include <map>

#include "html.h"
#include "lever/error.h"
#include "lever/tune/sqlite_storage.h"
#include "lever/tune/study_plots.h"
#include "lever/tune/study_report.h"
#include "lever/tune/study_runner.h"

namespace lever {
namespace {

using report_html::Figure;

// The first finding of a trial's doctor.json, "healthy", or "" when the trial has none (or it cannot be read).
std::string DoctorVerdict(const std::string& job_dir) {
  if (job_dir.empty()) return "";
  try {
    const nlohmann::json d = report_html::ReadJsonObjectIfPresent(std::filesystem::path(job_dir) / "doctor.json");
    if (!d.is_object()) return "";
    if (d.contains("findings") && d["findings"].is_array() && !d["findings"].empty() && d["findings"][0].is_object() &&
        d["findings"][0].contains("id") && d["findings"][0]["id"].is_string()) {
      return d["findings"][0]["id"].get<std::string>();
    }
    return d.value("healthy", false) ? "healthy" : "";
  } catch (const Error&) {
    return "";  // a damaged trial file leaves its cell empty; the study is still drawn
  }
}

}  // namespace

std::string StudyReportHtml(const std::string& study_dir) {
  const std::filesystem::path db = std::filesystem::path(study_dir) / "study.db";
  std::error_code error;
  if (!std::filesystem::is_regular_file(db, error)) {
    throw IoError("no study database at '" + db.string() + "' (lever tune --study-dir DIR writes one)");
  }
  tune::SqliteStudyStorage storage(db.string(), tune::SqliteStudyStorage::Access::kReadOnly);
  const std::optional<tune::StudyInfo> study = storage.FindStudy(tune::StudyOptions().study_name);
  if (!study) throw DataError("'" + db.string() + "' holds no study named 'default'");
  const std::vector<tune::StoredTrial> trials = storage.ListTrials(study->id);
  const tune::StudyDefinition& def = study->definition;
  const tune::SearchSpace space(def.params);

  std::map<std::string, int> states;
  for (const tune::StoredTrial& t : trials) ++states[tune::ToString(t.status)];
  std::string counts;
  for (const auto& [state, n] : states) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", n, state);
  std::string html = report_html::PageStart("lever study report: " + study_dir);
  html += fmt::format("<p>{} {}; {} trials{}.</p>\n", EscapeXml(tune::ToString(def.goal)), EscapeXml(def.metric_tag),
                      trials.size(), counts.empty() ? "" : ": " + EscapeXml(counts));
  html += "<h2>Best trial and importance</h2>\n<pre>" + EscapeXml(tune::StudySummary(def, trials)) + "</pre>\n";

  const std::vector<tune::TrialRecord> records = tune::AsTrialRecords(trials);
  html += "<h2>Metric</h2>\n" +
          Figure(tune::MetricByTrialSvg(records, def.goal, def.metric_tag),
                 "Each trial's metric (filled: completed; hollow: stopped early) and the best so far.");
  for (int i = 0; i < space.size(); ++i) {
    html += Figure(tune::MetricVsParameterSvg(space, i, records, def.metric_tag),
                   "The metric against " + space.parameter(i).name + ".");
  }

  html += "<h2>Trials</h2>\n<table>\n<tr><th>trial</th><th>state</th><th>" + EscapeXml(def.metric_tag) +
          "</th><th>parameters</th><th>seconds</th><th>doctor</th><th>note</th></tr>\n";
  for (const tune::StoredTrial& t : trials) {
    const std::string verdict = DoctorVerdict(t.job_dir);
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1f}</td><td class=\"{}\">{}</td><td>{}</td></tr>\n",
        t.number, EscapeXml(tune::ToString(t.status)), EscapeXml(tune::FormatObjective(t.objective)),
        EscapeXml(t.assignment.size() == static_cast<size_t>(space.size()) ? space.Describe(t.assignment) : ""),
        t.duration, verdict == "healthy" ? "healthy" : "alarm", EscapeXml(verdict), EscapeXml(t.reason));
  }
  return html + "</table>\n" + report_html::kPageEnd;
}

}  // namespace lever
