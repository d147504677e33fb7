#pragma once
// The one YAML reader behind every lever config format (table schemas, run configs, feature columns,
// tuning studies; private to the library). A YamlValue is a yaml-cpp node together with the file it came
// from and its key path ("estimator.hidden_units[1]"), so every read that fails says where, what was
// found and what was expected:
//
//   ConfigError: run.yaml:7: train.max_steps: expected a whole number of steps, got 'many'
//
// ParseYaml refuses syntax errors, duplicate keys (yaml-cpp keeps both entries silently and lookups
// see only the first) and documents too large once their aliases are expanded (an alias stands for its
// anchor's whole node, so a kilobyte of `&a [*b, *b]` lines can stand for millions of values, and every
// reader walks them all); CheckKeys refuses unknown keys and suggests the closest valid one.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lever::internal {

/// Levenshtein distance, case-insensitive (for "did you mean" suggestions).
int EditDistance(const std::string& a, const std::string& b);
/// The closest of `candidates` to `word` when it is close enough to be a likely typo, else "".
std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates);

/// Where a document came from, shared by every value read from it.
struct YamlSource {
  std::string name;                     // the file, for messages
  std::vector<std::string> overridden;  // key paths set on the command line (--key.path=value)
};

/// One node of a document: a map, a list, a scalar, null, or missing (a key the document does not have).
class YamlValue {
 public:
  static constexpr int64_t kMinInteger = std::numeric_limits<int64_t>::min();
  static constexpr int64_t kMaxInteger = std::numeric_limits<int64_t>::max();

  /// `path` is the key path of `node` in its document ("" for the root).
  YamlValue(YAML::Node node, std::string path, std::shared_ptr<const YamlSource> source);

  bool IsDefined() const { return defined_; }  // the key is in the document (maybe with a null value)
  bool IsSet() const { return defined_ && !node_.IsNull(); }
  bool IsNull() const { return defined_ && node_.IsNull(); }
  bool IsMap() const { return defined_ && node_.IsMap(); }
  bool IsSequence() const { return defined_ && node_.IsSequence(); }
  bool IsScalar() const { return defined_ && node_.IsScalar(); }
  /// 1-based line; a missing key gives its map's line, and 0 means unknown.
  int line() const;
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }
  const YamlSource& source() const { return *source_; }
  /// What the value is, for messages: 'text', a list, a map, nothing (null), nothing.
  std::string Describe() const;

  /// Throws ConfigError "file:line: key.path: <what>" (or "file with --key=...: key.path: <what>" for
  /// a value set on the command line).
  [[noreturn]] void Fail(const std::string& what) const;

  /// The value under `key` (missing when this is not a map or has no such key).
  YamlValue operator[](const std::string& key) const;
  /// The list's element `index`, path "list[index]".
  YamlValue operator[](size_t index) const;
  /// Elements of a list, entries of a map, 0 otherwise.
  size_t size() const { return IsSequence() || IsMap() ? node_.size() : 0; }
  /// A map's entries in document order; key and value both carry the entry's path.
  struct Entry;
  std::vector<Entry> Entries() const;

  /// Refuses keys outside `allowed` with the closest valid name; `ignored` keys are accepted and their
  /// paths returned. Missing and null values pass (no settings); anything else that is not a map fails.
  std::vector<std::string> CheckKeys(const std::vector<std::string>& allowed,
                                     const std::vector<std::string>& ignored = {}) const;

  // Typed reads. Each fails "expected <expected>, got <what was found>" (a missing value included).
  std::string Text(std::string_view expected = "a text") const;
  double Number(std::string_view expected = "a number") const;  // .inf and .nan included
  /// A number ("expected a number, got 'abc'") that is finite ("expected <expected>, got '.inf'").
  double FiniteNumber(std::string_view expected = "a finite number") const;
  /// A whole number, also "must be at least <min>" / "must be at most <max>".
  int64_t Integer(int64_t min = kMinInteger, int64_t max = kMaxInteger,
                  std::string_view expected = "a whole number") const;
  bool Bool(std::string_view expected = "true or false") const;
  /// yaml-cpp's own conversion to T (uint64_t, int, std::vector<int64_t>, ...).
  template <class T>
  T As(std::string_view expected) const;
  std::vector<std::string> TextList(std::string_view expected = "a list of texts") const;
  std::vector<double> NumberList(std::string_view expected = "a list of numbers") const;

  // Optional reads: `fallback` when the value is missing or null.
  std::string TextOr(std::string fallback, std::string_view expected = "a text") const {
    return IsSet() ? Text(expected) : fallback;
  }
  double NumberOr(double fallback, std::string_view expected = "a number") const {
    return IsSet() ? Number(expected) : fallback;
  }
  int64_t IntegerOr(int64_t fallback, int64_t min = kMinInteger, int64_t max = kMaxInteger,
                    std::string_view expected = "a whole number") const {
    return IsSet() ? Integer(min, max, expected) : fallback;
  }
  bool BoolOr(bool fallback, std::string_view expected = "true or false") const {
    return IsSet() ? Bool(expected) : fallback;
  }
  template <class T>
  T AsOr(T fallback, std::string_view expected) const {
    return IsSet() ? As<T>(expected) : fallback;
  }

 private:
  YamlValue(YAML::Node node, bool defined, std::string path, int fallback_line,
            std::shared_ptr<const YamlSource> source);
  [[noreturn]] void Expected(std::string_view expected) const;

  YAML::Node node_;
  bool defined_ = true;
  std::string path_;
  int fallback_line_ = 0;  // a missing or null value: the line of the key or map it belongs to
  std::shared_ptr<const YamlSource> source_;
};

struct YamlValue::Entry {
  YamlValue key;
  YamlValue value;
};

template <class T>
T YamlValue::As(std::string_view expected) const {
  if (!IsSet()) Expected(expected);
  try {
    return node_.as<T>();
  } catch (const YAML::Exception&) {
    Expected(expected);
  }
}

/// How deep a document may nest, and how many values (map keys, map values, list elements, the root) it
/// may hold, both counted with every alias expanded into its anchor's node.
constexpr int kMaxYamlDepth = 64;
constexpr int64_t kMaxYamlValues = 1'000'000;

/// Parses a whole document. Throws ConfigError "source:line: not valid YAML: ..." (followed by `hint`)
/// for a syntax error, "source:line: key.path: appears twice (first on line N); keep one" for a
/// repeated key, anywhere in the document, and a ConfigError with the figure and the limit for a
/// document that nests deeper than kMaxYamlDepth, holds more than kMaxYamlValues values, or contains
/// itself (an alias inside its own anchor), each counted with the aliases expanded.
YamlValue ParseYaml(const std::string& text, const std::string& source, std::string_view hint = {});

}  // namespace lever::internal
