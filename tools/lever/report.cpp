// `lever report DIR -o report.html`: one self-contained HTML page of a run trained with `lever train
// --doctor --job-dir DIR` (lever/report/run_report.h), of a `lever sweep` output directory
// (lever/report/sweep_report.h) or of a `lever tune` study directory (lever/report/study_page.h).
#include <fmt/core.h>

#include <filesystem>

#include "commands.h"
#include "console.h"
#include "lever/error.h"
#include "lever/io/atomic_file.h"
#include "lever/report/run_report.h"
#include "lever/report/study_page.h"
#include "lever/report/sweep_report.h"

namespace lever::cli {
namespace {

struct ReportFlags {
  std::string job_dir;
  std::string output = "report.html";
};

// The page for what the directory holds: a run's doctor record, a sweep's results or a study's database.
std::string PageOf(const std::string& dir) {
  const std::filesystem::path d(dir);
  std::error_code error;
  if (std::filesystem::exists(d / "doctor_record.json", error)) return RunReportHtml(dir);
  if (std::filesystem::exists(d / "sweep.json", error)) return SweepReportHtml(dir);
  if (std::filesystem::exists(d / "study.db", error)) return StudyReportHtml(dir);
  throw IoError(
      dir +
      ": nothing to report: no doctor_record.json (lever train --doctor --job-dir DIR writes one), sweep.json "
      "(lever sweep -o DIR) or study.db (lever tune --study-dir DIR)");
}

// The page may go into the directory it draws, but never over a file there other than an earlier page:
// `-o job/doctor_record.json` would destroy what it reads.
void CheckOutput(const std::string& dir, const std::string& output) {
  namespace fs = std::filesystem;
  std::vector<std::string> inputs;
  for (const char* name : {"doctor_record.json", "result.json", "evaluation.json", "doctor.json", "sweep.json",
                           "study.db", "study.db-wal", "study.db-shm"}) {
    inputs.push_back((fs::path(dir) / name).string());
  }
  CheckOutputIsNotAnInput(output, "--output", inputs);  // also through another name or a link
  std::error_code error;
  const fs::path out = fs::weakly_canonical(output, error), root = fs::weakly_canonical(dir, error);
  if (error || !fs::exists(out, error) || out.extension() == ".html") return;
  for (fs::path p = out.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
    if (p == root) {
      throw ConfigError("--output " + output + " would overwrite a file of " + dir +
                        " that is not a report page; write the page to a new file or an .html one");
    }
  }
}

int Run(const ReportFlags& f) {
  CheckOutput(f.job_dir, f.output);
  const std::string html = PageOf(f.job_dir);
  WriteFileAtomically(f.output, html);
  WriteToStdout(fmt::format("wrote {} ({} KiB)\n", f.output, (html.size() + 1023) / 1024));
  return 0;
}

}  // namespace

Command RegisterReport(CLI::App& app) {
  auto f = std::make_shared<ReportFlags>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write one self-contained HTML page of a run (lever train --doctor --job-dir DIR), a sweep (lever sweep -o DIR) "
      "or a tuning study (lever tune --study-dir DIR)");
  cmd->add_option("dir", f->job_dir,
                  "a job directory (it holds doctor_record.json), a sweep's output (sweep.json) or a study "
                  "directory (study.db)")
      ->required();
  cmd->add_option("--output,-o", f->output, "the page to write")->capture_default_str();
  return [f] { return Run(*f); };
}

}  // namespace lever::cli
