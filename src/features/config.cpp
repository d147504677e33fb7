#include "lever/features/config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <sstream>

#include "lever/error.h"
#include "lever/io/text_file.h"
#include "lever/registry.h"

namespace lever {
namespace {

class Parser {
 public:
  Parser(std::string source, std::string base) : source_(std::move(source)), base_(std::move(base)) {}

  [[noreturn]] void Fail(const YAML::Node& node, const std::string& path, const std::string& what) const {
    std::ostringstream msg;
    msg << source_;
    if (node.IsDefined() && node.Mark().line >= 0) msg << ":" << node.Mark().line + 1;
    msg << ": " << path << ": " << what;
    throw ConfigError(msg.str());
  }

  std::string Text(const YAML::Node& node, const std::string& path) const {
    if (!node.IsDefined() || !node.IsScalar()) Fail(node, path, "expected a text value");
    return node.as<std::string>();
  }

  int64_t Integer(const YAML::Node& node, const std::string& path, int64_t min) const {
    if (!node.IsDefined() || !node.IsScalar()) Fail(node, path, "expected a whole number");
    int64_t v = 0;
    try {
      v = node.as<int64_t>();
    } catch (const YAML::Exception&) {
      Fail(node, path, "expected a whole number, got '" + node.as<std::string>() + "'");
    }
    if (v < min) Fail(node, path, "must be at least " + std::to_string(min) + ", got " + std::to_string(v));
    return v;
  }

  double Number(const YAML::Node& node, const std::string& path) const {
    if (!node.IsDefined() || !node.IsScalar()) Fail(node, path, "expected a number");
    try {
      return node.as<double>();
    } catch (const YAML::Exception&) {
      Fail(node, path, "expected a number, got '" + node.as<std::string>() + "'");
    }
  }

  bool Bool(const YAML::Node& node, const std::string& path) const {
    try {
      return node.as<bool>();
    } catch (const YAML::Exception&) {
      Fail(node, path, "expected true or false");
    }
  }

  void CheckKeys(const YAML::Node& map, const std::string& path, std::initializer_list<const char*> allowed) const {
    for (const auto& kv : map) {
      const std::string key = kv.first.as<std::string>();
      bool ok = false;
      std::string valid;
      for (const char* a : allowed) {
        ok = ok || key == a;
        valid += (valid.empty() ? "" : ", ") + std::string(a);
      }
      if (!ok) Fail(kv.first, path + "." + key, "unknown key; valid keys here: " + valid);
    }
  }

  // A categorical column: {key, vocabulary | vocabulary_file | hash_buckets | identity_buckets, ...}.
  CategoricalColumnPtr Categorical(const YAML::Node& node, const std::string& path) const {
    if (!node.IsMap()) Fail(node, path, "expected a map such as {key: city, hash_buckets: 1000}");
    CheckKeys(node, path, {"key", "vocabulary", "vocabulary_file", "oov_buckets", "hash_buckets", "identity_buckets", "default"});
    const std::string key = Text(node["key"], path + ".key");
    const int kinds = node["vocabulary"].IsDefined() + node["vocabulary_file"].IsDefined() +
                      node["hash_buckets"].IsDefined() + node["identity_buckets"].IsDefined();
    if (kinds != 1) {
      Fail(node, path, "give exactly one of vocabulary, vocabulary_file, hash_buckets, identity_buckets");
    }
    // Settings of one rule only: given with another rule, they would silently do nothing.
    const bool vocabulary_rule = node["vocabulary"].IsDefined() || node["vocabulary_file"].IsDefined();
    if (node["oov_buckets"].IsDefined() && !vocabulary_rule) {
      Fail(node["oov_buckets"], path + ".oov_buckets",
           "applies only to categorical columns with vocabulary or vocabulary_file; remove it here");
    }
    if (node["default"].IsDefined() && !node["identity_buckets"].IsDefined()) {
      Fail(node["default"], path + ".default",
           "applies only to categorical columns with identity_buckets; remove it here");
    }
    const Index oov = node["oov_buckets"].IsDefined() ? Integer(node["oov_buckets"], path + ".oov_buckets", 0) : 0;
    if (node["vocabulary"].IsDefined()) {
      const YAML::Node list = node["vocabulary"];
      if (!list.IsSequence() || list.size() == 0) Fail(list, path + ".vocabulary", "expected a non-empty list");
      std::vector<std::string> vocabulary;
      for (size_t i = 0; i < list.size(); ++i) vocabulary.push_back(Text(list[i], path + ".vocabulary[" + std::to_string(i) + "]"));
      return Wrap(node, path, [&] { return CategoricalColumnWithVocabularyList(key, vocabulary, oov); });
    }
    if (node["vocabulary_file"].IsDefined()) {
      std::filesystem::path file = Text(node["vocabulary_file"], path + ".vocabulary_file");
      if (file.is_relative()) file = std::filesystem::path(base_) / file;
      return Wrap(node, path, [&] { return CategoricalColumnWithVocabularyFile(key, file.string(), oov); });
    }
    if (node["hash_buckets"].IsDefined()) {
      const Index buckets = Integer(node["hash_buckets"], path + ".hash_buckets", 1);
      return Wrap(node, path, [&] { return CategoricalColumnWithHashBucket(key, buckets); });
    }
    const Index buckets = Integer(node["identity_buckets"], path + ".identity_buckets", 1);
    const int64_t fallback = node["default"].IsDefined() ? Integer(node["default"], path + ".default", 0) : -1;
    if (fallback >= buckets) {
      Fail(node["default"], path + ".default",
           "must be below identity_buckets (" + std::to_string(buckets) + "), got " + std::to_string(fallback));
    }
    return Wrap(node, path, [&] { return CategoricalColumnWithIdentity(key, buckets, fallback); });
  }

