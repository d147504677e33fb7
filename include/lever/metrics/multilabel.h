#pragma once
// Metrics of a multi-label classifier: one probability per label and example, each label a yes/no.
#include <map>
#include <string>
#include <vector>

#include "lever/tensor/tensor.h"

namespace lever {

/// `probabilities` and 0/1 `labels`, both rows x labels. Gives
///   loss                the mean log loss over every (example, label)
///   accuracy            subset accuracy: the share of examples with every label right (at 0.5)
///   per_label_accuracy  the share of (example, label) pairs right
///   auc                 the mean AUC-ROC over the labels that have both classes (NaN if none)
/// and, when `names` (one per label) are given, "auc/<name>" and "accuracy/<name>" for each label (its
/// AUC is NaN when the label has one class only). Throws DataError when the shapes differ.
std::map<std::string, double> MultiLabelMetrics(const Tensor& probabilities, const Tensor& labels,
                                                const std::vector<std::string>& names = {});

}  // namespace lever
