#pragma once
// Feature columns from a YAML model config.
//
//   feature_columns:
//     - numeric: age                                   # standardized with training statistics
//     - numeric: {key: hours, standardize: false}
//     - bucketized: {key: age, boundaries: [18, 25, 35, 50, 65]}
//     - categorical: {key: education, vocabulary: [Bachelors, Masters], oov_buckets: 1}
//     - categorical: {key: occupation, vocabulary_file: occupations.txt, oov_buckets: 0}
//     - categorical: {key: country, hash_buckets: 1000}
//     - categorical: {key: hour, identity_buckets: 24, default: 0}
//     - crossed: {keys: [day, hour], hash_buckets: 168}
//     - crossed: {keys: [education, {bucketized: {key: age, boundaries: [30, 50]}}], hash_buckets: 1000}
//     - indicator: {categorical: {key: workclass, vocabulary: [Private, State-gov]}}
//     - embedding: {categorical: {key: country, hash_buckets: 1000}, dimension: 8, combiner: mean}
//
// Every entry is a map with one kind as its key. Errors name the file, the line, the key path
// (feature_columns[3].categorical.hash_buckets), the value and what is valid.
#include <string>

#include "lever/features/feature_set.h"

namespace lever {

/// Parses the `feature_columns` list of a YAML document (or the top-level list named `key`, e.g. a run
/// config's `wide_columns`). `source` names the file in messages; relative vocabulary files are resolved
/// against `base_directory`.
FeatureSet ParseFeatureColumns(const std::string& yaml_text, const std::string& source = "<config>",
                               const std::string& base_directory = ".", const std::string& key = "feature_columns");

/// Reads a YAML file and parses its `feature_columns`.
FeatureSet LoadFeatureColumns(const std::string& path);

}  // namespace lever
