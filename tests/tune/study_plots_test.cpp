// The SVG plots: well-formed documents with one point per trial that has a metric, a best-so-far line,
// and logarithmic axes where the scale calls for them.
#include "lever/tune/study_plots.h"

#include <gtest/gtest.h>

#include <cmath>

namespace lever::tune {
namespace {

int Count(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

std::vector<TrialRecord> Trials() {
  return {{{0.001, 0}, TrialState::kCompleted, 5.0},
          {{0.01, 1}, TrialState::kFailed, std::nan("")},
          {{0.1, 1}, TrialState::kStopped, 3.0},
          {{0.05, 0}, TrialState::kCompleted, 4.0},
          {{0.002, 1}, TrialState::kCompleted, 1.0}};
}

TEST(StudyPlotsTest, MetricByTrialHasAPointPerValueAndTheBestSoFarLine) {
  const std::string svg = MetricByTrialSvg(Trials(), Goal::kMinimize, "rmse <val>");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  EXPECT_EQ(Count(svg, "<circle"), 4);                // the failed trial has no value
  EXPECT_EQ(Count(svg, "fill=\"white\" stroke"), 1);  // the stopped one is hollow
  EXPECT_EQ(Count(svg, "<path d=\"M"), 1);
  EXPECT_EQ(Count(svg, " L"), 5);  // best 5 -> 3 -> 1: two steps of two segments, then to the edge
  EXPECT_NE(svg.find("rmse &lt;val&gt; by trial (MINIMIZE), best 1"), std::string::npos);
  EXPECT_EQ(svg.find("(log scale)"), std::string::npos);
}

TEST(StudyPlotsTest, LogScaledParametersGetALogAxis) {
  const SearchSpace space(
      {{.name = "lr", .type = ParameterType::kDouble, .min_value = 1e-3, .max_value = 0.1, .scale = ScaleType::kLog},
       {.name = "opt",
        .type = ParameterType::kCategorical,
        .max_value = 1,
        .categorical_values = {"adam", "sgd"},
        .scale = ScaleType::kNone}});
  const std::string lr = MetricVsParameterSvg(space, 0, Trials(), "rmse");
  EXPECT_NE(lr.find("lr (log scale)"), std::string::npos);
  EXPECT_NE(lr.find(">0.01</text>"), std::string::npos);  // a decade tick
  EXPECT_EQ(Count(lr, "<circle"), 4);
  const std::string opt = MetricVsParameterSvg(space, 1, Trials(), "rmse");
  EXPECT_NE(opt.find(">adam</text>"), std::string::npos);
  EXPECT_NE(opt.find(">sgd</text>"), std::string::npos);
  EXPECT_EQ(opt.find("(log scale)"), std::string::npos);
}

}  // namespace
}  // namespace lever::tune
