#pragma once
// ROC and precision-recall curves, one point per distinct score, and their CSV export.
#include <ostream>
#include <vector>

#include "lever/metrics/number_span.h"
#include "lever/metrics/threshold_table.h"

namespace lever {

/// The ROC curve at a threshold: FPR = FP / N and TPR = TP / P of "positive iff score >= threshold".
struct RocPoint {
  double threshold = 0.0;
  double false_positive_rate = 0.0;
  double true_positive_rate = 0.0;
};

/// The precision-recall curve at a threshold.
struct PrPoint {
  double threshold = 0.0;
  double recall = 0.0;
  double precision = 0.0;
};

/// Points in decreasing threshold order, starting at (0, 0) with threshold +inf, then one per distinct
/// score: scikit-learn's roc_curve(drop_intermediate=False), whose first threshold is +inf from 1.3 on
/// (max score + 1 in 1.2). A rate whose class is absent is NaN, as in scikit-learn.
std::vector<RocPoint> RocCurve(const ThresholdTable& table);
std::vector<RocPoint> RocCurve(NumberSpan scores, NumberSpan labels, NumberSpan weights = {});

/// Points in decreasing threshold order, starting at recall 0, precision 1 with threshold +inf (the
/// point scikit-learn's precision_recall_curve appends without a threshold), then one per distinct
/// score: scikit-learn's arrays reversed. Recall is NaN when no example is positive (scikit-learn: 1).
std::vector<PrPoint> PrCurve(const ThresholdTable& table);
std::vector<PrPoint> PrCurve(NumberSpan scores, NumberSpan labels, NumberSpan weights = {});

/// CSV with a header row ("threshold,false_positive_rate,true_positive_rate"; "threshold,recall,precision";
/// the table: "threshold,true_positives,false_positives,true_negatives,false_negatives,precision,recall,
/// false_positive_rate,f1,youden_j"). Numbers in the shortest form that reads back exactly; infinity as
/// "inf", NaN as "nan". IoError when the stream fails.
void WriteCsv(std::ostream& out, const std::vector<RocPoint>& curve);
void WriteCsv(std::ostream& out, const std::vector<PrPoint>& curve);
void WriteCsv(std::ostream& out, const ThresholdTable& table);

}  // namespace lever
