#pragma once
// The network a table gets when the user names none, in one place: ReLU hidden layers of 64 and 32 units,
// trained 1000 steps of 32 examples with Adam at 0.001 (Keras' default). TensorFlow's canned DNNClassifier
// uses Adagrad at 0.05; on the public tables of bench/real_tables.py that overfits the small regression
// table (diabetes, 353 rows) past Ridge, and Adagrad at 0.01 undertrains the multi-label one, while Adam at
// 0.001 passes every row. `lever train --config` (estimator.type dnn, the deep part of wide_and_deep), the canned
// estimators (lever/estimator/canned.h) and `lever train --train-file` on a CSV table (TrainingRunSpec::
// UseTableDefaults) all start from these, so the flag-driven and the run-config forms train the same model.
// (A Playground dataset keeps the Playground's own defaults: 8,8 tanh, Adam at 0.01, batches of 10.)
#include <cstdint>
#include <vector>

#include "lever/tensor/tensor.h"

namespace lever::dnn_defaults {

inline const std::vector<Index> kHiddenUnits{64, 32};
inline constexpr const char* kActivation = "relu";
inline constexpr const char* kOptimizer = "adam";
inline constexpr double kLearningRate = 0.001;
inline constexpr int64_t kBatchSize = 32;
inline constexpr int64_t kMaxSteps = 1000;

}  // namespace lever::dnn_defaults
