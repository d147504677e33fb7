#pragma once
// The decision "positive iff score >= threshold" at every distinct score: the table behind the ROC and
// precision-recall curves, their areas and threshold tuning. One sort, O(n log n).
#include <vector>

#include "lever/metrics/binary_confusion.h"
#include "lever/metrics/number_span.h"

namespace lever {

/// One candidate threshold and the counts its decision gives.
struct ThresholdRow {
  double threshold = 0.0;
  BinaryConfusion confusion;
};

/// Rows in decreasing threshold order: row 0 has threshold +inf (nothing predicted positive), then one
/// row per distinct score, highest first (tied scores share a row, as in scikit-learn's roc_curve with
/// drop_intermediate=False). Examples of weight 0 are dropped first, as scikit-learn does. The last row
/// predicts every example positive.
class ThresholdTable {
 public:
  /// Scores must be finite, labels 0 or 1, weights (optional) finite and >= 0; DataError otherwise.
  ThresholdTable(NumberSpan scores, NumberSpan labels, NumberSpan weights = {});
  /// As above; `context` names the caller in error messages ("AUC-ROC: ...").
  ThresholdTable(const char* context, NumberSpan scores, NumberSpan labels, NumberSpan weights);

  const std::vector<ThresholdRow>& rows() const { return rows_; }
  /// Weighted counts of examples labeled 1 and 0.
  double positives() const { return rows_.front().confusion.false_negatives; }
  double negatives() const { return rows_.front().confusion.true_negatives; }

  /// Trapezoidal area under (FPR, TPR) over all rows; NaN when a class is missing.
  double AucRoc() const;
  /// Average precision: sum over rows k >= 1 of (recall_k - recall_{k-1}) * precision_k; NaN without
  /// positives.
  double AucPr() const;

 private:
  std::vector<ThresholdRow> rows_;
};

}  // namespace lever
