#pragma once
// Heads: what turns a model's logits into a loss, predictions and evaluation metrics, by task.
//
//   regression       one output per target, mean squared error; metrics rmse, mae, r_squared
//   binary           one logit, sigmoid cross entropy; predictions are calibrated probabilities P(y = 1);
//                    metrics accuracy, precision, recall, auc, auc_precision_recall, calibration
//   multi-class      k logits, softmax; labels as class ids (sparse softmax cross entropy) or as one
//                    probability per class (soft labels, softmax cross entropy); metric accuracy
//   multi-label      k logits, one sigmoid each (sigmoid cross entropy per label); metrics subset and
//                    per-label accuracy, mean AUC over labels
// Every head also reports `loss` (the mean data loss over the evaluation), `label/mean` and
// `prediction/mean`.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lever/estimator/model_fn.h"
#include "lever/losses/target_scale.h"
#include "lever/registry.h"

namespace lever {

/// Heads are made by the Make*Head functions (shared: a spec's metrics keep their head alive).
class Head : public std::enable_shared_from_this<Head> {
 public:
  virtual ~Head() = default;
  /// "regression", "binary_classification", "multi_class_classification", "multi_label_classification".
  virtual std::string Name() const = 0;
  /// Logits the model must produce per example.
  virtual Index LogitsDimension() const = 0;
  /// Label columns per example (1 for class ids and binary labels).
  virtual Index LabelColumns() const = 0;
  /// The loss in lever's registry (losses/registry.h).
  virtual std::string LossName() const = 0;
  /// Metrics over a whole evaluation: predictions as CreateSpec makes them, labels as fed.
  virtual std::map<std::string, double> Metrics(const Tensor& predictions, const Tensor& labels) const = 0;

  /// The spec for `logits` (batch, LogitsDimension()): the loss (train and eval), the predictions and
  /// `train_ops` (train). Throws ConfigError when the logits or labels have the wrong width, or when
  /// training without a train op.
  EstimatorSpec CreateSpec(ModelFnContext& ctx, const Var& logits, std::vector<TrainOp> train_ops) const;

 protected:
  /// What CreateSpec predicts from the logits and trains on: by default the loss's prediction and the
  /// loss itself (lever/losses/registry.h).
  virtual Var Predictions(const Var& logits) const;
  virtual Var Loss(const Var& logits, const Var& predictions, const Var& labels) const;
};

using HeadPtr = std::shared_ptr<const Head>;

/// With a scale (one target), the model's logits are standardized predictions: the head predicts
/// mean + stddev * logits and trains on the standardized squared error (lever/losses/target_scale.h).
HeadPtr MakeRegressionHead(Index targets = 1, TargetScale scale = {});
HeadPtr MakeBinaryClassHead();
enum class ClassLabels { kIds, kProbabilities };
/// Throws ConfigError for fewer than 2 classes.
HeadPtr MakeMultiClassHead(Index classes, ClassLabels labels = ClassLabels::kIds);
/// Throws ConfigError for fewer than 1 label. With `names` (one per label) the metrics add each label's
/// "auc/<name>" and "accuracy/<name>" (lever/metrics/multilabel.h).
HeadPtr MakeMultiLabelHead(Index labels, std::vector<std::string> names = {});

/// Heads by the name a job config (estimator.head) or a bundle's manifest gives them; the table is in
/// src/estimator/head.cpp. `outputs`: classes for multi_class, targets for regression (0: one), unused for
/// binary. Throws ConfigError for an unknown name, listing the valid ones.
HeadPtr MakeHead(const std::string& name, Index outputs);

/// Every registered head name, in table order.
std::vector<std::string> HeadNames();

/// Every head with its aliases and help, in table order (`lever names`, docs/names.md).
std::vector<NameEntry> HeadEntries();

/// True when `name` is a registered head name or alias.
bool IsHeadName(const std::string& name);

/// The registered name of `head`'s kind ("binary" for a binary_classification head); Name() for a head
/// that is not registered.
std::string HeadKindName(const Head& head);

}  // namespace lever
