// The test-set evaluation a report draws (lever/report/test_evaluation.h): hand-worked curves, thresholds
// and histograms, the confusion of soft labels equal to that of their class ids, thinned curves that keep
// their ends, and a report page that draws each head's section and survives a damaged evaluation.json.
#include "lever/report/test_evaluation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "lever/doctor/record_file.h"
#include "lever/error.h"
#include "lever/report/run_report.h"
#include "testing/files.h"

namespace lever {
namespace {

using testing::Contains;
using testing::ErrorOf;

Tensor Column(const std::vector<float>& v) {
  Tensor t(static_cast<Index>(v.size()), 1);
  for (size_t i = 0; i < v.size(); ++i) t(static_cast<Index>(i), 0) = v[i];
  return t;
}

// scikit-learn's roc_auc_score example: scores 0.1, 0.4, 0.35, 0.8 for labels 0, 0, 1, 1 give AUC 0.75.
TEST(TestEvaluationTest, BinaryCurvesThresholdsAndConfusionByHand) {
  const nlohmann::ordered_json j =
      TestEvaluationJson("binary", Column({0.1f, 0.4f, 0.35f, 0.8f}), Column({0, 0, 1, 1}), {"no", "yes"});
  EXPECT_EQ(j["head"], "binary");
  EXPECT_EQ(j["rows"], 4);
  EXPECT_EQ(j["classes"], nlohmann::ordered_json::array({"no", "yes"}));
  EXPECT_DOUBLE_EQ(j["auc_roc"].get<double>(), 0.75);
  EXPECT_NEAR(j["auc_pr"].get<double>(), 0.8333333, 1e-6);  // scikit-learn's average_precision_score
  // ROC: (0,0), then 0.8 (TP), 0.4 (FP), 0.35 (TP), 0.1 (FP).
  EXPECT_EQ(j["roc"], nlohmann::ordered_json::parse("[[0,0],[0,0.5],[0.5,0.5],[0.5,1],[1,1]]"));
  const auto& rows = j["thresholds"];
  ASSERT_EQ(rows.size(), 11u);  // 0.1 .. 0.9, best F1, best Youden's J
  // At 0.3: 0.8, 0.4 and 0.35 positive: TP 2, FP 1, TN 1, FN 0.
  EXPECT_DOUBLE_EQ(rows[2]["threshold"].get<double>(), 0.3);
  EXPECT_EQ(rows[2]["true_positives"], 2.0);
  EXPECT_EQ(rows[2]["false_positives"], 1.0);
  EXPECT_EQ(rows[2]["true_negatives"], 1.0);
  EXPECT_NEAR(rows[2]["precision"].get<double>(), 2.0 / 3, 1e-12);
  // At 0.5 the table's row agrees with the confusion counted straight from the scores.
  EXPECT_EQ(rows[4]["true_positives"], j["confusion"]["true_positives"]);
  EXPECT_EQ(rows[4]["false_positives"], j["confusion"]["false_positives"]);
  EXPECT_EQ(rows[4]["true_negatives"], 2.0);
  EXPECT_EQ(rows[4]["false_negatives"], 1.0);
  // Best F1: at 0.35 (TP 2, FP 1: F1 0.8).
  EXPECT_EQ(rows[9]["name"], "best F1");
  EXPECT_NEAR(rows[9]["threshold"].get<double>(), 0.35, 1e-6);
  EXPECT_NEAR(rows[9]["f1"].get<double>(), 0.8, 1e-12);
  EXPECT_TRUE(j["calibration"].contains("expected_calibration_error"));
}

TEST(TestEvaluationTest, LongCurvesAreThinnedKeepingTheirEnds) {
  const Index n = 5000;
  Tensor p(n, 1), y(n, 1);
  for (Index i = 0; i < n; ++i) {
    p(i, 0) = static_cast<float>(i) / n;
    y(i, 0) = static_cast<float>(i % 3 == 0);
  }
  const nlohmann::ordered_json j = TestEvaluationJson("binary", p, y);
  ASSERT_EQ(j["roc"].size(), kMaxCurvePoints);
  EXPECT_EQ(j["roc"].front(), nlohmann::ordered_json::parse("[0,0]"));
  EXPECT_EQ(j["roc"].back(), nlohmann::ordered_json::parse("[1,1]"));
  EXPECT_EQ(j["pr"].size(), kMaxCurvePoints);
  EXPECT_EQ(j["classes"], nlohmann::ordered_json::array({"0", "1"}));

  const nlohmann::ordered_json r = TestEvaluationJson("regression", p, y);
  ASSERT_EQ(r["scatter"].size(), kMaxScatterPoints);
  EXPECT_EQ(r["scatter"].front()[1], 0.0);
  EXPECT_FLOAT_EQ(r["scatter"].back()[1].get<float>(), p(n - 1, 0));
  EXPECT_FALSE(r.contains("classes"));
}

TEST(TestEvaluationTest, SoftLabelsGiveTheConfusionOfTheirClassIds) {
  Tensor p(4, 3), soft(4, 3);
  p << 0.7f, 0.2f, 0.1f, 0.1f, 0.8f, 0.1f, 0.3f, 0.3f, 0.4f, 0.5f, 0.4f, 0.1f;
  soft << 0.9f, 0.05f, 0.05f, 0.0f, 1.0f, 0.0f, 0.2f, 0.7f, 0.1f, 0.0f, 0.0f, 1.0f;
  const nlohmann::ordered_json by_soft = TestEvaluationJson("multi_class", p, soft, {"a", "b", "c"});
  const nlohmann::ordered_json by_ids = TestEvaluationJson("multi_class", p, Column({0, 1, 1, 2}), {"a", "b", "c"});
  EXPECT_EQ(by_soft["confusion_matrix"], by_ids["confusion_matrix"]);
  // Rows: label; columns: predicted. Row 1 (b): one b predicted b, one predicted c.
  EXPECT_EQ(by_ids["confusion_matrix"], nlohmann::ordered_json::parse("[[1,0,0],[0,1,1],[1,0,0]]"));
  EXPECT_EQ(by_ids["classes"], nlohmann::ordered_json::array({"a", "b", "c"}));
  EXPECT_EQ(by_ids["classes_scores"].size(), 3u);

  EXPECT_TRUE(Contains(ErrorOf<DataError>([&] {
                         TestEvaluationJson("binary", p, Column({0, 1}));
                       }),
                       "predictions are (4, 3) but the labels (2, 1)"));
}

TEST(TestEvaluationTest, WeightHistogramsCountZerosAndSkipNonFiniteWeights) {
  Tensor kernel(1, 5);
  kernel << -1.0f, 0.0f, 0.0f, 1.0f, std::nanf("");
  const Tensor zeros = Tensor::Zero(2, 2);
  const nlohmann::ordered_json h = WeightHistogramsJson({{"dense/kernel", &kernel}, {"empty/kernel", &zeros}});
  const auto& k = h["dense/kernel"];
  EXPECT_EQ(k["lower"], -1.0);
  EXPECT_EQ(k["upper"], 1.0);
  EXPECT_EQ(k["zeros"], 2);
  EXPECT_EQ(k["non_finite"], 1);
  EXPECT_EQ(k["total"], 5);
  ASSERT_EQ(k["counts"].size(), static_cast<size_t>(kWeightHistogramBins));
  EXPECT_EQ(k["counts"][0], 1);                  // -1
  EXPECT_EQ(k["counts"][20], 2);                 // 0 sits at the start of bin 20 of 40 over [-1, 1]
  EXPECT_EQ(k["counts"][39], 1);                 // 1, the top edge, in the last bin
  EXPECT_EQ(h["empty/kernel"]["counts"][0], 4);  // all equal: one bin
  EXPECT_EQ(h["empty/kernel"]["zeros"], 4);
}

// A report page of a job with an evaluation.json: each head's section, and a damaged file read as far as it
// makes sense, never as numbers it does not hold.
TEST(TestEvaluationTest, TheReportDrawsEachHeadAndSurvivesADamagedFile) {
  const std::filesystem::path dir = testing::TempPath("report_evaluation_job");
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "doctor_record.json") << DoctorRecordToJson(DoctorRecord{}, false).dump();
  const auto page_with = [&](const nlohmann::ordered_json& evaluation) {
    std::ofstream(dir / "evaluation.json", std::ios::trunc) << evaluation.dump();
    return RunReportHtml(dir.string());
  };
  nlohmann::ordered_json binary =
      TestEvaluationJson("binary", Column({0.1f, 0.4f, 0.35f, 0.8f}), Column({0, 0, 1, 1}), {"<no>", "yes"});
  Tensor kernel(1, 2);
  kernel << 0.0f, 0.5f;
  binary["weights"] = WeightHistogramsJson({{"dense/kernel", &kernel}});
  std::string html = page_with(binary);
  EXPECT_TRUE(Contains(html, "AUC-ROC 0.7500"));
  EXPECT_TRUE(Contains(html, "<th>label yes</th><td>1</td><td>1</td>"));  // TP 1 (0.8), FN 1 (0.35) at 0.5
  EXPECT_TRUE(Contains(html, "predicted &lt;no&gt;"));                    // class names escaped
  EXPECT_TRUE(Contains(html, "<th>best F1: 0.35</th>"));
  // At 0.9 nothing is predicted positive: precision 0 / 0 is shown as undefined, not as 0.
  EXPECT_TRUE(Contains(html, "<tr><th>0.9</th><td>n/a</td><td>0.0000</td>")) << html;
  EXPECT_TRUE(Contains(html, "<p>4 test rows, binary head;"));
  EXPECT_TRUE(Contains(html, "<td>1 (50.0%)</td>"));  // the kernel's exact zeros

