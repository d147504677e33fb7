// `lever doctor JOB_DIR`: the training doctor's diagnosis of a job trained with `lever train --doctor
// --job-dir JOB_DIR`, finished or still running, from its doctor_record.json (lever/doctor/record_file.h).
#include "lever/doctor/doctor.h"

#include <fmt/core.h>

#include <filesystem>
#include <fstream>

#include "commands.h"
#include "console.h"
#include "lever/doctor/record_file.h"
#include "lever/io/dir_lock.h"

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
  const std::vector<Finding> findings =
      record.facts.config_job ? WithConfigKnobs(DiagnoseRecord(record)) : DiagnoseRecord(record);
  const int64_t step = record.diverged              ? record.diverged_at
                       : record.evaluations.empty() ? static_cast<int64_t>(record.step_losses.size())
                                                    : record.evaluations.back().step;
  // A record that says "running" when no process holds the job's lock was left by a run that was killed.
  const bool killed = running && std::ifstream("/proc/locks").good() &&
                      FlockHolder((std::filesystem::path(f.job_dir) / "lever.lock").string()) == 0;
  const std::string state = record.diverged ? fmt::format("diverged at step {}", step)
                            : killed        ? fmt::format(
                                                  "stopped at step {} of {}: the run that wrote it "
                                                         "is no longer running (killed?)",
                                                  step, record.facts.max_steps)
                            : running ? fmt::format("running, step {} of {}", step, record.facts.max_steps)
                            : record.interrupted
                                ? fmt::format("interrupted at step {} of {}", step, record.facts.max_steps)
                                : fmt::format("finished, {} steps", step);
  if (f.json) {
    nlohmann::ordered_json out;
    out["job_dir"] = f.job_dir;
    out["state"] = record.diverged                ? "diverged"
                   : killed || record.interrupted ? "stopped"
                   : running                      ? "running"
                                                  : "finished";
    out["step"] = step;
    out["healthy"] = findings.empty();
    out["findings"] = nlohmann::ordered_json::array();
    for (const Finding& finding : findings) out["findings"].push_back(finding.ToJson());
    WriteToStdout(out.dump() + "\n");
    return 0;
  }
  WriteToStdout(fmt::format("job {}: {}\n{}", f.job_dir, state, FindingsText(findings, HealthySummary(record))));
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
