// A sweep's file (lever/sweep/sweep_file.h) reads back what was written, NaN included, and refuses foreign
// or damaged files with the path; its report page (lever/report/sweep_report.h) holds the runs, the curves
// and each numeric knob's effect, on the axis its values call for.
#include "lever/report/sweep_report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "lever/error.h"
#include "lever/sweep/sweep_file.h"
#include "testing/files.h"

namespace lever {
namespace {

using testing::Contains;
using testing::ErrorOf;

SweepResults TwoKnobs() {
  SweepResults s;
  s.knobs = {{"l1", "--l1", {"0", "0.001", "0.1"}}, {"activation", "--activation", {"relu", "tanh"}}};
  for (const std::string& l1 : s.knobs[0].values) {
    for (const std::string& activation : s.knobs[1].values) {
      SweepRun r;
      r.values = {l1, activation};
      r.seed = 7;
      const double strength = std::stod(l1);
      r.curve = {{100, 0.6, 0.7, 0.5}, {200, 0.3 + strength, 0.4 + strength, 0.8}};
      r.train_loss = 0.3 + strength, r.test_loss = 0.4 + strength, r.test_accuracy = 0.8;
      r.kernel_weights = 100, r.nonzero_weights = strength > 0.01 ? 0 : 100;
      r.finding = strength > 0.01 ? "l1_removed_everything" : "healthy";
      r.seconds = 0.25;
      s.runs.push_back(r);
    }
  }
  s.runs.back().diverged = true;
  s.runs.back().diverged_at = 17;
  s.runs.back().test_loss = std::nan("");
  return s;
}

std::filesystem::path Write(const std::string& name, const std::string& text) {
  const std::filesystem::path dir = testing::TempPath(name);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "sweep.json") << text;
  return dir;
}

TEST(SweepFileTest, ReadsBackWhatWasWritten) {
  const SweepResults s = TwoKnobs();
  const std::filesystem::path dir = Write("sweep_round_trip", SweepJson(s.knobs, s.runs).dump());
  const SweepResults back = ReadSweepFile((dir / "sweep.json").string());
  ASSERT_EQ(back.knobs.size(), 2u);
  EXPECT_EQ(back.knobs[1].flag, "--activation");
  EXPECT_EQ(back.knobs[0].values, s.knobs[0].values);
  ASSERT_EQ(back.runs.size(), s.runs.size());
  for (size_t i = 0; i < s.runs.size(); ++i) {
    EXPECT_EQ(back.runs[i].values, s.runs[i].values);
    EXPECT_EQ(back.runs[i].seed, 7u);
    ASSERT_EQ(back.runs[i].curve.size(), 2u);
    EXPECT_EQ(back.runs[i].curve[1].step, 200);
    EXPECT_DOUBLE_EQ(back.runs[i].curve[1].test_loss, s.runs[i].curve[1].test_loss);
    EXPECT_EQ(back.runs[i].nonzero_weights, s.runs[i].nonzero_weights);
    EXPECT_EQ(back.runs[i].finding, s.runs[i].finding);
  }
  EXPECT_TRUE(back.runs.back().diverged);
  EXPECT_EQ(back.runs.back().diverged_at, 17);
  EXPECT_TRUE(std::isnan(back.runs.back().test_loss));
}

TEST(SweepFileTest, ForeignAndDamagedFilesAreRefusedWithThePath) {
  const auto error_of = [](const std::string& name, const std::string& text) {
    const std::filesystem::path dir = Write(name, text);
    return ErrorOf<DataError>([&] { ReadSweepFile((dir / "sweep.json").string()); });
  };
  EXPECT_TRUE(Contains(error_of("sweep_bad1", "{"), "sweep.json: not JSON"));
  EXPECT_TRUE(Contains(error_of("sweep_bad2", R"({"format": "other"})"), "not a lever sweep file"));
  EXPECT_TRUE(Contains(error_of("sweep_bad3", R"({"format": "lever.sweep", "format_version": 9})"),
                       "format_version 9; this lever reads version 1"));
  const SweepResults s = TwoKnobs();
  nlohmann::ordered_json j = SweepJson(s.knobs, s.runs);
  j["runs"][2]["values"] = {"0.001"};
  EXPECT_TRUE(Contains(error_of("sweep_bad4", j.dump()), "run 2 has 1 knob values for 2 knobs"));
  j = SweepJson(s.knobs, s.runs);
  j["runs"][0]["seed"] = "seven";
  EXPECT_TRUE(Contains(error_of("sweep_bad5", j.dump()), "sweep.json: runs[0]: \"seed\" should be a whole number"));
  j = SweepJson(s.knobs, s.runs);
  j.erase("knobs");
  EXPECT_TRUE(Contains(error_of("sweep_bad7", j.dump()), "sweep.json has no \"knobs\""));
  j = SweepJson(s.knobs, s.runs);
  j["runs"] = {1};
  EXPECT_TRUE(Contains(error_of("sweep_bad8", j.dump()), "sweep.json: runs[0] is not a JSON object"));
  j = SweepJson(s.knobs, s.runs);
  j["format_version"] = "1";
  EXPECT_TRUE(Contains(error_of("sweep_bad9", j.dump()), "format_version \"1\"; this lever reads version 1"));
  j = SweepJson(s.knobs, s.runs);
  j["runs"][0]["curve"][0] = {nullptr, nullptr, nullptr, nullptr};
  EXPECT_TRUE(Contains(error_of("sweep_bad10", j.dump()), "a curve point's step should be a whole number"));
  j = SweepJson(s.knobs, s.runs);
  j["runs"][0]["curve"][0] = {1, 2};
  EXPECT_TRUE(Contains(error_of("sweep_bad6", j.dump()), "a curve point is not [step, train, test, accuracy]"));
  EXPECT_TRUE(Contains(ErrorOf<IoError>([] { ReadSweepFile("/nonexistent/sweep.json"); }), "/nonexistent/sweep.json"));
}

TEST(SweepReportTest, APageHoldsTheRunsTheCurvesAndEachNumericKnobsEffect) {
  const SweepResults s = TwoKnobs();
  const std::filesystem::path dir = Write("sweep_page", SweepJson(s.knobs, s.runs).dump());
  const std::string html = SweepReportHtml(dir.string());
  EXPECT_TRUE(Contains(html, "<p>6 runs over l1, activation; 4 healthy, 1 diverged.</p>"));
  EXPECT_TRUE(Contains(html, "l1_removed_everything (diverged at step 17)"));
  EXPECT_TRUE(Contains(html, "<h2>Both knobs</h2>"));        // two knobs: the heatmap
  EXPECT_TRUE(Contains(html, "<h2>The effect of l1</h2>"));  // numbers
  EXPECT_FALSE(Contains(html, "The effect of activation"));  // names: no axis to put them on
  EXPECT_EQ(testing::Occurrences(html, "<svg"), 4u);         // curves, heatmap, l1's loss and shares
  EXPECT_TRUE(Contains(html, ">0.001</text>"));              // 0 among decades: evenly spaced, named ticks
  EXPECT_FALSE(Contains(html, "<script"));
}

}  // namespace
}  // namespace lever
