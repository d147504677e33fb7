// `lever doctor JOB_DIR`: the training doctor's diagnosis of a job trained with `lever train --doctor
// --job-dir JOB_DIR`, finished or still running, from its doctor_record.json (lever/doctor/record_file.h).
#include "lever/doctor/doctor.h"

#include <fmt/core.h>

#include <filesystem>

#include "commands.h"
#include "console.h"
#include "lever/doctor/record_file.h"

namespace lever::cli {
namespace {

struct DoctorFlags {
  std::string job_dir;
  bool json = false;
};

int Run(const DoctorFlags& f) {
  const std::string path = (std::filesystem::path(f.job_dir) / "doctor_record.json").string();
  bool running = false;
  const DoctorRecord record = ReadDoctorRecord(path, &running);
  const std::vector<Finding> findings = DiagnoseRecord(record);
  const RecordedRunState state = RunStateOf(record, running, f.job_dir);
  if (f.json) {
    nlohmann::ordered_json out;
    out["job_dir"] = f.job_dir;
    out["state"] = state.name;
    out["step"] = state.step;
    out["healthy"] = findings.empty();
    out["findings"] = nlohmann::ordered_json::array();
    for (const Finding& finding : findings) out["findings"].push_back(finding.ToJson());
    WriteToStdout(out.dump() + "\n");
    return 0;
  }
  WriteToStdout(fmt::format("job {}: {}\n{}", f.job_dir, state.text, FindingsText(findings, HealthySummary(record))));
  return 0;
}

}  // namespace

Command RegisterDoctor(CLI::App& app) {
  auto f = std::make_shared<DoctorFlags>();
  CLI::App* cmd = app.add_subcommand(
      "doctor", "Diagnose a job trained with lever train --doctor --job-dir DIR, finished or running");
  cmd->add_option("job_dir", f->job_dir, "the job directory (it holds doctor_record.json)")->required();
  cmd->add_flag("--json", f->json, "print one JSON object: job_dir, state, step, healthy, findings");
  return [f] { return Run(*f); };
}

}  // namespace lever::cli
