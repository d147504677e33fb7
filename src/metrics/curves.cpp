#include "lever/metrics/curves.h"

#include <limits>

#include "metrics/inputs.h"

namespace lever {
namespace {

// scikit-learn's convention: a rate over an absent class is NaN (it warns), not 0.
double RateOrNan(double count, double total) {
  return total > 0.0 ? count / total : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

std::vector<RocPoint> RocCurve(const ThresholdTable& table) {
  const double p = table.positives(), n = table.negatives();
  std::vector<RocPoint> curve;
  curve.reserve(table.rows().size());
  for (const ThresholdRow& row : table.rows()) {
    curve.push_back(
        {row.threshold, RateOrNan(row.confusion.false_positives, n), RateOrNan(row.confusion.true_positives, p)});
  }
  return curve;
}

std::vector<RocPoint> RocCurve(NumberSpan scores, NumberSpan labels, NumberSpan weights) {
  return RocCurve(ThresholdTable("ROC curve", scores, labels, weights));
}

std::vector<PrPoint> PrCurve(const ThresholdTable& table) {
  const double p = table.positives();
  std::vector<PrPoint> curve;
  curve.reserve(table.rows().size());
  for (const ThresholdRow& row : table.rows()) {
    // Row 0 predicts nothing positive: its precision is 0 / 0, drawn as 1 to anchor the curve at (0, 1).
    const double precision = row.confusion.PredictedPositives() > 0.0 ? row.confusion.Precision() : 1.0;
    curve.push_back({row.threshold, RateOrNan(row.confusion.true_positives, p), precision});
  }
  return curve;
}

std::vector<PrPoint> PrCurve(NumberSpan scores, NumberSpan labels, NumberSpan weights) {
  return PrCurve(ThresholdTable("precision-recall curve", scores, labels, weights));
}

void WriteCsv(std::ostream& out, const std::vector<RocPoint>& curve) {
  out << "threshold,false_positive_rate,true_positive_rate\n";
  for (const RocPoint& point : curve) {
    internal::WriteNumber(out, point.threshold);
    out << ',';
    internal::WriteNumber(out, point.false_positive_rate);
    out << ',';
    internal::WriteNumber(out, point.true_positive_rate);
    out << '\n';
  }
  internal::CheckWritten(out, "ROC curve");
}

void WriteCsv(std::ostream& out, const std::vector<PrPoint>& curve) {
  out << "threshold,recall,precision\n";
  for (const PrPoint& point : curve) {
    internal::WriteNumber(out, point.threshold);
    out << ',';
    internal::WriteNumber(out, point.recall);
    out << ',';
    internal::WriteNumber(out, point.precision);
    out << '\n';
  }
  internal::CheckWritten(out, "precision-recall curve");
}

void WriteCsv(std::ostream& out, const ThresholdTable& table) {
  out << "threshold,true_positives,false_positives,true_negatives,false_negatives,precision,recall,"
         "false_positive_rate,f1,youden_j\n";
  for (const ThresholdRow& row : table.rows()) {
    const BinaryConfusion& c = row.confusion;
    for (double value : {row.threshold, c.true_positives, c.false_positives, c.true_negatives, c.false_negatives,
                         c.Precision(), c.Recall(), c.FalsePositiveRate(), c.F1()}) {
      internal::WriteNumber(out, value);
      out << ',';
    }
    internal::WriteNumber(out, c.YoudenJ());
    out << '\n';
  }
  internal::CheckWritten(out, "threshold table");
}

}  // namespace lever
