// `lever report JOB_DIR -o report.html`: one self-contained HTML page of a run trained with `lever train
// --doctor --job-dir JOB_DIR` (lever/report/run_report.h).
#include <fmt/core.h>

#include "commands.h"
#include "console.h"
#include "lever/io/atomic_file.h"
#include "lever/report/run_report.h"

namespace lever::cli {
namespace {

struct ReportFlags {
  std::string job_dir;
  std::string output = "report.html";
};

int Run(const ReportFlags& f) {
  const std::string html = RunReportHtml(f.job_dir);
  WriteFileAtomically(f.output, html);
  WriteToStdout(fmt::format("wrote {} ({} KiB)\n", f.output, (html.size() + 1023) / 1024));
  return 0;
}

}  // namespace

Command RegisterReport(CLI::App& app) {
  auto f = std::make_shared<ReportFlags>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Write one self-contained HTML page of a run trained with lever train --doctor --job-dir DIR");
  cmd->add_option("job_dir", f->job_dir, "the job directory (it holds doctor_record.json)")->required();
  cmd->add_option("--output,-o", f->output, "the page to write")->capture_default_str();
  return [f] { return Run(*f); };
}

}  // namespace lever::cli
