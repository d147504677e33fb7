// SqliteStudyStorage: a study and its trials survive closing and reopening the file, with parameters,
// outcomes and metric points exactly as written.
#include "lever/tune/sqlite_storage.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"
#include "testing/files.h"

namespace lever::tune {
namespace {

using testing::Contains;
using testing::ErrorOf;

StudyDefinition Definition() {
  StudyDefinition d;
  d.goal = Goal::kMinimize;
  d.metric_tag = "rmse";
  d.params = {
      {.name = "lr", .type = ParameterType::kDouble, .min_value = 1e-4, .max_value = 0.1, .scale = ScaleType::kLog},
      {.name = "units", .type = ParameterType::kInteger, .min_value = 8, .max_value = 64},
      {.name = "opt",
       .type = ParameterType::kCategorical,
       .max_value = 2,
       .categorical_values = {"adam", "1e-3", "sgd"},
       .scale = ScaleType::kNone},
      {.name = "drop",
       .type = ParameterType::kDiscrete,
       .min_value = 0.1,
       .max_value = 0.5,
       .discrete_values = {0.1, 0.25, 0.5}}};
  return d;
}

// The database file and its WAL companions, removed at the end.
std::string DatabasePath() {
  const std::string path = testing::TempPath("study.db");
  testing::TempPath("study.db-wal");
  testing::TempPath("study.db-shm");
  return path;
}

TEST(SqliteStorageTest, RoundTripsStudiesTrialsOutcomesAndMetrics) {
  const std::string path = DatabasePath();
  const Assignment a = {0.1 / 3.0, 17, 1, 0.25};  // a double that needs all 17 digits, the categorical "1e-3"
  const Assignment b = {1e-4, 64, 2, 0.5};
  {
    SqliteStudyStorage storage(path);
    EXPECT_FALSE(storage.FindStudy("default").has_value());
    const int64_t id = storage.CreateStudy("default", Definition());
    EXPECT_EQ(storage.AddTrial(id, a, "/s/trials/0", 1000.5), 0);
    EXPECT_EQ(storage.AddTrial(id, b, "/s/trials/1", 1001.0), 1);
    storage.AddMetricPoints(id, 0, {{100, 0.9}, {200, 0.7}}, 1002.0);
    storage.AddMetricPoints(id, 0, {{300, 0.65}}, 1003.0);
    TrialOutcome done;
    done.status = TrialStatus::kCompleted;
    done.objective = 0.65;
    done.finished = 1004.25;
    done.duration = 3.75;
    done.exit_code = 0;
    storage.FinishTrial(id, 0, done);
    TrialOutcome failed;
    failed.status = TrialStatus::kFailed;
    failed.finished = 1005.0;
    failed.exit_code = 3;
    failed.reason = "exit code 3";
    failed.stderr_tail = "Traceback\nValueError: bad";
    storage.FinishTrial(id, 1, failed);
  }
  SqliteStudyStorage storage(path);
  const std::optional<StudyInfo> info = storage.FindStudy("default");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->definition.goal, Goal::kMinimize);
  EXPECT_EQ(info->definition.metric_tag, "rmse");
  EXPECT_EQ(internal::ParametersToJson(info->definition.params), internal::ParametersToJson(Definition().params));
  EXPECT_EQ(storage.ListStudies(), std::vector<std::string>{"default"});

  const std::vector<StoredTrial> trials = storage.ListTrials(info->id);
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].number, 0);
  EXPECT_EQ(trials[0].status, TrialStatus::kCompleted);
  EXPECT_EQ(trials[0].assignment, a);  // bit for bit
  EXPECT_EQ(trials[0].objective, 0.65);
  EXPECT_EQ(trials[0].started, 1000.5);
  EXPECT_EQ(trials[0].finished, 1004.25);
  EXPECT_EQ(trials[0].duration, 3.75);
  EXPECT_EQ(trials[0].exit_code, 0);
  EXPECT_EQ(trials[0].job_dir, "/s/trials/0");
  ASSERT_EQ(trials[0].metrics.size(), 3u);
  EXPECT_EQ(trials[0].metrics[2].step, 300);
  EXPECT_EQ(trials[0].metrics[2].value, 0.65);
  EXPECT_EQ(trials[1].status, TrialStatus::kFailed);
  EXPECT_EQ(trials[1].assignment, b);
  EXPECT_TRUE(std::isnan(trials[1].objective));
  EXPECT_EQ(trials[1].exit_code, 3);
  EXPECT_EQ(trials[1].reason, "exit code 3");
  EXPECT_EQ(trials[1].stderr_tail, "Traceback\nValueError: bad");
  EXPECT_TRUE(trials[1].metrics.empty());
}

