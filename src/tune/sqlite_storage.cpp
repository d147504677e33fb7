#include "lever/tune/sqlite_storage.h"

#include <sqlite3.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "lever/error.h"
#include "lever/io/excerpt.h"

namespace lever::tune {

namespace internal {
namespace {

template <typename Enum>
Enum EnumFromText(const std::string& text, std::initializer_list<Enum> values, const char* what) {
  for (const Enum v : values) {
    if (ToString(v) == text) return v;
  }
  throw DataError(std::string("unknown ") + what + " " + QuoteExcerpt(text) + " in a study database");
}

}  // namespace

std::string ParametersToJson(const std::vector<ParameterSpec>& params) {
  nlohmann::json out = nlohmann::json::array();
  for (const ParameterSpec& p : params) {
    nlohmann::json j = {{"name", p.name}, {"type", ToString(p.type)}, {"scale", ToString(p.scale)}};
    if (p.type == ParameterType::kCategorical) {
      j["categorical_values"] = p.categorical_values;
    } else if (p.type == ParameterType::kDiscrete) {
      j["discrete_values"] = p.discrete_values;
    } else {
      j["min_value"] = p.min_value;
      j["max_value"] = p.max_value;
    }
    out.push_back(j);
  }
  return out.dump();
}

std::vector<ParameterSpec> ParametersFromJson(const std::string& json) {
  std::vector<ParameterSpec> params;
  try {
    for (const nlohmann::json& j : nlohmann::json::parse(json)) {
      ParameterSpec p;
      p.name = j.at("name").get<std::string>();
      p.type = EnumFromText(
          j.at("type").get<std::string>(),
          {ParameterType::kDouble, ParameterType::kInteger, ParameterType::kCategorical, ParameterType::kDiscrete},
          "parameter type");
      p.scale =
          EnumFromText(j.at("scale").get<std::string>(),
                       {ScaleType::kNone, ScaleType::kLinear, ScaleType::kLog, ScaleType::kReverseLog}, "scale type");
      if (p.type == ParameterType::kCategorical) {
        p.categorical_values = j.at("categorical_values").get<std::vector<std::string>>();
        p.max_value = static_cast<double>(p.categorical_values.size()) - 1;
      } else if (p.type == ParameterType::kDiscrete) {
        p.discrete_values = j.at("discrete_values").get<std::vector<double>>();
        if (!p.discrete_values.empty()) {
          p.min_value = p.discrete_values.front();
          p.max_value = p.discrete_values.back();
        }
      } else {
        p.min_value = j.at("min_value").get<double>();
        p.max_value = j.at("max_value").get<double>();
      }
      params.push_back(std::move(p));
    }
  } catch (const nlohmann::json::exception& e) {
    throw DataError(std::string("a study's parameter definitions in its database are not valid JSON: ") +
                    QuoteExcerpt(e.what(), 200));
  }
  return params;
}

std::string AssignmentToJson(const SearchSpace& space, const Assignment& assignment) {
  space.Check(assignment);
  nlohmann::json out = nlohmann::json::object();
  for (int i = 0; i < space.size(); ++i) {
    const ParameterSpec& p = space.parameter(i);
    const double v = assignment[static_cast<size_t>(i)];
    if (p.type == ParameterType::kCategorical) {
      out[p.name] = space.ValueText(i, v);
    } else if (p.type == ParameterType::kInteger) {
      out[p.name] = static_cast<int64_t>(std::llround(v));
    } else {
      out[p.name] = v;  // nlohmann writes doubles in round-trip precision
    }
  }
  return out.dump();
}

Assignment AssignmentFromJson(const SearchSpace& space, const std::string& json) {
  nlohmann::json in;
  try {
    in = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception& e) {
    // The parser's message quotes the token it last read, which may be the whole damaged text.
    throw DataError("a trial's parameters in a study database are not valid JSON (" + QuoteExcerpt(json, 200) +
                    "): " + QuoteExcerpt(e.what(), 200));
  }
  Assignment a(static_cast<size_t>(space.size()));
  for (int i = 0; i < space.size(); ++i) {
    const ParameterSpec& p = space.parameter(i);
    if (!in.contains(p.name)) {
      throw DataError("a trial in a study database has no value for '" + p.name + "': " + QuoteExcerpt(json, 200));
    }
    const nlohmann::json& v = in[p.name];
    a[static_cast<size_t>(i)] = space.ParseValue(i, v.is_string() ? v.get<std::string>() : v.dump());
  }
  return a;
}

}  // namespace internal

namespace {

// The operating system's reason behind SQLite's last error (" (No space left on device)"), when there is one.
// SQLite keeps it with the file whose call failed (the database or its write-ahead log); SQLITE_FULL is the
// unix VFS's word for a write that failed with ENOSPC.
std::string SystemReason(sqlite3* db) {
  int error = 0;
  const int code = sqlite3_errcode(db);
  if (code == SQLITE_FULL) {
    error = ENOSPC;
  } else if (code == SQLITE_IOERR) {
    for (const int op : {SQLITE_FCNTL_JOURNAL_POINTER, SQLITE_FCNTL_FILE_POINTER}) {
      sqlite3_file* file = nullptr;
      int last = 0;
      if (error == 0 && sqlite3_file_control(db, "main", op, &file) == SQLITE_OK && file != nullptr &&
          file->pMethods != nullptr &&
          file->pMethods->xFileControl(file, SQLITE_FCNTL_LAST_ERRNO, &last) == SQLITE_OK) {
        error = last;
      }
    }
  }
  if (error == 0) error = sqlite3_system_errno(db);
  return error != 0 ? std::string(" (") + std::strerror(error) + ")" : std::string();
}

double Now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

}  // namespace

// A prepared statement with positional binding (1-based, as SQLite counts).
class SqliteStudyStorage::Statement {
 public:
  Statement(const SqliteStudyStorage& owner, const char* sql) : owner_(owner) {
    if (sqlite3_prepare_v2(owner.db_, sql, -1, &stmt_, nullptr) != SQLITE_OK) owner.Fail("preparing a query");
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int i, int64_t v) { return Check(sqlite3_bind_int64(stmt_, i, v)); }
  Statement& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Statement& Bind(int i, double v) {
    return Check(std::isfinite(v) ? sqlite3_bind_double(stmt_, i, v) : sqlite3_bind_null(stmt_, i));
  }
  Statement& Bind(int i, const std::string& v) {
    return Check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Statement& Bind(int i, const std::optional<int>& v) { return v ? Bind(i, *v) : Check(sqlite3_bind_null(stmt_, i)); }

  /// Ready to run again with new values.
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  /// True while there is a row.
  bool Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) owner_.Fail("running a query");
    return false;
  }
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  double Real(int column) const {
    return IsNull(column) ? std::numeric_limits<double>::quiet_NaN() : sqlite3_column_double(stmt_, column);
  }
  std::string Text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return text ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
  }

 private:
  Statement& Check(int rc) {
    if (rc != SQLITE_OK) owner_.Fail("binding a query's values");
    return *this;
  }
  const SqliteStudyStorage& owner_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A write transaction: BEGIN IMMEDIATE takes the write lock up front, so two tuners on one file serialize instead of
