#include "lever/estimator/head.h"

#include <cmath>

#include "lever/error.h"
#include "lever/losses/registry.h"
#include "lever/metrics/binary.h"
#include "lever/metrics/calibration.h"
#include "lever/metrics/multiclass.h"
#include "lever/metrics/multilabel.h"
#include "lever/metrics/regression.h"
#include "lever/registry.h"

namespace lever {
namespace {

void AddMeans(const Tensor& predictions, const Tensor& labels, std::map<std::string, double>& m) {
  m["label/mean"] = labels.size() > 0 ? static_cast<double>(labels.cast<double>().mean()) : 0.0;
  m["prediction/mean"] = predictions.size() > 0 ? static_cast<double>(predictions.cast<double>().mean()) : 0.0;
}

class RegressionHead : public Head {
 public:
  RegressionHead(Index targets, TargetScale scale) : targets_(targets), scale_(scale) {
    if (targets < 1) throw ConfigError("a regression head needs at least one target");
    if (targets != 1 && !scale.identity())
      throw ConfigError("a target scale applies to a regression head with one target");
  }
  const TargetScale& scale() const { return scale_; }
  std::string Name() const override { return "regression"; }
  Index LogitsDimension() const override { return targets_; }
  Index LabelColumns() const override { return targets_; }
  std::string LossName() const override { return "mean_squared_error"; }
  std::map<std::string, double> Metrics(const Tensor& p, const Tensor& y) const override {
    std::map<std::string, double> m;
    const std::vector<float> pv(p.data(), p.data() + p.size()), yv(y.data(), y.data() + y.size());
    m["loss"] = MeanSquaredError(pv, yv);
    m["rmse"] = RootMeanSquaredError(pv, yv);
    m["mae"] = MeanAbsoluteError(pv, yv);
    if (targets_ == 1) m["r_squared"] = RSquared(pv, yv);
    AddMeans(p, y, m);
    return m;
  }

 protected:
  Var Predictions(const Var& logits) const override { return ScaleOutput(logits, scale_); }
  Var Loss(const Var& logits, const Var& predictions, const Var& labels) const override {
    return scale_.identity() ? Head::Loss(logits, predictions, labels)
                             : StandardizedSquaredError(predictions, labels, scale_);
  }

 private:
  Index targets_;
  TargetScale scale_;
};

class BinaryClassHead : public Head {
 public:
  std::string Name() const override { return "binary_classification"; }
  Index LogitsDimension() const override { return 1; }
  Index LabelColumns() const override { return 1; }
  std::string LossName() const override { return "sigmoid_cross_entropy"; }
  std::map<std::string, double> Metrics(const Tensor& p, const Tensor& y) const override {
    std::map<std::string, double> m;
    const std::vector<double> pv = ColumnValues(p, 0), yv = ColumnValues(y, 0);
    m["loss"] = LogLoss(pv, yv);
    m["accuracy"] = Accuracy(pv, yv);
    m["precision"] = Precision(pv, yv);
    m["recall"] = Recall(pv, yv);
    m["f1"] = F1Score(pv, yv);
    m["auc"] = AucRoc(pv, yv);
    m["auc_precision_recall"] = AucPr(pv, yv);
    m["calibration_error"] = ExpectedCalibrationError(pv, yv);
    AddMeans(p, y, m);
    return m;
  }
};

class MultiClassHead : public Head {
 public:
  MultiClassHead(Index classes, ClassLabels labels) : classes_(classes), labels_(labels) {
    if (classes < 2) throw ConfigError("a multi-class head needs at least 2 classes, got " + std::to_string(classes));
  }
  std::string Name() const override { return "multi_class_classification"; }
  Index LogitsDimension() const override { return classes_; }
  Index LabelColumns() const override { return labels_ == ClassLabels::kIds ? 1 : classes_; }
  std::string LossName() const override {
    return labels_ == ClassLabels::kIds ? "sparse_softmax_cross_entropy" : "softmax_cross_entropy";
  }
  std::map<std::string, double> Metrics(const Tensor& p, const Tensor& y) const override {
    std::map<std::string, double> m;
    const std::vector<int64_t> predicted = ArgMaxRows(p);
    const std::vector<int64_t> truth = labels_ == ClassLabels::kIds ? std::vector<int64_t>() : ArgMaxRows(y);
    double correct = 0.0, loss = 0.0;
    for (Index i = 0; i < p.rows(); ++i) {
      const auto row = static_cast<size_t>(i);
      if (labels_ == ClassLabels::kIds) {
        const auto label = static_cast<Index>(y(i, 0));
        correct += predicted[row] == label;
        loss -= std::log(std::max(1e-15, static_cast<double>(p(i, label))));
      } else {
        correct += predicted[row] == truth[row];
        for (Index c = 0; c < classes_; ++c) loss -= y(i, c) * std::log(std::max(1e-15, static_cast<double>(p(i, c))));
      }
    }
    const double n = std::max<double>(1.0, static_cast<double>(p.rows()));
    m["loss"] = loss / n;
    m["accuracy"] = correct / n;
    m["label/mean"] = labels_ == ClassLabels::kIds ? static_cast<double>(y.cast<double>().mean())
                                                   : 1.0 / static_cast<double>(classes_);
    m["prediction/mean"] = 1.0 / static_cast<double>(classes_);
    return m;
  }