  CategoricalColumnPtr Bucketized(const YAML::Node& node, const std::string& path) const {
    if (!node.IsMap()) Fail(node, path, "expected {key: ..., boundaries: [...]}");
    CheckKeys(node, path, {"key", "boundaries"});
    const std::string key = Text(node["key"], path + ".key");
    const YAML::Node list = node["boundaries"];
    if (!list.IsSequence() || list.size() == 0) Fail(list, path + ".boundaries", "expected a non-empty list of numbers");
    std::vector<double> boundaries;
    for (size_t i = 0; i < list.size(); ++i) boundaries.push_back(Number(list[i], path + ".boundaries[" + std::to_string(i) + "]"));
    return Wrap(node, path, [&] { return BucketizedColumn(key, boundaries); });
  }

  // A nested categorical-valued column: {categorical: {...}} or {bucketized: {...}} or {crossed: {...}}.
  CategoricalColumnPtr AnyCategorical(const YAML::Node& node, const std::string& path) const {
    if (!node.IsMap() || node.size() != 1) {
      Fail(node, path, "expected a map with one kind: " + JoinNames(CategoricalColumnKindNames()));
    }
    const std::string kind = node.begin()->first.as<std::string>();
    const YAML::Node body = node.begin()->second;
    if (kind == "categorical") return Categorical(body, path + ".categorical");
    if (kind == "bucketized") return Bucketized(body, path + ".bucketized");
    if (kind == "crossed") return Crossed(body, path + ".crossed");
    Fail(node.begin()->first, path + "." + kind,
         "not a categorical kind; valid: " + JoinNames(CategoricalColumnKindNames()));
  }

  CategoricalColumnPtr Crossed(const YAML::Node& node, const std::string& path) const {
    if (!node.IsMap()) Fail(node, path, "expected {keys: [...], hash_buckets: N}");
    CheckKeys(node, path, {"keys", "hash_buckets"});
    const YAML::Node keys = node["keys"];
    if (!keys.IsSequence() || keys.size() < 2) Fail(keys, path + ".keys", "expected a list of at least two inputs");
    std::vector<CrossInput> inputs;
    for (size_t i = 0; i < keys.size(); ++i) {
      const std::string item = path + ".keys[" + std::to_string(i) + "]";
      if (keys[i].IsScalar()) {
        inputs.emplace_back(keys[i].as<std::string>());
      } else {
        inputs.emplace_back(AnyCategorical(keys[i], item));
      }
    }
    const Index buckets = Integer(node["hash_buckets"], path + ".hash_buckets", 1);
    return Wrap(node, path, [&] { return CrossedColumn(inputs, buckets); });
  }

