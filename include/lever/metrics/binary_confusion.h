#pragma once
// The four counts of a binary decision (weighted counts when sample weights are given) and the rates
// derived from them.

namespace lever {

/// Counts of (label, decision) pairs, where the decision is "positive iff score >= threshold".
/// A rate whose denominator is zero is 0, as scikit-learn returns with zero_division=0 (it warns).
struct BinaryConfusion {
  double true_positives = 0.0;
  double false_positives = 0.0;
  double true_negatives = 0.0;
  double false_negatives = 0.0;

  double Total() const { return true_positives + false_positives + true_negatives + false_negatives; }
  /// Examples labeled 1 (P) and 0 (N).
  double Positives() const { return true_positives + false_negatives; }
  double Negatives() const { return false_positives + true_negatives; }
  double PredictedPositives() const { return true_positives + false_positives; }

  /// (TP + TN) / total.
  double Accuracy() const { return Ratio(true_positives + true_negatives, Total()); }
  /// TP / (TP + FP).
  double Precision() const { return Ratio(true_positives, PredictedPositives()); }
  /// TP / P, the true positive rate (sensitivity).
  double Recall() const { return Ratio(true_positives, Positives()); }
  /// FP / N.
  double FalsePositiveRate() const { return Ratio(false_positives, Negatives()); }
  /// TN / N, the true negative rate.
  double Specificity() const { return Ratio(true_negatives, Negatives()); }
  /// Harmonic mean of precision and recall, computed as 2 TP / (2 TP + FP + FN).
  double F1() const { return Ratio(2.0 * true_positives, 2.0 * true_positives + false_positives + false_negatives); }
  /// Youden's J = recall + specificity - 1 = TPR - FPR (Youden 1950).
  double YoudenJ() const { return Recall() + Specificity() - 1.0; }

 private:
  static double Ratio(double numerator, double denominator) {
    return denominator > 0.0 ? numerator / denominator : 0.0;
  }
};

}  // namespace lever
