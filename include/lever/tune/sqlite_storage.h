#pragma once
// A study database in one SQLite file (by convention <study dir>/study.db), through SQLite's C API.
//
// Tables (docs/tuning.md shows the full schema):
//   studies(id, name UNIQUE, goal, metric_tag, params JSON, created)
//   trials(id, study_id, number, state, params JSON, objective, started, finished, duration, exit_code,
//          reason, stderr_tail, job_dir, attempts)        UNIQUE(study_id, number)
//   trial_metrics(trial_id, step, value, timestamp)
// Times are seconds since the Unix epoch. A trial's params are a JSON object by parameter name:
// INTEGER and DOUBLE/DISCRETE values as JSON numbers (doubles in round-trip precision), CATEGORICAL
// values as their text.
//
// The file is in WAL mode (readers such as `lever tune --show` never block the tuner) with synchronous
// FULL, and each StudyStorage call is one IMMEDIATE transaction, so a killed tuner loses nothing it had
// recorded. A writer waits up to 10 s for another's lock before failing.
#include <map>
#include <memory>

#include "lever/tune/study_storage.h"

struct sqlite3;  // sqlite3.h stays out of lever's public headers

namespace lever::tune {

class SqliteStudyStorage : public StudyStorage {
 public:
  enum class Access { kReadWrite, kReadOnly };
  /// Opens (creating if needed) the database at `path`. Throws IoError naming the path. kReadOnly opens an
  /// existing database without changing it (no schema, no journal mode: `lever tune --show`, `lever
  /// report`); DataError when it holds no lever tables.
  explicit SqliteStudyStorage(const std::string& path, Access access = Access::kReadWrite);
  ~SqliteStudyStorage() override;
  SqliteStudyStorage(const SqliteStudyStorage&) = delete;
  SqliteStudyStorage& operator=(const SqliteStudyStorage&) = delete;

  std::optional<StudyInfo> FindStudy(const std::string& name) override;
  int64_t CreateStudy(const std::string& name, const StudyDefinition& definition) override;
  std::vector<std::string> ListStudies() override;
  int AddTrial(int64_t study, const Assignment& assignment, const std::string& job_dir, double started) override;
  void RestartTrial(int64_t study, int number, double started) override;
  void AddMetricPoints(int64_t study, int number, const std::vector<MetricPoint>& points, double timestamp) override;
  void FinishTrial(int64_t study, int number, const TrialOutcome& outcome) override;
  int InterruptRunningTrials(int64_t study, const std::string& reason) override;
  std::vector<StoredTrial> ListTrials(int64_t study) override;

  const std::string& path() const { return path_; }

 private:
  class Statement;
  class Transaction;
  void Execute(const std::string& sql);
  [[noreturn]] void Fail(const std::string& doing) const;
  const SearchSpace& Space(int64_t study);
  int64_t TrialId(int64_t study, int number, const char* expected_state);

  std::string path_;
  sqlite3* db_ = nullptr;
  std::map<int64_t, std::unique_ptr<SearchSpace>> spaces_;  // per study, to encode and decode params
};

namespace internal {
/// A study's parameter definitions as JSON text, and back (the studies.params column).
std::string ParametersToJson(const std::vector<ParameterSpec>& params);
std::vector<ParameterSpec> ParametersFromJson(const std::string& json);
/// A trial's assignment as a JSON object by name (the trials.params column), and back.
std::string AssignmentToJson(const SearchSpace& space, const Assignment& assignment);
Assignment AssignmentFromJson(const SearchSpace& space, const std::string& json);
}  // namespace internal

}  // namespace lever::tune