TEST(SqliteStorageTest, StoresParametersAsReadableJson) {
  const SearchSpace space(Definition().params);
  EXPECT_EQ(internal::AssignmentToJson(space, {0.01, 32, 0, 0.1}), R"({"drop":0.1,"lr":0.01,"opt":"adam","units":32})");
  EXPECT_EQ(internal::AssignmentFromJson(space, R"({"drop":0.5,"lr":0.001,"opt":"sgd","units":8})"),
            (Assignment{0.001, 8, 2, 0.5}));
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] {
                         internal::AssignmentFromJson(space, R"({"drop":0.3,"lr":0.001,"opt":"sgd","units":8})");
                       }),
                       "'drop' (DISCRETE) has no value \"0.3\""));
  EXPECT_TRUE(Contains(ErrorOf<DataError>([&] { internal::AssignmentFromJson(space, R"({"lr":0.001})"); }),
                       "no value for 'units'"));
  // A damaged database's 200 KB of parameters: the message quotes a piece of them, not all.
  const std::string huge = R"({"lr":0.001,"pad":")" + std::string(200000, 'x') + R"("})";
  const std::string missing = ErrorOf<DataError>([&] { internal::AssignmentFromJson(space, huge); });
  EXPECT_TRUE(Contains(missing, "no value for"));
  EXPECT_LT(missing.size(), 400u);
  const std::string broken = ErrorOf<DataError>([&] { internal::AssignmentFromJson(space, huge.substr(0, 150000)); });
  EXPECT_TRUE(Contains(broken, "not valid JSON"));
  EXPECT_LT(broken.size(), 600u);
}

TEST(SqliteStorageTest, InterruptedTrialsRestartWithTheirParametersAndWithoutOldMetrics) {
  const std::string path = DatabasePath();
  SqliteStudyStorage storage(path);
  const int64_t id = storage.CreateStudy("s", Definition());
  const Assignment a = {0.01, 32, 0, 0.1};
  storage.AddTrial(id, a, "", 10.0);
  storage.AddTrial(id, a, "", 11.0);
  TrialOutcome done;
  done.objective = 1.0;
  storage.FinishTrial(id, 1, done);
  storage.AddMetricPoints(id, 0, {{1, 5.0}}, 12.0);
  EXPECT_EQ(storage.InterruptRunningTrials(id, "tuner died"), 1);  // trial 0 only
  std::vector<StoredTrial> trials = storage.ListTrials(id);
  EXPECT_EQ(trials[0].status, TrialStatus::kInterrupted);
  EXPECT_EQ(trials[0].reason, "tuner died");
  EXPECT_EQ(trials[1].status, TrialStatus::kCompleted);
  // Only a RUNNING trial can end, and only an INTERRUPTED one restart.
  EXPECT_TRUE(
      Contains(ErrorOf<DataError>([&] { storage.FinishTrial(id, 0, done); }), "trial 0 is INTERRUPTED, not RUNNING"));
  EXPECT_TRUE(Contains(ErrorOf<DataError>([&] { storage.RestartTrial(id, 1, 13.0); }), "trial 1 is COMPLETED"));
  storage.RestartTrial(id, 0, 13.0);
  trials = storage.ListTrials(id);
  EXPECT_EQ(trials[0].status, TrialStatus::kRunning);
  EXPECT_EQ(trials[0].attempts, 2);
  EXPECT_EQ(trials[0].started, 13.0);
  EXPECT_EQ(trials[0].assignment, a);
  EXPECT_TRUE(trials[0].metrics.empty());
  EXPECT_EQ(storage.AddTrial(id, a, "", 14.0), 2);
}

TEST(SqliteStorageTest, ErrorsNameTheFileAndWhatToDo) {
  const std::string path = DatabasePath();
  SqliteStudyStorage storage(path);
  storage.CreateStudy("s", Definition());
  EXPECT_TRUE(
      Contains(ErrorOf<ConfigError>([&] { storage.CreateStudy("s", Definition()); }), "already has a study named 's'"));
  EXPECT_TRUE(Contains(ErrorOf<IoError>([] { SqliteStudyStorage("/nonexistent-dir/study.db"); }),
                       "cannot open the study database '/nonexistent-dir/study.db'"));
  const std::string not_db = testing::WriteFile("not.db", std::string(4096, 'x'));
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { SqliteStudyStorage{not_db}; }), "not a lever study database"));
  EXPECT_TRUE(Contains(ErrorOf<DataError>([] { ParseTrialStatus("DONE"); }), "unknown trial state \"DONE\""));
}

}  // namespace
}  // namespace lever::tune
