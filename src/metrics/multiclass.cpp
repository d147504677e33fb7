#include "lever/metrics/multiclass.h"

#include <algorithm>
#include <cmath>

#include "metrics/inputs.h"

namespace lever {
namespace {

constexpr const char* kMetric = "confusion matrix";
constexpr double kMaxClasses = 1 << 24;  // a guard against ids that are not class ids (hashes, raw values)

std::vector<int> ClassIds(const char* name, NumberSpan values, int num_classes) {
  std::vector<int> ids(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    if (!(v >= 0.0 && v < kMaxClasses && v == std::floor(v))) {
      throw DataError(std::string(kMetric) + ": " + name + "[" + std::to_string(i) + "] = " + FormatValue(v) +
                      " is not a class id; pass integers 0, 1, ..., K-1 (map class names to ids first).");
    }
    ids[i] = static_cast<int>(v);
    if (num_classes > 0 && ids[i] >= num_classes) {
      throw DataError(std::string(kMetric) + ": " + name + "[" + std::to_string(i) + "] = " + std::to_string(ids[i]) +
                      " but num_classes is " + std::to_string(num_classes) +
                      "; raise num_classes or pass 0 to infer it.");
    }
  }
  return ids;
}

double Ratio(double numerator, double denominator) { return denominator > 0.0 ? numerator / denominator : 0.0; }

template <class Matrix>
std::vector<int64_t> ArgMax(const Matrix& scores) {
  if (scores.cols() == 0) throw DataError("argmax: the scores have no columns; pass one column per class.");
  std::vector<int64_t> classes(static_cast<size_t>(scores.rows()));
  for (Index r = 0; r < scores.rows(); ++r) {
    Index best = 0;
    for (Index c = 1; c < scores.cols(); ++c) {
      if (scores(r, c) > scores(r, best)) best = c;
    }
    classes[static_cast<size_t>(r)] = best;
  }
  return classes;
}

}  // namespace

ConfusionMatrix::ConfusionMatrix(NumberSpan predicted, NumberSpan truth, int num_classes, NumberSpan weights) {
  internal::CheckLengths(kMetric, predicted.size(), truth.size(), weights.size(), "predicted classes", "true classes");
  if (num_classes < 0) {
    throw ConfigError(std::string(kMetric) + ": num_classes is " + std::to_string(num_classes) +
                      "; pass the number of classes, or 0 to take the largest class id + 1.");
  }
  const std::vector<int> p = ClassIds("predicted", predicted, num_classes);
  const std::vector<int> t = ClassIds("truth", truth, num_classes);
  const std::vector<double> w = internal::Weights(kMetric, weights, p.size());
  const int largest = std::max(*std::max_element(p.begin(), p.end()), *std::max_element(t.begin(), t.end()));
  num_classes_ = num_classes > 0 ? num_classes : largest + 1;
  const size_t k = static_cast<size_t>(num_classes_);
  counts_.assign(k * k, 0.0);
  present_.assign(k, 0);
  for (size_t i = 0; i < p.size(); ++i) {
    counts_[static_cast<size_t>(t[i]) * k + static_cast<size_t>(p[i])] += w[i];
    total_ += w[i];
    present_[static_cast<size_t>(t[i])] = present_[static_cast<size_t>(p[i])] = 1;
  }
}

double ConfusionMatrix::count(int truth, int predicted) const {
  const size_t k = static_cast<size_t>(num_classes_);
  return counts_.at(static_cast<size_t>(truth) * k + static_cast<size_t>(predicted));
}

double ConfusionMatrix::Support(int c) const {
  double sum = 0.0;
  for (int p = 0; p < num_classes_; ++p) sum += count(c, p);
  return sum;
}

double ConfusionMatrix::PredictedCount(int c) const {
  double sum = 0.0;
  for (int t = 0; t < num_classes_; ++t) sum += count(t, c);
  return sum;
}

bool ConfusionMatrix::Present(int c) const { return present_.at(static_cast<size_t>(c)) != 0; }

double ConfusionMatrix::Accuracy() const {
  double correct = 0.0;
  for (int c = 0; c < num_classes_; ++c) correct += count(c, c);
  return Ratio(correct, total_);
}

ClassScores ConfusionMatrix::Scores(int c) const {
  const double hit = count(c, c), support = Support(c), predicted = PredictedCount(c);
  return {Ratio(hit, predicted), Ratio(hit, support), Ratio(2.0 * hit, support + predicted)};
}

ClassScores ConfusionMatrix::MacroAverage() const {
  ClassScores mean;
  double classes = 0.0;
  for (int c = 0; c < num_classes_; ++c) {
    if (!Present(c)) continue;
    const ClassScores s = Scores(c);
    mean.precision += s.precision;
    mean.recall += s.recall;
    mean.f1 += s.f1;
    classes += 1.0;
  }
  return {mean.precision / classes, mean.recall / classes, mean.f1 / classes};
}

ClassScores ConfusionMatrix::MicroAverage() const {
  const double accuracy = Accuracy();
  return {accuracy, accuracy, accuracy};
}

ClassScores ConfusionMatrix::WeightedAverage() const {
  ClassScores mean;
  double total_support = 0.0;
  for (int c = 0; c < num_classes_; ++c) {
    if (!Present(c)) continue;
    const ClassScores s = Scores(c);
    const double support = Support(c);
    mean.precision += support * s.precision;
    mean.recall += support * s.recall;
    mean.f1 += support * s.f1;
    total_support += support;
  }
  return {Ratio(mean.precision, total_support), Ratio(mean.recall, total_support), Ratio(mean.f1, total_support)};
}

std::vector<int64_t> ArgMaxRows(const Tensor& scores) { return ArgMax(scores); }
std::vector<int64_t> ArgMaxRows(const TensorD& scores) { return ArgMax(scores); }

}  // namespace lever
