#pragma once
// What the training doctor watched, as a file: `doctor_record.json` in a job directory, written after every
// evaluation while the run trains and at its end, so `lever doctor JOB_DIR` can diagnose a finished or a
// running job, and other diagnosers (bench/peers/doctor.py) can read the same numbers. docs/doctor.md
// describes the format.
#include <nlohmann/json.hpp>
#include <string>

#include "lever/doctor/doctor.h"

namespace lever {

/// The record as JSON ({"format": "lever.doctor_record", "format_version": 1, "running", "facts", "steps",
/// "step_loss_stride", "step_losses", "evaluations", "statistics", "diverged", "diverged_at", "converged"}).
/// More than 20,000 step losses are kept as the means of 20,000 runs of consecutive steps (stride > 1).
nlohmann::ordered_json DoctorRecordToJson(const DoctorRecord& record, bool running);

/// The record's "statistics" array, and reading one back (DataError naming `context` and the field; it
/// must be an array). The doctor also keeps them in an estimator's checkpoints this way.
nlohmann::ordered_json StatisticsToJson(const std::vector<TrainingStatistics>& samples);
std::vector<TrainingStatistics> StatisticsFromJson(const nlohmann::json& samples, const std::string& context);

/// Writes <directory>/doctor.json atomically: {"healthy", "summary" (the first finding's evidence, or
/// `healthy_summary`), "findings": [Finding::ToJson...]}.
void WriteDoctorJson(const std::string& directory, const std::vector<Finding>& findings,
                     const std::string& healthy_summary);

/// Where a recorded run stands, as `lever doctor` and `lever report` say it.
struct RecordedRunState {
  std::string name;  // "running", "finished", "stopped" (interrupted, or killed) or "diverged"
  int64_t step = 0;  // the step it diverged at, else the last evaluation's (the steps recorded without one)
  std::string text;  // "finished, 3000 steps", "running, step 1200 of 3000", "interrupted at step ...", ...
};
/// The state of `record` read from `job_dir`: a record that says running while no process holds
/// <job_dir>/lever.lock (and /proc/locks can be read) was left by a run that was killed.
RecordedRunState RunStateOf(const DoctorRecord& record, bool running, const std::string& job_dir);

/// Reads a record written by DoctorRecordToJson. Throws DataError naming `where` and the field for a
/// malformed one, IoError when the file cannot be read.
DoctorRecord ReadDoctorRecord(const std::string& path, bool* running = nullptr);

}  // namespace lever
