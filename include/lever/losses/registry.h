#pragma once
// Losses by name, with what each expects of the labels.
#include <string>
#include <vector>

#include "lever/autodiff/graph.h"
#include "lever/registry.h"

namespace lever {

/// mean_squared_error (regression), sigmoid_cross_entropy (binary or multi-label),
/// softmax_cross_entropy (soft labels, one column per class), sparse_softmax_cross_entropy (integer
/// class ids in one column). The table, with every alias, is in src/losses/registry.cpp; LossEntries() lists
/// them. An alias means the same everywhere (`lever train`, `lever linear`, config files): `softmax` is
/// sparse_softmax_cross_entropy, since labels in a table or LIBSVM file are class ids; one column per class
/// is softmax_cross_entropy (alias categorical_cross_entropy, as Keras names it).
std::vector<std::string> LossNames();

/// Every loss with its aliases and help, in table order (`lever names`, docs/names.md).
std::vector<NameEntry> LossEntries();

/// The canonical name of `name`, or a ConfigError listing the valid ones.
std::string CanonicalLossName(const std::string& name);

/// Number of label columns the loss expects for a model with `outputs` output units.
Index LossLabelColumns(const std::string& loss, Index outputs);

/// Adds the loss of `logits` against `labels` to their graph (1 x 1, mean over the batch).
Var MakeLoss(const std::string& loss, const Var& logits, const Var& labels);

/// The prediction a loss implies: identity for regression, sigmoid, or softmax of the logits.
Var MakePrediction(const std::string& loss, const Var& logits);

/// True for the classification losses (accuracy is meaningful).
bool IsClassificationLoss(const std::string& loss);

}  // namespace lever
