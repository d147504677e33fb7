#pragma once
// The vocabulary files a run config's feature-column lists name (private to src/estimator/).
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <vector>

namespace lever::internal {

/// Every `vocabulary_file` value node under the feature_columns, wide_columns and deep_columns lists of
/// `root`, each once: a YAML alias shares its anchor's node, so it is not listed again.
inline std::vector<YAML::Node> VocabularyFileNodes(const YAML::Node& root) {
  std::vector<YAML::Node> found, seen;
  auto walk = [&](auto&& self, const YAML::Node& node) -> void {
    for (const YAML::Node& s : seen) {
      if (s.is(node)) return;
    }
    seen.push_back(node);
    if (node.IsSequence()) {
      for (const YAML::Node& item : node) self(self, item);
    } else if (node.IsMap()) {
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (it->first.as<std::string>() == "vocabulary_file" && it->second.IsScalar()) {
          bool listed = false;
          for (const YAML::Node& f : found) listed = listed || f.is(it->second);
          if (!listed) found.push_back(it->second);
        } else {
          self(self, it->second);
        }
      }
    }
  };
  for (const char* key : {"feature_columns", "wide_columns", "deep_columns"}) {
    if (root[key]) walk(walk, root[key]);
  }
  return found;
}

/// A vocabulary file's path as the column parser resolves it: relative to the config's directory.
inline std::filesystem::path ResolveVocabularyFile(const std::string& directory, const std::string& file) {
  std::filesystem::path path = file;
  return path.is_relative() ? std::filesystem::path(directory) / path : path;
}

}  // namespace lever::internal
