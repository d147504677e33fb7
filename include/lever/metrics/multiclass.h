#pragma once
// Metrics of multi-class classifiers from predicted and true class ids 0 .. K-1.
#include <cstdint>
#include <vector>

#include "lever/metrics/number_span.h"
#include "lever/tensor/tensor.h"

namespace lever {

struct ClassScores {
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;
};

/// counts(t, p) = (weighted) number of examples of true class t predicted as class p. Rates with a zero
/// denominator are 0, as scikit-learn returns with zero_division=0.
class ConfusionMatrix {
 public:
  /// Class ids must be integers in [0, num_classes); num_classes = 0 takes the largest id seen + 1.
  /// Predictions first, then the truth, like every lever metric (scikit-learn's order is the reverse).
  ConfusionMatrix(NumberSpan predicted, NumberSpan truth, int num_classes = 0, NumberSpan weights = {});

  int num_classes() const { return num_classes_; }
  double count(int truth, int predicted) const;
  double Total() const { return total_; }
  /// Examples whose true class is c (row sum) and examples predicted as c (column sum).
  double Support(int c) const;
  double PredictedCount(int c) const;
  /// Whether class c occurs among the true or the predicted ids: the classes scikit-learn averages over
  /// when not given a label list.
  bool Present(int c) const;

  /// Trace / total.
  double Accuracy() const;
  /// Precision count(c, c) / PredictedCount(c), recall count(c, c) / Support(c), and their F1.
  ClassScores Scores(int c) const;
  /// Unweighted mean of Scores(c) over the present classes.
  ClassScores MacroAverage() const;
  /// From the summed counts: precision = recall = F1 = accuracy for single-label predictions.
  ClassScores MicroAverage() const;
  /// Mean of Scores(c) over the present classes weighted by Support(c).
  ClassScores WeightedAverage() const;

 private:
  int num_classes_ = 0;
  double total_ = 0.0;
  std::vector<double> counts_;  // row-major, truth x predicted
  std::vector<char> present_;
};

/// For each row of scores (examples x classes), the column of its largest value (the first on ties).
std::vector<int64_t> ArgMaxRows(const Tensor& scores);
std::vector<int64_t> ArgMaxRows(const TensorD& scores);

}  // namespace lever
