#include "io/yaml_reader.h"

#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <unordered_map>
#include <utility>

#include "lever/error.h"

namespace lever::internal {

int EditDistance(const std::string& a, const std::string& b) {
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const bool same =
          std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
      const int next = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = row[j];
      row[j] = next;
    }
  }
  return row[b.size()];
}

std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates) {
  const auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  // A typo: within a third of the word's length (at least 2 edits). A fragment: one contains the other
  // ("LOG_SCALE" for UNIT_LOG_SCALE). The closest qualifying candidate wins.
  const int limit = std::max(2, static_cast<int>(word.size()) / 3);
  std::string best;
  int best_distance = 0;
  for (const std::string& candidate : candidates) {
    const int distance = EditDistance(word, candidate);
    const bool fragment = word.size() >= 3 && candidate.size() >= 3 &&
                          (lower(candidate).find(lower(word)) != std::string::npos ||
                           lower(word).find(lower(candidate)) != std::string::npos);
    if ((distance <= limit || fragment) && (best.empty() || distance < best_distance)) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

namespace {

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string ChildPath(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

int LineOf(const YAML::Node& node) { return node.Mark().line >= 0 ? node.Mark().line + 1 : 0; }

// Maps and lists already met, found by where they start in the text (an alias is its anchor's node, so
// it starts where the anchor does); Node::is tells apart the rare nodes that start at one place.
template <class T>
class NodeTable {
 public:
  T* Find(const YAML::Node& node) {
    const auto bucket = index_.find(node.Mark().pos);
    if (bucket == index_.end()) return nullptr;
    for (auto& [known, value] : bucket->second) {
      if (known.is(node)) return &value;
    }
    return nullptr;
  }
  void Insert(const YAML::Node& node, T value) { index_[node.Mark().pos].emplace_back(node, std::move(value)); }

 private:
  std::unordered_map<int, std::vector<std::pair<YAML::Node, T>>> index_;
};

// Walks every map of the document once (an alias shares its anchor's node), refusing a key that is
// already in the same map.
class DuplicateKeyCheck {
 public:
  explicit DuplicateKeyCheck(std::shared_ptr<const YamlSource> source) : source_(std::move(source)) {}

  void Walk(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap() && !node.IsSequence()) return;
    if (seen_.Find(node) != nullptr) return;
    seen_.Insert(node, true);
    if (node.IsSequence()) {
      for (size_t i = 0; i < node.size(); ++i) Walk(node[i], path + "[" + std::to_string(i) + "]");
      return;
    }
    std::map<std::string, int> lines;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      const std::string key = it->first.Scalar();
      const std::string here = ChildPath(path, key);
      const auto [first, fresh] = lines.emplace(key, LineOf(it->first));
      if (!fresh) {
        YamlValue(it->first, here, source_)
            .Fail("appears twice (first on line " + std::to_string(first->second) + "); keep one");
      }
      Walk(it->second, here);
    }
  }

 private:
  std::shared_ptr<const YamlSource> source_;
  NodeTable<bool> seen_;  // maps and lists already walked
};

// The size of a document as its readers see it, every alias expanded: how deep it nests and how many
// values it holds. Each map and list is measured once, so this costs what the text does, not what it
// expands to.
class ExpandedSize {
 public:
  struct Size {
    int depth = 0;       // levels of maps and lists, this node's included
    int64_t values = 1;  // this node and everything under it (saturates at the largest int64_t)
  };

  explicit ExpandedSize(std::shared_ptr<const YamlSource> source) : source_(std::move(source)) {}

  Size Of(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap() && !node.IsSequence()) return {};
    if (const Measured* known = measured_.Find(node)) {
      if (known->open) {
        YamlValue(node, path, source_)
            .Fail(
                "contains itself (an alias *name inside the node its anchor &name marks), so it never ends; "
                "write the value out instead");
      }
      return known->size;
    }
    measured_.Insert(node, {});
    Size size{1, 1};
    const auto add = [&size](Size child) {
      size.depth = std::max(size.depth, child.depth + 1);
      size.values = child.values > std::numeric_limits<int64_t>::max() - size.values
                        ? std::numeric_limits<int64_t>::max()
                        : size.values + child.values;
    };
    if (node.IsSequence()) {
      for (size_t i = 0; i < node.size(); ++i) add(Of(node[i], path + "[" + std::to_string(i) + "]"));
    } else {
      for (auto it = node.begin(); it != node.end(); ++it) {
        const std::string here = ChildPath(path, it->first.IsScalar() ? it->first.Scalar() : "?");
        add(Of(it->first, here));
        add(Of(it->second, here));
      }
    }
    Measured* done = measured_.Find(node);
    done->open = false;
    done->size = size;
    return size;
  }

 private:
  struct Measured {
    bool open = true;  // being measured: met again below itself, it contains itself
    Size size;
  };
  std::shared_ptr<const YamlSource> source_;
  NodeTable<Measured> measured_;
};

// Refuses a document whose expanded size is more than lever reads (kMaxYamlDepth, kMaxYamlValues).
void CheckExpandedSize(const YAML::Node& root, const std::shared_ptr<const YamlSource>& source) {
  const ExpandedSize::Size size = ExpandedSize(source).Of(root, "");
  const std::string aliases = " (each alias *name counted as a copy of its anchor)";
  if (size.depth > kMaxYamlDepth) {
    throw ConfigError(source->name + ": nests " + std::to_string(size.depth) + " levels deep" + aliases +
                      "; lever reads at most " + std::to_string(kMaxYamlDepth) +
                      " levels. Flatten the nesting (a crossed column of crossed columns, for example)");
  }
  if (size.values > kMaxYamlValues) {
    throw ConfigError(source->name + ": holds " + std::to_string(size.values) + " values" + aliases +
                      "; lever reads at most " + std::to_string(kMaxYamlValues) +
                      ". Repeat fewer aliases, or put long lists in files (a vocabulary_file, for example)");
  }
}

}  // namespace

