// lever report's page: the line charts place their points where the axes say, leave gaps for NaN and
// escape text; the page of a recorded run holds every section, its plots and the doctor's first finding.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "lever/doctor/record_file.h"
#include "lever/error.h"
#include "lever/report/line_chart.h"
#include "lever/report/run_report.h"
#include "testing/files.h"

namespace lever {
namespace {

using testing::Contains;
using testing::ErrorOf;

// The default 720 x 300 chart: the plot spans x 70..530 and y 34..254.
TEST(LineChartTest, PointsSitWhereTheAxesSay) {
  LineChart chart{.title = "a < b", .x_label = "step", .y_label = "loss"};
  chart.series.push_back({.name = "test", .x = {0, 50, 100}, .y = {0, 0.5, 1}});
  const std::string svg = LineChartSvg(chart);
  EXPECT_TRUE(Contains(svg, "points=\"70.0,254.0 300.0,144.0 530.0,34.0 \"")) << svg;
  EXPECT_TRUE(Contains(svg, "<title>a &lt; b</title>"));
  EXPECT_TRUE(Contains(svg, ">test</text>"));
}

TEST(LineChartTest, NaNLeavesAGapAndALogAxisDropsNonPositiveValues) {
  LineChart chart{.title = "t", .log_y = true};
  chart.series.push_back({.name = "s", .x = {1, 2, 3, 4, 5}, .y = {1, 0.1, std::nan(""), 0.01, 0}});
  const std::string svg = LineChartSvg(chart);
  EXPECT_EQ(testing::Occurrences(svg, "<polyline"), 2u);  // 1, 0.1 | 0.01 (0 has no logarithm)
  EXPECT_TRUE(Contains(svg, ">1e-2</text>")) << svg;
  EXPECT_TRUE(Contains(svg, ">1e0</text>"));
  LineChart empty{.title = "nothing"};
  empty.series.push_back({.name = "s", .x = {1}, .y = {std::nan("")}});
  EXPECT_TRUE(Contains(LineChartSvg(empty), ">no data</text>"));
}

// Log x: 0.001 .. 1000 spans six decades over the plot's 460 pixels; categories: evenly spaced and named.
TEST(LineChartTest, ALogXAxisPlacesDecadesEvenlyAndCategoriesNameTheirTicks) {
  LineChart log{.title = "t", .log_x = true};
  log.series.push_back({.name = "s", .x = {0.001, 1, 1000, 0}, .y = {0, 0.5, 1, 2}});
  const std::string svg = LineChartSvg(log);
  EXPECT_TRUE(Contains(svg, "points=\"70.0,254.0 300.0,144.0 530.0,34.0 \"")) << svg;  // x = 0: no logarithm
  EXPECT_TRUE(Contains(svg, ">0.001</text>"));
  EXPECT_TRUE(Contains(svg, ">1000</text>"));
  LineChart named{.title = "t", .x_categories = {"0", "1e-4", "<a>"}};
  named.series.push_back({.name = "s", .x = {0, 1, 2}, .y = {0, 0.5, 1}, .markers = true});
  const std::string dots = LineChartSvg(named);
  EXPECT_EQ(testing::Occurrences(dots, "<circle"), 3u);
  EXPECT_EQ(testing::Occurrences(dots, "<polyline"), 0u);
  EXPECT_TRUE(Contains(dots, "<circle cx=\"300.0\" cy=\"144.0\""));
  EXPECT_TRUE(Contains(dots, ">1e-4</text>"));
  EXPECT_TRUE(Contains(dots, ">&lt;a&gt;</text>"));
}

DoctorRecord DeadReluRun() {
  DoctorRecord r;
  r.facts.optimizer = "sgd";
  r.facts.learning_rate = 3;
  r.facts.max_steps = 1000;
  r.facts.hidden = {8, 8};
  r.facts.activation = "relu";
  for (int i = 0; i < 1000; ++i) r.step_losses.push_back(static_cast<float>(0.69 - 0.05 * std::exp(-i / 50.0)));
  for (int64_t step = 100; step <= 1000; step += 100) {
    r.evaluations.push_back(
        {.step = step, .train_loss = 0.64, .validation_loss = 0.65, .train_accuracy = 0.5, .validation_accuracy = 0.5});
    TrainingStatistics s;
    s.step = step;
    s.kernel_weights = 88;
    s.nonzero_weights = 80;
    s.parameters = {
        {.name = "dense/kernel", .weight_norm = 3, .gradient_norm = 0.1, .update_ratio = 1e-3, .size = 16},
        {.name = "dense/bias", .weight_norm = 1, .gradient_norm = 0.1, .update_ratio = 1e-3, .size = 8},
        {.name = "dense_1/kernel", .weight_norm = 2, .gradient_norm = 0.2, .update_ratio = 1e-3, .size = 64}};
    s.activations = {{.layer = "dense", .activation = "relu", .dead_fraction = 0.25},
                     {.layer = "dense_1", .activation = "relu", .dead_fraction = 1.0}};
    r.statistics.push_back(s);
  }
  return r;
}

TEST(RunReportTest, APageHoldsEverySectionItsPlotsAndTheFirstFinding) {
  const std::filesystem::path dir = testing::TempPath("report_job");
  std::filesystem::create_directories(dir);
  const DoctorRecord r = DeadReluRun();
  std::ofstream(dir / "doctor_record.json") << DoctorRecordToJson(r, false).dump();
  std::ofstream(dir / "result.json") << R"({"global_step": 1000, "test_loss": 0.65, "note": "<b>"})";
  const std::string html = RunReportHtml(dir.string());
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_EQ(testing::Occurrences(html, "<svg"),
            7u);  // loss, accuracy, gradients, ratios, weights, activations, sparsity
  EXPECT_EQ(testing::Occurrences(html, "<svg"), testing::Occurrences(html, "</svg>"));
  EXPECT_TRUE(Contains(html, "finished, 1000 steps"));
  EXPECT_TRUE(Contains(html, "<li><code>" + DiagnoseRecord(r).front().id + "</code>"));
  EXPECT_TRUE(Contains(html, ">dense_1 dead</text>"));    // activation health, per layer
  EXPECT_TRUE(Contains(html, ">dense_1/kernel</text>"));  // kernels only in the norm plots
  EXPECT_FALSE(Contains(html, ">dense/bias</text>"));
  EXPECT_TRUE(Contains(html, "80 of 88 at the last sample"));
  EXPECT_TRUE(Contains(html, "<th>note</th><td>&lt;b&gt;</td>"));  // result.json's text escaped
  EXPECT_FALSE(Contains(html, "<script"));                         // self-contained, nothing to run
  EXPECT_FALSE(Contains(html, "http://") && !Contains(html, "xmlns=\"http://www.w3.org/2000/svg\""));

  std::ofstream(dir / "result.json") << "[1, 2]";
  EXPECT_TRUE(Contains(ErrorOf<DataError>([&] { RunReportHtml(dir.string()); }), "result.json: not a JSON object"));
  EXPECT_TRUE(Contains(ErrorOf<IoError>([] { RunReportHtml("/nonexistent/job"); }), "lever train --doctor --job-dir"));
}

}  // namespace
}  // namespace lever
