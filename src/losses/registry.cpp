#include "lever/losses/registry.h"

#include "lever/error.h"
#include "lever/losses/mean_squared_error.h"
#include "lever/losses/sigmoid_cross_entropy.h"
#include "lever/losses/softmax_cross_entropy.h"
#include "lever/losses/sparse_softmax_cross_entropy.h"
#include "lever/ops/activations.h"

namespace lever {

std::vector<std::string> LossNames() {
  return {"mean_squared_error", "sigmoid_cross_entropy", "softmax_cross_entropy", "sparse_softmax_cross_entropy"};
}

std::string CanonicalLossName(const std::string& name) {
  if (name == "mean_squared_error" || name == "mse" || name == "squared") return "mean_squared_error";
  if (name == "sigmoid_cross_entropy" || name == "binary_cross_entropy" || name == "logistic" || name == "log_loss") {
    return "sigmoid_cross_entropy";
  }
  if (name == "softmax_cross_entropy" || name == "softmax" || name == "categorical_cross_entropy") {
    return "softmax_cross_entropy";
  }
  if (name == "sparse_softmax_cross_entropy" || name == "sparse_softmax" || name == "sparse_categorical_cross_entropy") {
    return "sparse_softmax_cross_entropy";
  }
  std::string valid;
  for (const auto& n : LossNames()) valid += (valid.empty() ? "" : ", ") + n;
  throw ConfigError("unknown loss '" + name + "'. Valid losses: " + valid + ".");
}

Index LossLabelColumns(const std::string& loss, Index outputs) {
  return CanonicalLossName(loss) == "sparse_softmax_cross_entropy" ? 1 : outputs;
}

Var MakeLoss(const std::string& loss, const Var& logits, const Var& labels) {
  const std::string name = CanonicalLossName(loss);
  if (name == "mean_squared_error") return MeanSquaredError(logits, labels);
  if (name == "sigmoid_cross_entropy") return SigmoidCrossEntropy(logits, labels);
  if (name == "softmax_cross_entropy") return SoftmaxCrossEntropy(logits, labels);
  return SparseSoftmaxCrossEntropy(logits, labels);
}

Var MakePrediction(const std::string& loss, const Var& logits) {
  const std::string name = CanonicalLossName(loss);
  if (name == "mean_squared_error") return logits;
  if (name == "sigmoid_cross_entropy") return Sigmoid(logits);
  return Softmax(logits);
}

bool IsClassificationLoss(const std::string& loss) { return CanonicalLossName(loss) != "mean_squared_error"; }

}  // namespace lever
