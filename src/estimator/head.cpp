#include "lever/estimator/head.h"

#include <cmath>

#include "lever/error.h"
#include "lever/losses/registry.h"
#include "lever/metrics/binary.h"
#include "lever/metrics/calibration.h"
#include "lever/metrics/multiclass.h"
#include "lever/metrics/regression.h"
#include "lever/registry.h"

namespace lever {
namespace {

std::vector<double> Column(const Tensor& t, Index j) {
  std::vector<double> out(static_cast<size_t>(t.rows()));
  for (Index i = 0; i < t.rows(); ++i) out[static_cast<size_t>(i)] = t(i, j);
  return out;
}

void AddMeans(const Tensor& predictions, const Tensor& labels, std::map<std::string, double>& m) {
  m["label/mean"] = labels.size() > 0 ? static_cast<double>(labels.cast<double>().mean()) : 0.0;
  m["prediction/mean"] = predictions.size() > 0 ? static_cast<double>(predictions.cast<double>().mean()) : 0.0;
}

// Mean sigmoid cross entropy of probabilities, clipped away from 0 and 1 as log loss is.
double MeanLogLoss(const Tensor& p, const Tensor& y) {
  double sum = 0.0;
  for (Index i = 0; i < p.rows(); ++i) {
    for (Index j = 0; j < p.cols(); ++j) {
      const double q = std::clamp(static_cast<double>(p(i, j)), 1e-15, 1.0 - 1e-15);
      sum -= y(i, j) * std::log(q) + (1.0 - y(i, j)) * std::log(1.0 - q);
    }
  }
  return p.size() > 0 ? sum / static_cast<double>(p.size()) : 0.0;
}

class RegressionHead : public Head {
 public:
  explicit RegressionHead(Index targets) : targets_(targets) {
    if (targets < 1) throw ConfigError("a regression head needs at least one target");
  }
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

 private:
  Index targets_;
};

class BinaryClassHead : public Head {
 public:
  std::string Name() const override { return "binary_classification"; }
  Index LogitsDimension() const override { return 1; }
  Index LabelColumns() const override { return 1; }
  std::string LossName() const override { return "sigmoid_cross_entropy"; }
  std::map<std::string, double> Metrics(const Tensor& p, const Tensor& y) const override {
    std::map<std::string, double> m;
    const std::vector<double> pv = Column(p, 0), yv = Column(y, 0);
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
    m["label/mean"] = labels_ == ClassLabels::kIds ? static_cast<double>(y.cast<double>().mean()) : 1.0 / static_cast<double>(classes_);
    m["prediction/mean"] = 1.0 / static_cast<double>(classes_);
    return m;
  }

 private:
  Index classes_;
  ClassLabels labels_;
};

class MultiLabelHead : public Head {
 public:
  explicit MultiLabelHead(Index labels) : labels_(labels) {
    if (labels < 1) throw ConfigError("a multi-label head needs at least 1 label");
  }
  std::string Name() const override { return "multi_label_classification"; }
  Index LogitsDimension() const override { return labels_; }
  Index LabelColumns() const override { return labels_; }
  std::string LossName() const override { return "sigmoid_cross_entropy"; }
  std::map<std::string, double> Metrics(const Tensor& p, const Tensor& y) const override {
    std::map<std::string, double> m;
    double exact = 0.0, agree = 0.0;
    for (Index i = 0; i < p.rows(); ++i) {
      bool all = true;
      for (Index j = 0; j < labels_; ++j) {
        const bool ok = (p(i, j) >= 0.5f) == (y(i, j) >= 0.5f);
        agree += ok;
        all = all && ok;
      }
      exact += all;
    }
    const double n = std::max<double>(1.0, static_cast<double>(p.rows()));
    m["loss"] = MeanLogLoss(p, y);
    m["accuracy"] = exact / n;  // subset accuracy: every label right
    m["per_label_accuracy"] = agree / (n * static_cast<double>(labels_));
    double auc_sum = 0.0;
    int aucs = 0;
    for (Index j = 0; j < labels_; ++j) {
      const std::vector<double> pv = Column(p, j), yv = Column(y, j);
      const double a = AucRoc(pv, yv);
      if (std::isfinite(a)) {
        auc_sum += a;
        ++aucs;
      }
    }
    m["auc"] = aucs > 0 ? auc_sum / aucs : std::nan("");  // mean over labels with both classes present
    AddMeans(p, y, m);
    return m;
  }

 private:
  Index labels_;
};

}  // namespace

EstimatorSpec Head::CreateSpec(ModelFnContext& ctx, const Var& logits, std::vector<TrainOp> train_ops) const {
  if (logits.cols() != LogitsDimension()) {
    throw ConfigError("the " + Name() + " head needs " + std::to_string(LogitsDimension()) +
                      " logits per example, the model gives " + std::to_string(logits.cols()));
  }
  EstimatorSpec spec;
  spec.predictions = MakePrediction(LossName(), logits);
  if (ctx.mode() != Mode::kPredict) {
    if (!ctx.labels.valid() || ctx.labels.cols() != LabelColumns()) {
      throw ConfigError("the " + Name() + " head needs " + std::to_string(LabelColumns()) +
                        " label column(s) per example, the input gives " +
                        (ctx.labels.valid() ? std::to_string(ctx.labels.cols()) : std::string("none")));
    }
    spec.loss = MakeLoss(LossName(), logits, ctx.labels);
  }
  if (ctx.mode() == Mode::kTrain && train_ops.empty()) {
    throw ConfigError("training needs at least one train op (an optimizer) in the head's spec");
  }
  spec.train_ops = std::move(train_ops);
  spec.eval_metrics = [self = shared_from_this()](const Tensor& p, const Tensor& y) { return self->Metrics(p, y); };
  return spec;
}

HeadPtr MakeRegressionHead(Index targets) { return std::make_shared<RegressionHead>(targets); }
HeadPtr MakeBinaryClassHead() { return std::make_shared<BinaryClassHead>(); }
HeadPtr MakeMultiClassHead(Index classes, ClassLabels labels) { return std::make_shared<MultiClassHead>(classes, labels); }
HeadPtr MakeMultiLabelHead(Index labels) { return std::make_shared<MultiLabelHead>(labels); }

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
  };
  return table;
}
// clang-format on

}  // namespace

HeadPtr MakeHead(const std::string& name, Index outputs) {
  return internal::LookUp(HeadRegistry(), name, "head").make(outputs);
}

std::vector<std::string> HeadNames() { return internal::EntryNames(HeadRegistry()); }

std::string HeadHelp() { return internal::EntryHelp(HeadRegistry()); }

bool IsHeadName(const std::string& name) { return internal::FindEntry(HeadRegistry(), name) != nullptr; }

std::string HeadKindName(const Head& head) {
  const std::string name = head.Name();
  for (const HeadKind& kind : HeadRegistry()) {
    if (name == kind.head_name) return kind.name;
  }
  return name;
}

}  // namespace lever