 private:
  Index classes_;
  ClassLabels labels_;
};

class MultiLabelHead : public Head {
 public:
  MultiLabelHead(Index labels, std::vector<std::string> names) : labels_(labels), names_(std::move(names)) {
    if (labels < 1) throw ConfigError("a multi-label head needs at least 1 label");
    if (!names_.empty() && static_cast<Index>(names_.size()) != labels) {
      throw ConfigError("a multi-label head of " + std::to_string(labels) + " labels got " +
                        std::to_string(names_.size()) + " names");
    }
  }
  std::string Name() const override { return "multi_label_classification"; }
  Index LogitsDimension() const override { return labels_; }
  Index LabelColumns() const override { return labels_; }
  std::string LossName() const override { return "sigmoid_cross_entropy"; }
  std::map<std::string, double> Metrics(const Tensor& p, const Tensor& y) const override {
    std::map<std::string, double> m = MultiLabelMetrics(p, y, names_);
    AddMeans(p, y, m);
    return m;
  }

 private:
  Index labels_;
  std::vector<std::string> names_;
};

}  // namespace

EstimatorSpec Head::CreateSpec(ModelFnContext& ctx, const Var& logits, std::vector<TrainOp> train_ops) const {
  if (logits.cols() != LogitsDimension()) {
    throw ConfigError("the " + Name() + " head needs " + std::to_string(LogitsDimension()) +
                      " logits per example, the model gives " + std::to_string(logits.cols()));
  }
  EstimatorSpec spec;
  spec.predictions = Predictions(logits);
  if (ctx.mode() != Mode::kPredict) {
    if (!ctx.labels.valid() || ctx.labels.cols() != LabelColumns()) {
      throw ConfigError("the " + Name() + " head needs " + std::to_string(LabelColumns()) +
                        " label column(s) per example, the input gives " +
                        (ctx.labels.valid() ? std::to_string(ctx.labels.cols()) : std::string("none")));
    }
    spec.loss = Loss(logits, spec.predictions, ctx.labels);
  }
  if (ctx.mode() == Mode::kTrain && train_ops.empty()) {
    throw ConfigError("training needs at least one train op (an optimizer) in the head's spec");
  }
  spec.train_ops = std::move(train_ops);
  spec.eval_metrics = [self = shared_from_this()](const Tensor& p, const Tensor& y) { return self->Metrics(p, y); };
  return spec;
}

Var Head::Predictions(const Var& logits) const { return MakePrediction(LossName(), logits); }
Var Head::Loss(const Var& logits, const Var&, const Var& labels) const { return MakeLoss(LossName(), logits, labels); }

HeadPtr MakeRegressionHead(Index targets, TargetScale scale) {
  return std::make_shared<RegressionHead>(targets, scale);
}
HeadPtr MakeBinaryClassHead() { return std::make_shared<BinaryClassHead>(); }
HeadPtr MakeMultiClassHead(Index classes, ClassLabels labels) {
  return std::make_shared<MultiClassHead>(classes, labels);
}
HeadPtr MakeMultiLabelHead(Index labels, std::vector<std::string> names) {
  return std::make_shared<MultiLabelHead>(labels, std::move(names));
}

namespace {

struct HeadKind {
  const char* name;
  std::vector<std::string> aliases;
  const char* help;
  const char* head_name;  // Head::Name() of the heads it makes
  HeadPtr (*make)(Index outputs);
};

// One line per head a job or bundle names.
// clang-format off
const std::vector<HeadKind>& HeadRegistry() {
  static const std::vector<HeadKind> table = {
      {"regression", {}, "real-valued targets, mean squared error", "regression",
       [](Index outputs) { return MakeRegressionHead(outputs > 0 ? outputs : 1); }},
      {"binary", {"binary_classification"}, "two classes, sigmoid cross entropy", "binary_classification",
       [](Index) { return MakeBinaryClassHead(); }},
      {"multi_class", {"multiclass", "multi_class_classification"}, "one of k classes, softmax cross entropy",
       "multi_class_classification", [](Index outputs) { return MakeMultiClassHead(outputs); }},
      {"multi_label", {"multilabel", "multi_label_classification"}, "several yes/no labels, sigmoid cross entropy each",
       "multi_label_classification", [](Index outputs) { return MakeMultiLabelHead(outputs); }},
  };
  return table;
}
// clang-format on

}  // namespace

HeadPtr MakeHead(const std::string& name, Index outputs) {
  return internal::LookUp(HeadRegistry(), name, "head").make(outputs);
}

std::vector<std::string> HeadNames() { return internal::EntryNames(HeadRegistry()); }

std::vector<NameEntry> HeadEntries() { return internal::Describe(HeadRegistry()); }

bool IsHeadName(const std::string& name) { return internal::FindEntry(HeadRegistry(), name) != nullptr; }

std::string HeadKindName(const Head& head) {
  const std::string name = head.Name();
  for (const HeadKind& kind : HeadRegistry()) {
    if (name == kind.head_name) return kind.name;
  }
  return name;
}

}  // namespace lever
