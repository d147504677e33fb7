#include "lever/estimator/evaluation_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "lever/error.h"

namespace lever {
namespace {

Tensor Matrix(Index rows, Index cols, const std::vector<float>& values) {
  Tensor t(rows, cols);
  for (Index i = 0; i < rows; ++i) {
    for (Index j = 0; j < cols; ++j) t(i, j) = values[static_cast<size_t>(i * cols + j)];
  }
  return t;
}

// Binary, worked by hand. probability 0.95 0.91 0.35 0.65 0.15 0.45, label 1 1 1 0 0 0.
// At 0.5: TP 2 (0.95, 0.91), FN 1 (0.35), FP 1 (0.65), TN 2 (0.15, 0.45).
// Bins of width 0.1: (0.9, 1] holds 0.95 and 0.91 (mean 0.93, both positive: gap 0.07); every other
// example is alone in its bin with gaps 0.65 (0.35), 0.65 (0.65), 0.15 (0.15), 0.45 (0.45).
// ECE = (2 * 0.07 + 0.65 + 0.65 + 0.15 + 0.45) / 6 = 0.34, MCE = 0.65, mean prediction 3.46 / 6, mean label 0.5.
const Tensor kBinaryP = Matrix(6, 1, {0.95f, 0.91f, 0.35f, 0.65f, 0.15f, 0.45f});
const Tensor kBinaryY = Matrix(6, 1, {1, 1, 1, 0, 0, 0});

TEST(EvaluationReportTest, BinaryConfusionAndCalibration) {
  const EvaluationReport r = MakeEvaluationReport("binary", kBinaryP, kBinaryY);
  EXPECT_EQ(r.confusion.true_positives, 2);
  EXPECT_EQ(r.confusion.false_negatives, 1);
  EXPECT_EQ(r.confusion.false_positives, 1);
  EXPECT_EQ(r.confusion.true_negatives, 2);
  EXPECT_NEAR(r.calibration.expected_calibration_error, 0.34, 1e-6);
  EXPECT_NEAR(r.calibration.maximum_calibration_error, 0.65, 1e-6);
  EXPECT_NEAR(r.calibration.mean_prediction, 3.46 / 6, 1e-6);
  EXPECT_DOUBLE_EQ(r.calibration.mean_label, 0.5);
  ASSERT_EQ(r.calibration.bins.size(), 5u);
  EXPECT_EQ(r.calibration.bins.back().count, 2);
  EXPECT_NEAR(r.calibration.bins.back().mean_prediction, 0.93, 1e-6);

  const std::string text = r.Text();
  EXPECT_EQ(text.substr(0, text.find("calibration:")),
            "confusion at threshold 0.5 (lever threshold picks another):\n"
            "               predicted 1  predicted 0\n"
            "  label 1                2            1\n"
            "  label 0                1            2\n");
  EXPECT_NE(text.find("calibration: mean prediction 0.5767, mean label 0.5000, expected calibration error 0.3400, "
                      "maximum 0.6500\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  [0.9, 1.0]          2           0.9300             1.0000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  [0.1, 0.2)          1           0.1500             0.0000\n"), std::string::npos) << text;

  const nlohmann::ordered_json json = r.Json();
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json.begin().key(), "confusion");
  EXPECT_EQ(json["confusion"]["threshold"], 0.5);
  EXPECT_EQ(json["confusion"]["true_positives"], 2.0);
  EXPECT_EQ(json["confusion"]["true_negatives"], 2.0);
  EXPECT_EQ(json["calibration"]["bins"].size(), 5u);
  EXPECT_NEAR(json["calibration"]["expected_calibration_error"].get<double>(), 0.34, 1e-6);
}

TEST(EvaluationReportTest, BinaryCurveFiles) {
  const std::string calibration = CalibrationCsv(kBinaryP, kBinaryY);
  EXPECT_EQ(calibration.substr(0, calibration.find('\n')), "bin,lower,upper,count,mean_prediction,fraction_positive");
  EXPECT_EQ(std::count(calibration.begin(), calibration.end(), '\n'), 6);
  const std::string roc = RocCurveCsv(kBinaryP, kBinaryY);
  // The header, (0, 0) at +inf, then one point per distinct score.
  EXPECT_EQ(roc.substr(0, roc.find('\n', roc.find('\n') + 1)),
            "threshold,false_positive_rate,true_positive_rate\ninf,0,0");
  EXPECT_EQ(std::count(roc.begin(), roc.end(), '\n'), 8);
  const std::string pr = PrCurveCsv(kBinaryP, kBinaryY);
  EXPECT_EQ(pr.substr(0, pr.find('\n')), "threshold,recall,precision");
  EXPECT_THROW(RocCurveCsv(kBinaryP, Matrix(2, 1, {0, 1})), DataError);
}

// Multi-class, worked by hand: labels 0 0 1 1 2 2, arg max 0 1 1 2 2 2.
// counts (rows label): [1 1 0; 0 1 1; 0 0 2]
//   class 0: precision 1/1, recall 1/2, F1 2/3
//   class 1: precision 1/2, recall 1/2, F1 1/2
//   class 2: precision 2/3, recall 2/2, F1 4/5
//   macro:   precision 13/18, recall 2/3, F1 59/90
const Tensor kClassP = Matrix(6, 3,
                              {0.7f, 0.2f, 0.1f, 0.2f, 0.5f, 0.3f, 0.1f, 0.8f, 0.1f,  //
                               0.1f, 0.3f, 0.6f, 0.2f, 0.2f, 0.6f, 0.1f, 0.3f, 0.6f});
const Tensor kClassY = Matrix(6, 1, {0, 0, 1, 1, 2, 2});

TEST(EvaluationReportTest, MultiClassMatrixAndScores) {
  const EvaluationReport r = MakeEvaluationReport("multi_class", kClassP, kClassY);
  ASSERT_TRUE(r.confusion_matrix.has_value());
  const double expected[3][3] = {{1, 1, 0}, {0, 1, 1}, {0, 0, 2}};
  for (int t = 0; t < 3; ++t) {
    for (int p = 0; p < 3; ++p) EXPECT_EQ(r.confusion_matrix->count(t, p), expected[t][p]) << t << "," << p;
  }
  EXPECT_EQ(r.Text(),
            "confusion matrix (rows: label, columns: predicted class):\n"
            "           0     1     2\n"
            "    0      1     1     0\n"
            "    1      0     1     1\n"
            "    2      0     0     2\n"
            "  class  support  precision  recall      f1\n"
            "      0        2     1.0000  0.5000  0.6667\n"
            "      1        2     0.5000  0.5000  0.5000\n"
            "      2        2     0.6667  1.0000  0.8000\n"
            "  macro              0.7222  0.6667  0.6556\n");
  const nlohmann::ordered_json json = r.Json();
  EXPECT_EQ(json["confusion_matrix"], nlohmann::ordered_json::parse("[[1,1,0],[0,1,1],[0,0,2]]"));
  EXPECT_EQ(json["classes"][2]["class"], 2);
  EXPECT_NEAR(json["classes"][2]["f1"].get<double>(), 0.8, 1e-12);
  EXPECT_NEAR(json["macro_average"]["precision"].get<double>(), 13.0 / 18, 1e-12);
  EXPECT_NEAR(json["macro_average"]["f1"].get<double>(), 59.0 / 90, 1e-12);
  std::vector<std::string> keys;
  for (auto it = json.begin(); it != json.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"confusion_matrix", "classes", "macro_average"}));

  EXPECT_EQ(ConfusionMatrixCsv(kClassP, kClassY),
            "label,predicted_0,predicted_1,predicted_2\n0,1,1,0\n1,0,1,1\n2,0,0,2\n");
}