  html = page_with(TestEvaluationJson("multi_class", Column({0, 0, 0}).replicate(1, 2), Column({0, 1, 1}), {"x", "y"}));
  EXPECT_TRUE(Contains(html, "<h3>Confusion matrix</h3>"));
  EXPECT_TRUE(Contains(html, "<tr><th>y</th><td>2</td><td class=\"diagonal\">0</td></tr>"));

  html = page_with(TestEvaluationJson("regression", Column({1, 2, 3}), Column({1, 2, 4})));
  EXPECT_TRUE(Contains(html, "Predictions against labels"));

  for (const char* damaged : {R"({"head": "binary", "roc": "x", "thresholds": [1, {"f1": "y"}], "calibration": 3})",
                              R"({"head": "multi_class", "confusion_matrix": [[1], "z"], "classes": [5]})",
                              R"({"head": 7, "weights": {"k": {"counts": [1, 2], "total": 0}}})",
                              R"({"head": "regression", "scatter": [[1], [null, 2], "q"]})"}) {
    html = page_with(nlohmann::ordered_json::parse(damaged));
    EXPECT_TRUE(Contains(html, "<h2>The model on the test set</h2>")) << damaged;
    // What is missing is said, not left out without a word.
    EXPECT_TRUE(Contains(html, "<p class=\"note\">evaluation.json")) << damaged;
  }
  html = page_with(nlohmann::ordered_json::parse(R"({"head": "binary", "rows": 4, "roc": [[0, 0]], "weights": {}})"));
  EXPECT_TRUE(Contains(html,
                       "evaluation.json holds no pr, auc_roc, auc_pr, calibration, confusion, thresholds: those "
                       "parts are empty."))
      << html;
  EXPECT_TRUE(Contains(html, "evaluation.json holds no weights: no histogram."));
  html = page_with(nlohmann::ordered_json::parse(R"({"head": {"x": 1}})"));
  EXPECT_TRUE(Contains(html, "evaluation.json's head is &quot;{&quot;x&quot;:1}&quot;, not one lever draws")) << html;
  std::filesystem::remove(dir / "evaluation.json");
  EXPECT_TRUE(Contains(RunReportHtml(dir.string()), "No evaluation.json in the job directory"));
  std::ofstream(dir / "evaluation.json", std::ios::trunc) << "[]";
  EXPECT_TRUE(Contains(ErrorOf<DataError>([&] { RunReportHtml(dir.string()); }), "evaluation.json: not a JSON object"));
}

}  // namespace
}  // namespace lever
