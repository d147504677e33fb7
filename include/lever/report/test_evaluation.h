#pragma once
// What a run's report draws of the trained model (<job_dir>/evaluation.json, written at the end of
// `lever train --job-dir` runs with a test set): by head,
//
//   binary       ROC and precision-recall curves (at most kMaxCurvePoints points each, the table's rows
//                thinned evenly), their areas, the reliability diagram, the confusion at 0.5 and a threshold
//                table (0.1 .. 0.9, the best F1 and the best Youden's J)
//   multi_class  the confusion matrix of the arg max and each class's scores, with the class names
//   multi_label  each label's AUC-ROC and accuracy at 0.5
//   regression   up to kMaxScatterPoints (label, prediction) pairs and the residuals' histogram
//
// and, for every model, a histogram of each kernel's weights with the count of exact zeros (what L1 left).
//
//   nlohmann::ordered_json j = TestEvaluationJson("binary", trainer.Predict(test.features), test.labels, classes);
//   j["weights"] = WeightHistogramsJson(KernelsOf(trainer.model().parameters().All()));
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "lever/nn/parameter.h"
#include "lever/tensor/tensor.h"

namespace lever {

inline constexpr size_t kMaxCurvePoints = 400;
inline constexpr size_t kMaxScatterPoints = 1000;
inline constexpr int kWeightHistogramBins = 40;

/// The head's evaluation of `predictions` (rows x outputs: probabilities for the classification heads)
/// against `labels` (binary: 0/1; multi_class: class ids, or one column per class whose arg max is the
/// class; multi_label: one 0/1 column per label; regression: values). `head` is "binary", "multi_class",
/// "multi_label" or "regression"; `classes` name the classes or labels (default "0", "1", ...). DataError
/// when the shapes do not fit the head.
nlohmann::ordered_json TestEvaluationJson(const std::string& head, const Tensor& predictions, const Tensor& labels,
                                          const std::vector<std::string>& classes = {});

/// {"<name>": {"lower", "upper", "counts" (kWeightHistogramBins bins), "zeros", "total"}} for each named
/// kernel. Non-finite weights are counted in "non_finite" and left out of the bins.
nlohmann::ordered_json WeightHistogramsJson(const std::vector<std::pair<std::string, const Tensor*>>& kernels);

/// The weight matrices among `parameters` (IsKernelName, lever/nn/parameter.h): dense kernels and linear
/// weights; biases, embedding tables and batch-norm variables are left out.
std::vector<std::pair<std::string, const Tensor*>> KernelsOf(const ParameterList& parameters);

}  // namespace lever
