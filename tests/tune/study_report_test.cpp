#include "lever/tune/study_report.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace lever::tune {
namespace {

StudyDefinition Study() {
  StudyDefinition s;
  s.goal = Goal::kMinimize;
  s.metric_tag = "loss";
  s.params = {ParameterSpec{.name = "x", .type = ParameterType::kDouble, .min_value = 0, .max_value = 1},
              ParameterSpec{.name = "opt",
                            .type = ParameterType::kCategorical,
                            .min_value = 0,
                            .max_value = 1,
                            .categorical_values = {"adam", "sgd"},
                            .scale = ScaleType::kNone}};
  return s;
}

StoredTrial Trial(int number, TrialStatus status, double objective, Assignment assignment) {
  StoredTrial t;
  t.number = number;
  t.status = status;
  t.objective = objective;
  t.assignment = std::move(assignment);
  return t;
}

std::vector<StoredTrial> Trials() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<StoredTrial> trials{Trial(0, TrialStatus::kCompleted, 0.0225, {0.45, 0}),
                                  Trial(1, TrialStatus::kFailed, nan, {0.9, 1}),
                                  Trial(2, TrialStatus::kRunning, nan, {0.1, 0})};
  trials[0].duration = 1.3;
  trials[0].job_dir = "/s/trials/0";
  trials[1].duration = 0.5;
  trials[1].reason = "exited with status 3";
  trials[1].stderr_tail = "boom\nbang";
  trials[1].job_dir = "/s/trials/1";
  return trials;
}

TEST(StudyReportTest, TableRowsAndProgress) {
  const TrialTable table(Study(), 4);
  const std::vector<StoredTrial> trials = Trials();
  EXPECT_EQ(table.Header(), "trial  state                loss      time  parameters\n");
  EXPECT_EQ(table.Row(trials[0]), "    0  COMPLETED          0.0225      1.3s  x=0.45, opt=adam\n");
  EXPECT_EQ(table.Row(trials[1]),
            "    1  FAILED                  -      0.5s  x=0.9, opt=sgd\n"
            "       exited with status 3\n"
            "       stderr (/s/trials/1/stderr.log):\n"
            "       | boom\n"
            "       | bang\n");
  EXPECT_EQ(table.Row(trials[2]), "    2  RUNNING                 -            x=0.1, opt=adam\n");
  EXPECT_EQ(table.Progress(trials), "       [2/4 finished, 1 running; best loss 0.0225 (trial 0)]\n");
  EXPECT_EQ(table.Progress({trials[1]}), "       [1/4 finished, 0 running; best none yet]\n");
}

TEST(StudyReportTest, SummaryNamesTheBestTrial) {
  const std::string summary = StudySummary(Study(), Trials());
  EXPECT_EQ(summary.substr(0, summary.find("parameter importance")),
            "best: trial 0  loss 0.0225  x=0.45, opt=adam\n"
            "      job dir /s/trials/0\n");
  EXPECT_EQ(StudySummary(Study(), {}), "");
}

TEST(StudyReportTest, EndAndFailure) {
  EXPECT_EQ(StudyEndText(StudyEnd::kMaxTrials), "maxTrials reached");
  EXPECT_EQ(StudyEndText(StudyEnd::kExhausted), "the grid is exhausted");
  EXPECT_EQ(StudyEndText(StudyEnd::kMaxFailedTrials), "maxFailedTrials reached");
  StudyResult r;
  r.trials = Trials();
  r.failed = 1;
  r.best = 0;
  EXPECT_EQ(StudyFailureText(r), "");
  r.end = StudyEnd::kMaxFailedTrials;
  EXPECT_EQ(StudyFailureText(r),
            "the study stopped early: 1 trials failed; the last, trial 1: exited with status 3. Run the trainer by "
            "hand with one trial's arguments to see why.");
  r.end = StudyEnd::kMaxTrials;
  r.best.reset();
  EXPECT_EQ(StudyFailureText(r).substr(0, 50), "no trial reported a usable metric: 1 trials failed");
  EXPECT_EQ(FormatObjective(std::numeric_limits<double>::infinity()), "-");
  EXPECT_EQ(FormatObjective(1.0 / 3), "0.333333");
}

}  // namespace
}  // namespace lever::tune
