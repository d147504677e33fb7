#pragma once
// What is behind an evaluation's metrics (`lever eval --report`), by head, as text and as JSON:
//
//   binary       the confusion counts at threshold 0.5 and the reliability diagram: 10 probability bins,
//                mean prediction against mean label, expected and maximum calibration error
//                (lever/metrics/calibration.h)
//   multi_class  the confusion matrix (rows: label, columns: predicted class, the arg max) and each
//                class's support, precision, recall and F1 with their macro average (lever/metrics/multiclass.h)
//   multi_label  each label's AUC-ROC and accuracy at 0.5 (lever/metrics/multilabel.h)
//   regression   nothing (the metrics say it all)
//
// and the CSV files behind a binary head's curves and a multi-class head's confusion matrix.
//
//   EvaluationReport report = MakeEvaluationReport(job, job.estimator->Predict(examples), examples.labels);
//   std::cout << report.Text();
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lever/metrics/binary_confusion.h"
#include "lever/metrics/calibration.h"
#include "lever/metrics/multiclass.h"
#include "lever/tensor/tensor.h"

namespace lever {

struct Job;

/// One label of a multi-label head: AUC-ROC (NaN when the label has one class only) and the share of
/// examples whose prediction at 0.5 is right.
struct LabelReport {
  std::string name;
  double auc = 0.0;
  double accuracy = 0.0;
};

struct EvaluationReport {
  static constexpr double kThreshold = 0.5;  // the binary decision the confusion counts are of
  static constexpr int kCalibrationBins = 10;

  std::string head;  // "binary", "multi_class", "multi_label"; any other has nothing to report
  // binary
  BinaryConfusion confusion;
  Calibration calibration;
  // multi_class
  std::optional<ConfusionMatrix> confusion_matrix;
  // multi_label, in the head's label order
  std::vector<LabelReport> labels;

  /// The lines `lever eval --report` prints (each ending in a line break; empty for a head without a report).
  std::string Text() const;
  /// The fields `lever eval --report --json` adds: binary "confusion" and "calibration"; multi_class
  /// "confusion_matrix", "classes" and "macro_average"; multi_label "per_label" ({"<label>": {"auc": ...,
  /// "accuracy": ...}}). An empty object for a head without a report.
  nlohmann::ordered_json Json() const;
};

/// The report of `predictions` (rows x outputs, as Estimator::Predict gives them) against `labels` (rows x 1
/// for binary, class ids for multi_class; rows x labels of 0/1 for multi_label). `head` as Job::HeadKind
/// names it; `label_names` name a multi-label head's labels (default "0", "1", ...). Throws DataError when
/// the shapes do not fit the head or a binary probability or label is out of range.
EvaluationReport MakeEvaluationReport(const std::string& head, const Tensor& predictions, const Tensor& labels,
                                      const std::vector<std::string>& label_names = {});
/// The same for a job's head, naming a multi-label head's labels as the job does (job.labels.classes).
EvaluationReport MakeEvaluationReport(const Job& job, const Tensor& predictions, const Tensor& labels);

/// The CSV files of a binary head's predictions (column 0) against its 0/1 labels, with a header row:
/// the ROC curve ("threshold,false_positive_rate,true_positive_rate"), the precision-recall curve
/// ("threshold,recall,precision"), the reliability bins ("bin,lower,upper,count,mean_prediction,
/// fraction_positive", EvaluationReport::kCalibrationBins bins). lever/metrics/curves.h has the formats.
std::string RocCurveCsv(const Tensor& predictions, const Tensor& labels);
std::string PrCurveCsv(const Tensor& predictions, const Tensor& labels);
std::string CalibrationCsv(const Tensor& predictions, const Tensor& labels);
/// A multi-class head's confusion matrix ("label,predicted_0,...,predicted_<k-1>", then one row per label
/// 0 .. k-1) of the arg max of `predictions` (rows x k) against class ids `labels`.
std::string ConfusionMatrixCsv(const Tensor& predictions, const Tensor& labels);

/// The curve files `lever eval` writes (--roc, --pr, --calibration for a binary head, --confusion for a
/// multi-class one); an empty path: none.
struct CurveFiles {
  std::string roc, pr, calibration, confusion;

  bool any() const { return !roc.empty() || !pr.empty() || !calibration.empty() || !confusion.empty(); }
  /// Throws ConfigError for a file the head (Job::HeadKind) has no curve for, or one that is one of `inputs`.
  void Check(const std::string& head, const std::vector<std::string>& inputs) const;
  /// Writes each file named, whole or not at all (lever/io/atomic_file.h); IoError naming a failed one.
  void Write(const Tensor& predictions, const Tensor& labels) const;
};

}  // namespace lever
