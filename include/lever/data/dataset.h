#pragma once
// An in-memory table of examples: one row per example, features and labels side by side.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lever/tensor/tensor.h"

namespace lever {

struct Dataset {
  Tensor features;  // (examples, features)
  Tensor labels;    // (examples, label columns): 0/1 for binary, class ids for sparse multi-class,
                    // one column per class for soft/multi-label, values for regression
  std::vector<std::string> feature_names;

  Index size() const { return features.rows(); }
  Index num_features() const { return features.cols(); }
};

/// The most rows a holdout takes: 5,000 rows measure a mean loss to about 1% (its checks compare the same
/// rows, so closer still), and every check reads them all; a larger table keeps the rest for training.
inline constexpr Index kMaxHoldoutRows = 5000;

/// Splits `data` into (rest, holdout): a `fraction` of the rows (at most kMaxHoldoutRows), at least 1 and
/// at most all but 1, drawn
/// at random by `seed` (the rest keep their order). Throws ConfigError for a fraction outside (0, 1) and
/// DataError for fewer than 2 rows.
std::pair<Dataset, Dataset> SplitHoldout(const Dataset& data, double fraction, uint64_t seed);
/// Which of `rows` rows SplitHoldout holds out (true), with its checks; every table kind splits by it.
std::vector<bool> HoldoutMask(Index rows, double fraction, uint64_t seed);
/// A `fraction` of `rows` rows (at least 1, at most all but 1, no cap) drawn at random by `seed` from the
/// random stream `stream` (true): a test split. Throws as HoldoutMask.
std::vector<bool> RowSplitMask(Index rows, double fraction, uint64_t seed, uint64_t stream);
/// The stream of `--train-file`'s test split (`--train-percent` without `--test-file`).
inline constexpr uint64_t kTestSplitStream = 0x7E575B17ULL;

/// Throws DataError "<what> set example <i>, feature <name> is nan; fill or drop missing values first" for
/// the first value of `features` that is not finite (`names` name the columns; by index when short).
void CheckFiniteFeatures(const Tensor& features, const std::vector<std::string>& names, const std::string& what);

}  // namespace lever