// Multi-label, worked by hand.
//   sports:   scores 0.9 0.6 0.3 0.2, labels 1 0 1 0: 3 of the 4 (positive, negative) pairs ordered, AUC 0.75;
//             right at 0.5: 0.9 and 0.2, accuracy 0.5
//   politics: scores 0.2 0.7 0.4 0.9, labels 0 1 0 1: AUC 1, accuracy 1
const Tensor kLabelP = Matrix(4, 2, {0.9f, 0.2f, 0.6f, 0.7f, 0.3f, 0.4f, 0.2f, 0.9f});
const Tensor kLabelY = Matrix(4, 2, {1, 0, 0, 1, 1, 0, 0, 1});

TEST(EvaluationReportTest, MultiLabelPerLabelScores) {
  const EvaluationReport r = MakeEvaluationReport("multi_label", kLabelP, kLabelY, {"sports", "politics"});
  ASSERT_EQ(r.labels.size(), 2u);
  EXPECT_EQ(r.labels[0].name, "sports");
  EXPECT_DOUBLE_EQ(r.labels[0].auc, 0.75);
  EXPECT_DOUBLE_EQ(r.labels[0].accuracy, 0.5);
  EXPECT_DOUBLE_EQ(r.labels[1].auc, 1.0);
  EXPECT_DOUBLE_EQ(r.labels[1].accuracy, 1.0);
  EXPECT_EQ(r.Text(),
            "per label (accuracy at threshold 0.5):\n"
            "  label        AUC  accuracy\n"
            "  sports    0.7500    0.5000\n"
            "  politics  1.0000    1.0000\n");
  EXPECT_EQ(r.Json().dump(),
            R"({"per_label":{"sports":{"auc":0.75,"accuracy":0.5},"politics":{"auc":1.0,"accuracy":1.0}}})");
  // Unnamed labels are numbered; a label with one class has no AUC.
  const EvaluationReport unnamed = MakeEvaluationReport("multi_label", kLabelP, Matrix(4, 2, {1, 0, 1, 1, 1, 0, 1, 1}));
  EXPECT_EQ(unnamed.labels[1].name, "1");
  EXPECT_TRUE(std::isnan(unnamed.labels[0].auc));
  EXPECT_THROW(MakeEvaluationReport("multi_label", kLabelP, kLabelY, {"only_one"}), DataError);
}

TEST(EvaluationReportTest, RegressionHasNothingToReport) {
  const EvaluationReport r = MakeEvaluationReport("regression", kBinaryP, kBinaryY);
  EXPECT_EQ(r.Text(), "");
  EXPECT_TRUE(r.Json().empty());
}

}  // namespace
}  // namespace lever
