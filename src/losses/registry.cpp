#include "lever/losses/registry.h"

#include "lever/error.h"
#include "lever/losses/mean_squared_error.h"
#include "lever/losses/sigmoid_cross_entropy.h"
#include "lever/losses/softmax_cross_entropy.h"
#include "lever/losses/sparse_softmax_cross_entropy.h"
#include "lever/ops/activations.h"
#include "lever/registry.h"

namespace lever {
namespace {

struct LossKind {
  const char* name;
  std::vector<std::string> aliases;
  const char* help;
  bool classification;
  bool class_id_labels;  // one label column of class ids, whatever the number of outputs
  Var (*loss)(const Var& logits, const Var& labels);
  Var (*prediction)(const Var& logits);
};

// One line per loss. `softmax` names the sparse loss here and so everywhere (see registry.h).
// clang-format off
const std::vector<LossKind>& Registry() {
  static const std::vector<LossKind> table = {
      {"mean_squared_error", {"mse", "squared", "linear"}, "regression: mean of (prediction - label)^2", false, false,
       [](const Var& z, const Var& y) { return MeanSquaredError(z, y); }, [](const Var& z) { return z; }},
      {"sigmoid_cross_entropy", {"binary_cross_entropy", "logistic", "log_loss"},
       "binary or multi-label: labels 0/1, one column per output", true, false,
       [](const Var& z, const Var& y) { return SigmoidCrossEntropy(z, y); }, [](const Var& z) { return Sigmoid(z); }},
      {"softmax_cross_entropy", {"categorical_cross_entropy"},
       "multi-class with one label column per class (one-hot or soft labels)", true, false,
       [](const Var& z, const Var& y) { return SoftmaxCrossEntropy(z, y); }, [](const Var& z) { return Softmax(z); }},
      {"sparse_softmax_cross_entropy", {"softmax", "sparse_softmax", "sparse_categorical_cross_entropy"},
       "multi-class with one label column of class ids 0..classes-1", true, true,
       [](const Var& z, const Var& y) { return SparseSoftmaxCrossEntropy(z, y); },
       [](const Var& z) { return Softmax(z); }},
  };
  return table;
}
// clang-format on

const LossKind& Find(const std::string& name) { return internal::LookUp(Registry(), name, "loss", "", "losses"); }

}  // namespace

std::vector<std::string> LossNames() { return internal::EntryNames(Registry()); }

std::vector<NameEntry> LossEntries() { return internal::Describe(Registry()); }

std::string CanonicalLossName(const std::string& name) { return Find(name).name; }

Index LossLabelColumns(const std::string& loss, Index outputs) { return Find(loss).class_id_labels ? 1 : outputs; }

Var MakeLoss(const std::string& loss, const Var& logits, const Var& labels) { return Find(loss).loss(logits, labels); }

Var MakePrediction(const std::string& loss, const Var& logits) { return Find(loss).prediction(logits); }

bool IsClassificationLoss(const std::string& loss) { return Find(loss).classification; }

}  // namespace lever
