#pragma once
// Choosing the decision threshold of a binary classifier: maximize F1 or Youden's J, reach a target
// precision or recall, or minimize the expected cost of a cost matrix.
#include <string>
#include <string_view>

#include "lever/metrics/binary_confusion.h"
#include "lever/metrics/number_span.h"
#include "lever/metrics/threshold_table.h"

namespace lever {

/// Cost of each outcome per example (a negative cost is a benefit). Only the differences
/// false_negative - true_positive and false_positive - true_negative move the choice.
struct CostMatrix {
  double true_positive = 0.0;
  double false_positive = 1.0;
  double true_negative = 0.0;
  double false_negative = 1.0;
};

/// What ChooseThreshold optimizes. The factories check their argument (ConfigError).
class ThresholdCriterion {
 public:
  enum class Kind { kMaxF1, kMaxYoudenJ, kTargetPrecision, kTargetRecall, kMinCost };

  /// Maximize F1 = 2 TP / (2 TP + FP + FN).
  static ThresholdCriterion MaxF1();
  /// Maximize Youden's J = TPR - FPR.
  static ThresholdCriterion MaxYoudenJ();
  /// Maximize recall among thresholds whose precision is >= `precision`, in (0, 1].
  static ThresholdCriterion TargetPrecision(double precision);
  /// Maximize precision among thresholds whose recall is >= `recall`, in (0, 1].
  static ThresholdCriterion TargetRecall(double recall);
  /// Minimize the mean cost per example, sum of cost * weighted count over the four outcomes / total.
  static ThresholdCriterion MinCost(const CostMatrix& costs);
  /// Reads what Describe writes: "max_f1", "youden_j", "target_precision=0.9", "target_recall=0.8",
  /// "min_cost=fp:1,fn:5" (entries tp, fp, tn, fn; missing ones are 0).
  static ThresholdCriterion Parse(std::string_view text);

  Kind kind() const { return kind_; }
  /// The target of kTargetPrecision and kTargetRecall.
  double target() const { return target_; }
  const CostMatrix& costs() const { return costs_; }
  std::string Describe() const;

 private:
  explicit ThresholdCriterion(Kind kind) : kind_(kind) {}
  Kind kind_;
  double target_ = 0.0;
  CostMatrix costs_;
};

/// The chosen threshold (classify positive iff score >= threshold) and the counts it gives.
struct ThresholdChoice {
  /// One of the scores, or +inf when predicting nothing positive is best.
  double threshold = 0.0;
  BinaryConfusion confusion;
  /// The optimized value there: F1, J, recall (target precision), precision (target recall) or mean cost.
  double objective = 0.0;
};

/// The best row of the table for the criterion; among equally good rows, the highest threshold (the
/// fewest positive predictions). DataError when the criterion cannot be met: F1, a target precision or
/// recall without positive examples; Youden's J without both classes; a target precision no threshold
/// reaches (the message gives the highest precision reached).
ThresholdChoice ChooseThreshold(const ThresholdTable& table, const ThresholdCriterion& criterion);
ThresholdChoice ChooseThreshold(NumberSpan scores, NumberSpan labels, const ThresholdCriterion& criterion,
                                NumberSpan weights = {});

}  // namespace lever