YamlValue::YamlValue(YAML::Node node, std::string path, std::shared_ptr<const YamlSource> source)
    : YamlValue(std::move(node), true, std::move(path), 0, std::move(source)) {}

YamlValue::YamlValue(YAML::Node node, bool defined, std::string path, int fallback_line,
                     std::shared_ptr<const YamlSource> source)
    : node_(std::move(node)),
      defined_(defined),
      path_(std::move(path)),
      fallback_line_(fallback_line),
      source_(std::move(source)) {}

int YamlValue::line() const {
  // yaml-cpp marks a null value (`key:` with nothing after it) where the next token starts, often the
  // following line; the key's line is where the reader looks.
  if (defined_ && !(node_.IsNull() && fallback_line_ > 0)) {
    const int line = LineOf(node_);
    if (line > 0) return line;
  }
  return fallback_line_;
}

std::string YamlValue::Describe() const {
  if (!defined_) return "nothing";
  if (node_.IsNull()) return "nothing (null)";
  if (node_.IsSequence()) return "a list";
  if (node_.IsMap()) return "a map";
  return "'" + node_.Scalar() + "'";
}

void YamlValue::Fail(const std::string& what) const {
  // A value from the command line is named as such; one from the file by its line.
  for (const std::string& o : source_->overridden) {
    if (path_ == o || path_.rfind(o + ".", 0) == 0 || o.rfind(path_ + ".", 0) == 0) {
      throw ConfigError(source_->name + " with --" + o + "=...: " + path_ + ": " + what);
    }
  }
  const int at = line();
  throw ConfigError(source_->name + (at > 0 ? ":" + std::to_string(at) : std::string()) + ": " + path_ + ": " + what);
}

void YamlValue::Expected(std::string_view expected) const {
  Fail("expected " + std::string(expected) + ", got " + Describe());
}

YamlValue YamlValue::operator[](const std::string& key) const {
  // A missing top-level section has no line to point at; a missing key inside a map points at the map.
  const int parent_line = path_.empty() ? 0 : line();
  if (IsMap()) {
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == key) {
        return YamlValue(it->second, true, ChildPath(path_, key), LineOf(it->first), source_);
      }
    }
  }
  return YamlValue(YAML::Node(), false, ChildPath(path_, key), parent_line, source_);
}