// failing on a lock upgrade; the destructor rolls back unless Commit ran.
class SqliteStudyStorage::Transaction {
 public:
  explicit Transaction(SqliteStudyStorage& owner, bool write = true) : owner_(owner) {
    owner_.Execute(write ? "BEGIN IMMEDIATE" : "BEGIN");
  }
  ~Transaction() {
    if (!committed_) sqlite3_exec(owner_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit() {
    owner_.Execute("COMMIT");
    committed_ = true;
  }

 private:
  SqliteStudyStorage& owner_;
  bool committed_ = false;
};

SqliteStudyStorage::SqliteStudyStorage(const std::string& path, Access access) : path_(path) {
  const bool read_only = access == Access::kReadOnly;
  const int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) + SystemReason(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw IoError("cannot open the study database '" + path + "': " + message +
                  (read_only ? "" : "; check that its directory exists and is writable"));
  }
  if (read_only) {
    sqlite3_busy_timeout(db_, 10000);
    sqlite3_stmt* stmt = nullptr;
    int tables = -1;
    if (sqlite3_prepare_v2(db_,
                           "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                           "('studies', 'trials', 'trial_metrics')",
                           -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      tables = sqlite3_column_int(stmt, 0);
    }
    const std::string reason = sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    if (tables != 3) {
      sqlite3_close(db_);
      db_ = nullptr;
      if (tables < 0) throw IoError("cannot read the study database '" + path + "': " + reason);
      throw DataError("'" + path + "' is not a lever study database (it lacks lever's tables; lever tune " +
                      "--study-dir DIR writes one)");
    }
    return;
  }
  try {
    sqlite3_busy_timeout(db_, 10000);
    Execute("PRAGMA journal_mode=WAL");
    Execute("PRAGMA synchronous=FULL");
    Execute("PRAGMA foreign_keys=ON");
    Execute(
        "CREATE TABLE IF NOT EXISTS studies ("
        " id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, goal TEXT NOT NULL, metric_tag TEXT NOT NULL,"
        " params TEXT NOT NULL, created REAL NOT NULL);"
        "CREATE TABLE IF NOT EXISTS trials ("
        " id INTEGER PRIMARY KEY, study_id INTEGER NOT NULL REFERENCES studies(id), number INTEGER NOT NULL,"
        " state TEXT NOT NULL, params TEXT NOT NULL, objective REAL, started REAL NOT NULL, finished REAL,"
        " duration REAL, exit_code INTEGER, reason TEXT NOT NULL DEFAULT '', stderr_tail TEXT NOT NULL DEFAULT '',"
        " job_dir TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 1, UNIQUE (study_id, number));"
        "CREATE TABLE IF NOT EXISTS trial_metrics ("
        " trial_id INTEGER NOT NULL REFERENCES trials(id), step INTEGER NOT NULL, value REAL,"
        " timestamp REAL NOT NULL);"
        "CREATE INDEX IF NOT EXISTS trial_metrics_by_trial ON trial_metrics (trial_id, step);");
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

SqliteStudyStorage::~SqliteStudyStorage() { sqlite3_close(db_); }

void SqliteStudyStorage::Execute(const std::string& sql) {
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
    Fail("running '" + sql.substr(0, 40) + "'");
}

void SqliteStudyStorage::Fail(const std::string& doing) const {
  const int code = sqlite3_errcode(db_);
  std::string hint;
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
    hint = "; another process held the database for over 10 s: is another `lever tune` running on this study?";
  } else if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_PERM) {
    hint = "; check the file's permissions";
  } else if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
    hint = "; the file is not a lever study database";
  } else if (code == SQLITE_IOERR || code == SQLITE_FULL) {
    hint =
        "; the study is as its last completed write left it: free space or fix the disk, then run the same "
        "command to continue";
  }
  throw IoError("study database '" + path_ + "': " + sqlite3_errmsg(db_) + SystemReason(db_) + " while " + doing +
                hint);
}

std::optional<StudyInfo> SqliteStudyStorage::FindStudy(const std::string& name) {
  Statement q(*this, "SELECT id, goal, metric_tag, params, created FROM studies WHERE name = ?");
  q.Bind(1, name);
  if (!q.Step()) return std::nullopt;
  StudyInfo info;
  info.id = q.Int(0);
  info.name = name;
  info.definition.goal = q.Text(1) == ToString(Goal::kMinimize) ? Goal::kMinimize : Goal::kMaximize;
  info.definition.metric_tag = q.Text(2);
  info.definition.params = internal::ParametersFromJson(q.Text(3));
  info.created = q.Real(4);
  return info;
}

int64_t SqliteStudyStorage::CreateStudy(const std::string& name, const StudyDefinition& definition) {
  SearchSpace space(definition.params);  // validates
  Transaction t(*this);
  {
    Statement exists(*this, "SELECT 1 FROM studies WHERE name = ?");
    exists.Bind(1, name);
    if (exists.Step()) throw ConfigError("study database '" + path_ + "' already has a study named '" + name + "'");
  }
  Statement insert(*this, "INSERT INTO studies (name, goal, metric_tag, params, created) VALUES (?, ?, ?, ?, ?)");
  insert.Bind(1, name)
      .Bind(2, ToString(definition.goal))
      .Bind(3, definition.metric_tag)
      .Bind(4, internal::ParametersToJson(definition.params))
      .Bind(5, Now());
  insert.Step();
  const int64_t id = sqlite3_last_insert_rowid(db_);
  t.Commit();
  return id;
}

std::vector<std::string> SqliteStudyStorage::ListStudies() {
  std::vector<std::string> names;
  Statement q(*this, "SELECT name FROM studies ORDER BY id");
  while (q.Step()) names.push_back(q.Text(0));
  return names;
}

const SearchSpace& SqliteStudyStorage::Space(int64_t study) {
  auto it = spaces_.find(study);
  if (it != spaces_.end()) return *it->second;
  Statement q(*this, "SELECT params FROM studies WHERE id = ?");
  q.Bind(1, study);
  if (!q.Step()) throw DataError("study database '" + path_ + "' has no study with id " + std::to_string(study));
  auto space = std::make_unique<SearchSpace>(internal::ParametersFromJson(q.Text(0)));
  return *spaces_.emplace(study, std::move(space)).first->second;
}

int64_t SqliteStudyStorage::TrialId(int64_t study, int number, const char* expected_state) {
  Statement q(*this, "SELECT id, state FROM trials WHERE study_id = ? AND number = ?");
  q.Bind(1, study).Bind(2, number);
  if (!q.Step()) {
    throw DataError("study database '" + path_ + "' has no trial " + std::to_string(number) + " in study " +
                    std::to_string(study));
  }
  if (q.Text(1) != expected_state) {
    throw DataError("study database '" + path_ + "': trial " + std::to_string(number) + " is " + q.Text(1) + ", not " +
                    expected_state + "; is another tuner running on this study?");
  }
  return q.Int(0);
}

int SqliteStudyStorage::AddTrial(int64_t study, const Assignment& assignment, const std::string& job_dir,
                                 double started) {
  const std::string params = internal::AssignmentToJson(Space(study), assignment);
  Transaction t(*this);
  int number = 0;
  {
    Statement q(*this, "SELECT COALESCE(MAX(number) + 1, 0) FROM trials WHERE study_id = ?");
    q.Bind(1, study);
    q.Step();
    number = static_cast<int>(q.Int(0));
  }
  Statement insert(*this,
                   "INSERT INTO trials (study_id, number, state, params, started, job_dir) VALUES (?, ?, ?, ?, ?, ?)");
  insert.Bind(1, study).Bind(2, number).Bind(3, ToString(TrialStatus::kRunning)).Bind(4, params).Bind(5, started);
  insert.Bind(6, job_dir);
  insert.Step();
  t.Commit();
  return number;
}

void SqliteStudyStorage::RestartTrial(int64_t study, int number, double started) {
  Transaction t(*this);
  const int64_t id = TrialId(study, number, "INTERRUPTED");
  Statement clear(*this, "DELETE FROM trial_metrics WHERE trial_id = ?");
  clear.Bind(1, id);
  clear.Step();
  Statement update(*this,
                   "UPDATE trials SET state = 'RUNNING', started = ?, finished = NULL, duration = NULL, "
                   "objective = NULL, exit_code = NULL, attempts = attempts + 1 WHERE id = ?");
  update.Bind(1, started).Bind(2, id);
  update.Step();
  t.Commit();
}

void SqliteStudyStorage::AddMetricPoints(int64_t study, int number, const std::vector<MetricPoint>& points,
                                         double timestamp) {
  if (points.empty()) return;
  Transaction t(*this);
  const int64_t id = TrialId(study, number, "RUNNING");
  Statement insert(*this, "INSERT INTO trial_metrics (trial_id, step, value, timestamp) VALUES (?, ?, ?, ?)");
  for (const MetricPoint& p : points) {
    insert.Bind(1, id).Bind(2, static_cast<int64_t>(p.step)).Bind(3, p.value).Bind(4, timestamp);
    insert.Step();
    insert.Reset();
  }
  t.Commit();
}

void SqliteStudyStorage::FinishTrial(int64_t study, int number, const TrialOutcome& outcome) {
  if (outcome.status == TrialStatus::kRunning || outcome.status == TrialStatus::kInterrupted) {
    throw ConfigError("FinishTrial records COMPLETED, STOPPED or FAILED, not " + ToString(outcome.status));
  }
  Transaction t(*this);
  const int64_t id = TrialId(study, number, "RUNNING");
  Statement update(*this,
                   "UPDATE trials SET state = ?, objective = ?, finished = ?, duration = ?, exit_code = ?, "
                   "reason = ?, stderr_tail = ? WHERE id = ?");
  update.Bind(1, ToString(outcome.status)).Bind(2, outcome.objective).Bind(3, outcome.finished);
  update.Bind(4, outcome.duration).Bind(5, outcome.exit_code).Bind(6, outcome.reason).Bind(7, outcome.stderr_tail);
  update.Bind(8, id);
  update.Step();
  t.Commit();
}

int SqliteStudyStorage::InterruptRunningTrials(int64_t study, const std::string& reason) {
  Transaction t(*this);
  Statement update(*this,
                   "UPDATE trials SET state = 'INTERRUPTED', reason = ? WHERE study_id = ? AND state = 'RUNNING'");
  update.Bind(1, reason).Bind(2, study);
  update.Step();
  const int changed = sqlite3_changes(db_);
  t.Commit();
  return changed;
}

std::vector<StoredTrial> SqliteStudyStorage::ListTrials(int64_t study) {
  const SearchSpace& space = Space(study);
  std::vector<StoredTrial> trials;
  std::map<int64_t, size_t> by_id;
  // One read transaction, so the trials and their metrics are one snapshot.
  Transaction t(*this, /*write=*/false);
  {
    Statement q(*this,
                "SELECT id, number, state, params, objective, started, finished, duration, exit_code, reason, "
                "stderr_tail, job_dir, attempts FROM trials WHERE study_id = ? ORDER BY number");
    q.Bind(1, study);
    while (q.Step()) {
      StoredTrial s;
      s.number = static_cast<int>(q.Int(1));
      s.status = ParseTrialStatus(q.Text(2));
      s.assignment = internal::AssignmentFromJson(space, q.Text(3));
      s.objective = q.Real(4);
      s.started = q.Real(5);
      s.finished = q.IsNull(6) ? 0.0 : q.Real(6);
      s.duration = q.IsNull(7) ? 0.0 : q.Real(7);
      if (!q.IsNull(8)) s.exit_code = static_cast<int>(q.Int(8));
      s.reason = q.Text(9);
      s.stderr_tail = q.Text(10);
      s.job_dir = q.Text(11);
      s.attempts = static_cast<int>(q.Int(12));
      by_id[q.Int(0)] = trials.size();
      trials.push_back(std::move(s));
    }
  }
  Statement m(*this,
              "SELECT m.trial_id, m.step, m.value FROM trial_metrics m JOIN trials t ON t.id = m.trial_id "
              "WHERE t.study_id = ? ORDER BY m.trial_id, m.step, m.rowid");
  m.Bind(1, study);
  while (m.Step()) trials[by_id.at(m.Int(0))].metrics.push_back({m.Int(1), m.Real(2)});
  t.Commit();
  return trials;
}

}  // namespace lever::tune
