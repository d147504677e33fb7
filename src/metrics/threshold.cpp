#include "lever/metrics/threshold.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "metrics/inputs.h"

namespace lever {
namespace {

std::string ShortestText(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

double CheckTarget(const char* what, double target) {
  if (!(target > 0.0 && target <= 1.0)) {
    throw ConfigError(std::string("threshold criterion: target ") + what + " " + FormatValue(target) +
                      " is outside (0, 1]; pass a fraction such as 0.9.");
  }
  return target;
}

constexpr const char* kCriterionHelp =
    "use max_f1, youden_j, target_precision=P, target_recall=R or min_cost=fp:C,fn:C (entries tp, fp, tn, fn)";

double ParseNumber(std::string_view whole, std::string_view text) {
  double value = 0.0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) {
    throw ConfigError("threshold criterion '" + std::string(whole) + "': '" + std::string(text) +
                      "' is not a number; " + kCriterionHelp + ".");
  }
  return value;
}

CostMatrix ParseCosts(std::string_view whole, std::string_view text) {
  CostMatrix costs{0.0, 0.0, 0.0, 0.0};
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view entry = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const size_t colon = entry.find(':');
    const std::string_view name = entry.substr(0, colon);
    if (colon == std::string_view::npos) {
      throw ConfigError("threshold criterion '" + std::string(whole) + "': cost entry '" + std::string(entry) +
                        "' lacks ':'; write outcome:cost, e.g. min_cost=fp:1,fn:5.");
    }
    const double value = ParseNumber(whole, entry.substr(colon + 1));
    if (name == "tp")
      costs.true_positive = value;
    else if (name == "fp")
      costs.false_positive = value;
    else if (name == "tn")
      costs.true_negative = value;
    else if (name == "fn")
      costs.false_negative = value;
    else {
      throw ConfigError("threshold criterion '" + std::string(whole) + "': unknown outcome '" + std::string(name) +
                        "'; the outcomes are tp, fp, tn and fn.");
    }
  }
  return costs;
}

double MeanCost(const BinaryConfusion& c, const CostMatrix& costs) {
  return (costs.true_positive * c.true_positives + costs.false_positive * c.false_positives +
          costs.true_negative * c.true_negatives + costs.false_negative * c.false_negatives) /
         c.Total();
}

}  // namespace

ThresholdCriterion ThresholdCriterion::MaxF1() { return ThresholdCriterion(Kind::kMaxF1); }

ThresholdCriterion ThresholdCriterion::MaxYoudenJ() { return ThresholdCriterion(Kind::kMaxYoudenJ); }

ThresholdCriterion ThresholdCriterion::TargetPrecision(double precision) {
  ThresholdCriterion c(Kind::kTargetPrecision);
  c.target_ = CheckTarget("precision", precision);
  return c;
}

ThresholdCriterion ThresholdCriterion::TargetRecall(double recall) {
  ThresholdCriterion c(Kind::kTargetRecall);
  c.target_ = CheckTarget("recall", recall);
  return c;
}

ThresholdCriterion ThresholdCriterion::MinCost(const CostMatrix& costs) {
  for (double v : {costs.true_positive, costs.false_positive, costs.true_negative, costs.false_negative}) {
    if (!std::isfinite(v)) {
      throw ConfigError("threshold criterion: cost " + FormatValue(v) + " is not finite; pass finite costs.");
    }
  }
  if (costs.false_negative == costs.true_positive && costs.false_positive == costs.true_negative) {
    throw ConfigError(
        "threshold criterion: with these costs every threshold costs the same (fn = tp and fp = tn); "
        "make a false positive or a false negative cost more than the correct decision.");
  }
  ThresholdCriterion c(Kind::kMinCost);
  c.costs_ = costs;
  return c;
}

ThresholdCriterion ThresholdCriterion::Parse(std::string_view text) {
  const size_t equals = text.find('=');
  const std::string_view name = text.substr(0, equals);
  const std::string_view value = equals == std::string_view::npos ? std::string_view() : text.substr(equals + 1);
  const bool has_value = equals != std::string_view::npos;
  if (!has_value && name == "max_f1") return MaxF1();
  if (!has_value && name == "youden_j") return MaxYoudenJ();
  if (has_value && name == "target_precision") return TargetPrecision(ParseNumber(text, value));
  if (has_value && name == "target_recall") return TargetRecall(ParseNumber(text, value));
  if (has_value && name == "min_cost") return MinCost(ParseCosts(text, value));
  throw ConfigError("threshold criterion '" + std::string(text) + "' is unknown; " + kCriterionHelp + ".");
}

std::string ThresholdCriterion::Describe() const {
  switch (kind_) {
    case Kind::kMaxF1:
      return "max_f1";
    case Kind::kMaxYoudenJ:
      return "youden_j";
    case Kind::kTargetPrecision:
      return "target_precision=" + ShortestText(target_);
    case Kind::kTargetRecall:
      return "target_recall=" + ShortestText(target_);
    case Kind::kMinCost:
      return "min_cost=tp:" + ShortestText(costs_.true_positive) + ",fp:" + ShortestText(costs_.false_positive) +
             ",tn:" + ShortestText(costs_.true_negative) + ",fn:" + ShortestText(costs_.false_negative);
  }
  return "";
}

ThresholdChoice ChooseThreshold(const ThresholdTable& table, const ThresholdCriterion& criterion) {
  using Kind = ThresholdCriterion::Kind;
  const Kind kind = criterion.kind();
  const std::string name = "choosing a threshold (" + criterion.Describe() + ")";
  if (kind != Kind::kMinCost && table.positives() == 0.0) {
    throw DataError(name + ": no example is labeled 1; this criterion needs positive examples.");
  }
  if (kind == Kind::kMaxYoudenJ && table.negatives() == 0.0) {
    throw DataError(name + ": no example is labeled 0; Youden's J needs both classes.");
  }
  const ThresholdRow* best = nullptr;
  double best_value = 0.0, highest_precision = 0.0;
  for (const ThresholdRow& row : table.rows()) {
    const BinaryConfusion& c = row.confusion;
    double value = 0.0;  // larger is better
    switch (kind) {
      case Kind::kMaxF1:
        value = c.F1();
        break;
      case Kind::kMaxYoudenJ:
        value = c.YoudenJ();
        break;
      case Kind::kTargetPrecision:
        if (c.PredictedPositives() > 0.0) highest_precision = std::max(highest_precision, c.Precision());
        if (c.PredictedPositives() == 0.0 || c.Precision() < criterion.target()) continue;
        value = c.Recall();
        break;
      case Kind::kTargetRecall:
        if (c.Recall() < criterion.target()) continue;
        value = c.Precision();
        break;
      case Kind::kMinCost:
        value = -MeanCost(c, criterion.costs());
        break;
    }
    // Rows come highest threshold first, so a strict improvement keeps the highest of tied thresholds.
    if (best == nullptr || value > best_value) {
      best = &row;
      best_value = value;
    }
  }
  if (best == nullptr) {
    throw DataError(name + ": no threshold reaches precision " + FormatValue(criterion.target()) +
                    "; the highest precision reached is " + FormatValue(highest_precision) +
                    ". Lower the target or improve the model.");
  }
  return {best->threshold, best->confusion, kind == Kind::kMinCost ? -best_value : best_value};
}

ThresholdChoice ChooseThreshold(NumberSpan scores, NumberSpan labels, const ThresholdCriterion& criterion,
                                NumberSpan weights) {
  return ChooseThreshold(ThresholdTable("choosing a threshold", scores, labels, weights), criterion);
}

}  // namespace lever