YamlValue YamlValue::operator[](size_t index) const {
  const std::string path = path_ + "[" + std::to_string(index) + "]";
  if (IsSequence() && index < node_.size()) return YamlValue(node_[index], true, path, 0, source_);
  return YamlValue(YAML::Node(), false, path, line(), source_);
}

std::vector<YamlValue::Entry> YamlValue::Entries() const {
  std::vector<Entry> entries;
  if (!IsMap()) return entries;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string path = ChildPath(path_, it->first.IsScalar() ? it->first.Scalar() : "?");
    const int key_line = LineOf(it->first);
    entries.push_back(
        {YamlValue(it->first, true, path, key_line, source_), YamlValue(it->second, true, path, key_line, source_)});
  }
  return entries;
}

std::vector<std::string> YamlValue::CheckKeys(const std::vector<std::string>& allowed,
                                              const std::vector<std::string>& ignored) const {
  std::vector<std::string> ignored_found;
  if (!IsSet()) return ignored_found;
  if (!IsMap()) Fail("expected a map of settings (" + Join(allowed) + "), got " + Describe());
  for (const Entry& entry : Entries()) {
    const std::string key = entry.key.IsScalar() ? entry.key.node().Scalar() : "?";
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    if (std::find(ignored.begin(), ignored.end(), key) != ignored.end()) {
      ignored_found.push_back(entry.key.path());
      continue;
    }
    std::vector<std::string> candidates = allowed;
    candidates.insert(candidates.end(), ignored.begin(), ignored.end());
    const std::string guess = ClosestMatch(key, candidates);
    entry.key.Fail("unknown key" + (guess.empty() ? std::string() : " (did you mean " + guess + "?)") +
                   "; valid keys here: " + Join(allowed));
  }
  return ignored_found;
}

std::string YamlValue::Text(std::string_view expected) const {
  if (!IsScalar()) Expected(expected);
  return node_.Scalar();
}

double YamlValue::Number(std::string_view expected) const { return As<double>(expected); }

double YamlValue::FiniteNumber(std::string_view expected) const {
  const double value = Number();
  if (!std::isfinite(value)) Expected(expected);
  return value;
}

int64_t YamlValue::Integer(int64_t min, int64_t max, std::string_view expected) const {
  if (!IsScalar()) Expected(expected);
  const int64_t value = As<int64_t>(expected);
  if (value < min) Fail("must be at least " + std::to_string(min) + ", got " + std::to_string(value));
  if (value > max) Fail("must be at most " + std::to_string(max) + ", got " + std::to_string(value));
  return value;
}

bool YamlValue::Bool(std::string_view expected) const {
  if (!IsScalar()) Expected(expected);
  return As<bool>(expected);
}

std::vector<std::string> YamlValue::TextList(std::string_view expected) const {
  if (!IsSequence()) Expected(expected);
  std::vector<std::string> texts;
  for (size_t i = 0; i < size(); ++i) texts.push_back((*this)[i].Text());
  return texts;
}

std::vector<double> YamlValue::NumberList(std::string_view expected) const {
  if (!IsSequence()) Expected(expected);
  std::vector<double> numbers;
  for (size_t i = 0; i < size(); ++i) numbers.push_back((*this)[i].Number());
  return numbers;
}

YamlValue ParseYaml(const std::string& text, const std::string& source, std::string_view hint) {
  auto described = std::make_shared<const YamlSource>(YamlSource{source, {}});
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) +
                      ": nests deeper than the YAML parser follows; lever reads at most " +
                      std::to_string(kMaxYamlDepth) + " levels. Flatten the nesting");
  } catch (const YAML::ParserException& e) {
    throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg +
                      (hint.empty() ? std::string() : ". " + std::string(hint)));
  }
  CheckExpandedSize(root, described);
  DuplicateKeyCheck(described).Walk(root, "");
  return YamlValue(root, "", described);
}

}  // namespace lever::internal