  FeatureColumnPtr Column(const YAML::Node& node, const std::string& path) const {
    if (!node.IsMap() || node.size() != 1) {
      Fail(node, path, "expected a map with one kind: " + JoinNames(FeatureColumnKindNames()));
    }
    const std::string kind = node.begin()->first.as<std::string>();
    const YAML::Node body = node.begin()->second;
    const std::string here = path + "." + kind;
    if (kind == "numeric") {
      if (body.IsScalar()) return Wrap(body, here, [&] { return NumericColumn(body.as<std::string>()); });
      if (!body.IsMap()) Fail(body, here, "expected a column name or {key: ..., standardize: true}");
      CheckKeys(body, here, {"key", "standardize", "default", "missing", "missing_indicator"});
      NumericOptions options;
      if (body["standardize"].IsDefined()) options.standardize = Bool(body["standardize"], here + ".standardize");
      if (body["default"].IsDefined()) options.default_value = Number(body["default"], here + ".default");
      if (body["missing"].IsDefined()) {
        const std::string missing = Text(body["missing"], here + ".missing");
        if (missing == "error") {
          options.missing = MissingPolicy::kError;
        } else if (missing != "impute") {
          Fail(body["missing"], here + ".missing", "unknown value '" + missing + "'; valid: impute, error");
        }
        if (options.missing == MissingPolicy::kError && options.default_value) {
          Fail(body["missing"], here + ".missing", "missing: error leaves nothing for default to fill; keep one");
        }
      }
      if (body["missing_indicator"].IsDefined()) {
        options.missing_indicator = Bool(body["missing_indicator"], here + ".missing_indicator");
      }
      const std::string key = Text(body["key"], here + ".key");
      return Wrap(body, here, [&] { return NumericColumn(key, options); });
    }
    if (kind == "bucketized") return Bucketized(body, here);
    if (kind == "categorical") return Categorical(body, here);
    if (kind == "crossed") return Crossed(body, here);
    if (kind == "indicator") {
      if (!body.IsMap()) Fail(body, here, "expected {categorical: {...}} (or bucketized, crossed)");
      CategoricalColumnPtr categorical = AnyCategorical(body, here);
      return Wrap(body, here, [&] { return MakeIndicatorColumn(categorical); });
    }
    if (kind == "embedding") {
      if (!body.IsMap()) Fail(body, here, "expected {categorical: {...}, dimension: N, combiner: mean}");
      CheckKeys(body, here, {"categorical", "bucketized", "crossed", "dimension", "combiner"});
      YAML::Node inner;
      for (const char* k : {"categorical", "bucketized", "crossed"}) {
        if (body[k].IsDefined()) {
          inner[k] = body[k];
        }
      }
      if (inner.size() != 1) Fail(body, here, "give exactly one of categorical, bucketized, crossed");
      CategoricalColumnPtr categorical = AnyCategorical(inner, here);
      const Index dimension = body["dimension"].IsDefined() ? Integer(body["dimension"], here + ".dimension", 1) : 0;
      const std::string combiner = body["combiner"].IsDefined() ? Text(body["combiner"], here + ".combiner") : "mean";
      return Wrap(body, here, [&] { return MakeEmbeddingColumn(categorical, dimension, combiner); });
    }
    Fail(node.begin()->first, here, "unknown feature column kind; valid: " + JoinNames(FeatureColumnKindNames()));
  }

  FeatureSet Parse(const std::string& text, const std::string& key) const {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
      throw ConfigError(source_ + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
    }
    const YAML::Node list = root[key];
    if (!list.IsDefined()) throw ConfigError(source_ + ": no " + key + " list");
    if (!list.IsSequence() || list.size() == 0) Fail(list, key, "expected a non-empty list");
    FeatureSet set;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string path = key + "[" + std::to_string(i) + "]";
      FeatureColumnPtr column = Column(list[i], path);
      try {
        set.Add(column);
      } catch (const ConfigError& e) {
        Fail(list[i], path, e.message());
      }
    }
    return set;
  }

 private:
  // Runs a constructor, turning its ConfigError into one that names the config location, and records
  // that location in the column, for the errors it raises when it meets the data.
  template <class Make>
  auto Wrap(const YAML::Node& node, const std::string& path, Make make) const -> decltype(make()) {
    try {
      auto column = make();
      column->set_origin({source_, node.IsDefined() && node.Mark().line >= 0 ? node.Mark().line + 1 : 0, path});
      return column;
    } catch (const ConfigError& e) {
      Fail(node, path, e.message());
    } catch (const IoError& e) {
      Fail(node, path, e.message());
    }
  }

  std::string source_;
  std::string base_;
};

}  // namespace

FeatureSet ParseFeatureColumns(const std::string& yaml_text, const std::string& source, const std::string& base_directory,
                               const std::string& key) {
  return Parser(source, base_directory).Parse(yaml_text, key);
}

FeatureSet LoadFeatureColumns(const std::string& path) {
  return ParseFeatureColumns(ReadTextFile(path, "config file"), path, DirectoryOf(path));
}

}  // namespace lever
