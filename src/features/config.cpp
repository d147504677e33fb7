#include "lever/features/config.h"

#include <filesystem>

#include "io/yaml_reader.h"
#include "lever/error.h"
#include "lever/io/text_file.h"
#include "lever/registry.h"

namespace lever {
namespace {

using internal::YamlValue;

class Parser {
 public:
  explicit Parser(std::string base) : base_(std::move(base)) {}

  // A categorical column: {key, vocabulary | vocabulary_file | hash_buckets | identity_buckets, ...}.
  CategoricalColumnPtr Categorical(const YamlValue& node) const {
    if (!node.IsMap()) node.Fail("expected a map such as {key: city, hash_buckets: 1000}");
    node.CheckKeys(
        {"key", "vocabulary", "vocabulary_file", "oov_buckets", "hash_buckets", "identity_buckets", "default"});
    const std::string key = node["key"].Text();
    const int kinds = node["vocabulary"].IsDefined() + node["vocabulary_file"].IsDefined() +
                      node["hash_buckets"].IsDefined() + node["identity_buckets"].IsDefined();
    if (kinds != 1) node.Fail("give exactly one of vocabulary, vocabulary_file, hash_buckets, identity_buckets");
    // Settings of one rule only: given with another rule, they would silently do nothing.
    const bool vocabulary_rule = node["vocabulary"].IsDefined() || node["vocabulary_file"].IsDefined();
    if (node["oov_buckets"].IsDefined() && !vocabulary_rule) {
      node["oov_buckets"].Fail(
          "applies only to categorical columns with vocabulary or vocabulary_file; remove it here");
    }
    if (node["default"].IsDefined() && !node["identity_buckets"].IsDefined()) {
      node["default"].Fail("applies only to categorical columns with identity_buckets; remove it here");
    }
    const Index oov = node["oov_buckets"].IsDefined() ? node["oov_buckets"].Integer(0) : 0;
    if (const YamlValue list = node["vocabulary"]; list.IsDefined()) {
      if (!list.IsSequence() || list.size() == 0) list.Fail("expected a non-empty list");
      const std::vector<std::string> vocabulary = list.TextList();
      return Wrap(node, [&] { return CategoricalColumnWithVocabularyList(key, vocabulary, oov); });
    }
    if (node["vocabulary_file"].IsDefined()) {
      std::filesystem::path file = node["vocabulary_file"].Text();
      if (file.is_relative()) file = std::filesystem::path(base_) / file;
      return Wrap(node, [&] { return CategoricalColumnWithVocabularyFile(key, file.string(), oov); });
    }
    if (node["hash_buckets"].IsDefined()) {
      const Index buckets = node["hash_buckets"].Integer(1);
      return Wrap(node, [&] { return CategoricalColumnWithHashBucket(key, buckets); });
    }
    const Index buckets = node["identity_buckets"].Integer(1);
    const int64_t fallback = node["default"].IsDefined() ? node["default"].Integer(0) : -1;
    if (fallback >= buckets) {
      node["default"].Fail("must be below identity_buckets (" + std::to_string(buckets) + "), got " +
                           std::to_string(fallback));
    }
    return Wrap(node, [&] { return CategoricalColumnWithIdentity(key, buckets, fallback); });
  }

  CategoricalColumnPtr Bucketized(const YamlValue& node) const {
    if (!node.IsMap()) node.Fail("expected {key: ..., boundaries: [...]}");
    node.CheckKeys({"key", "boundaries"});
    const std::string key = node["key"].Text();
    const YamlValue list = node["boundaries"];
    if (!list.IsSequence() || list.size() == 0) list.Fail("expected a non-empty list of numbers");
    const std::vector<double> boundaries = list.NumberList();
    return Wrap(node, [&] { return BucketizedColumn(key, boundaries); });
  }

  // A nested categorical-valued column: {categorical: {...}} or {bucketized: {...}} or {crossed: {...}}.
  CategoricalColumnPtr AnyCategorical(const YamlValue& node) const {
    if (!node.IsMap() || node.size() != 1) {
      node.Fail("expected a map with one kind: " + JoinNames(CategoricalColumnKindNames()));
    }
    return CategoricalOfKind(node.Entries().front());
  }

  CategoricalColumnPtr CategoricalOfKind(const YamlValue::Entry& entry) const {
    const std::string kind = entry.key.Text();
    if (kind == "categorical") return Categorical(entry.value);
    if (kind == "bucketized") return Bucketized(entry.value);
    if (kind == "crossed") return Crossed(entry.value);
    entry.key.Fail("not a categorical kind; valid: " + JoinNames(CategoricalColumnKindNames()));
  }

  CategoricalColumnPtr Crossed(const YamlValue& node) const {
    if (!node.IsMap()) node.Fail("expected {keys: [...], hash_buckets: N}");
    node.CheckKeys({"keys", "hash_buckets"});
    const YamlValue keys = node["keys"];
    if (!keys.IsSequence() || keys.size() < 2) keys.Fail("expected a list of at least two inputs");
    std::vector<CrossInput> inputs;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i].IsScalar()) {
        inputs.emplace_back(keys[i].Text());
      } else {
        inputs.emplace_back(AnyCategorical(keys[i]));
      }
    }
    const Index buckets = node["hash_buckets"].Integer(1);
    return Wrap(node, [&] { return CrossedColumn(inputs, buckets); });
  }

  FeatureColumnPtr Column(const YamlValue& node) const {
    if (!node.IsMap() || node.size() != 1) {
      node.Fail("expected a map with one kind: " + JoinNames(FeatureColumnKindNames()));
    }
    const YamlValue::Entry entry = node.Entries().front();
    const std::string kind = entry.key.Text();
    const YamlValue& body = entry.value;
    if (kind == "numeric") {
      if (body.IsScalar()) return Wrap(body, [&] { return NumericColumn(body.Text()); });
      if (!body.IsMap()) body.Fail("expected a column name or {key: ..., standardize: true}");
      body.CheckKeys({"key", "standardize", "default", "missing", "missing_indicator"});
      NumericOptions options;
      if (body["standardize"].IsDefined()) options.standardize = body["standardize"].Bool();
      if (body["default"].IsDefined()) options.default_value = body["default"].Number();
      if (const YamlValue missing = body["missing"]; missing.IsDefined()) {
        const std::string policy = missing.Text();
        if (policy == "error") {
          options.missing = MissingPolicy::kError;
        } else if (policy != "impute") {
          missing.Fail("unknown value '" + policy + "'; valid: impute, error");
        }
        if (options.missing == MissingPolicy::kError && options.default_value) {
          missing.Fail("missing: error leaves nothing for default to fill; keep one");
        }
      }
      if (body["missing_indicator"].IsDefined()) options.missing_indicator = body["missing_indicator"].Bool();
      const std::string key = body["key"].Text();
      return Wrap(body, [&] { return NumericColumn(key, options); });
    }
    if (kind == "bucketized") return Bucketized(body);
    if (kind == "categorical") return Categorical(body);
    if (kind == "crossed") return Crossed(body);
    if (kind == "indicator") {
      if (!body.IsMap()) body.Fail("expected {categorical: {...}} (or bucketized, crossed)");
      CategoricalColumnPtr categorical = AnyCategorical(body);
      return Wrap(body, [&] { return MakeIndicatorColumn(categorical); });
    }
    if (kind == "embedding") {
      if (!body.IsMap()) body.Fail("expected {categorical: {...}, dimension: N, combiner: mean}");
      body.CheckKeys({"categorical", "bucketized", "crossed", "dimension", "combiner"});
      std::vector<YamlValue::Entry> inner;
      for (const YamlValue::Entry& e : body.Entries()) {
        const std::string k = e.key.Text();
        if (k == "categorical" || k == "bucketized" || k == "crossed") inner.push_back(e);
      }
      if (inner.size() != 1) body.Fail("give exactly one of categorical, bucketized, crossed");
      CategoricalColumnPtr categorical = CategoricalOfKind(inner.front());
      const Index dimension = body["dimension"].IsDefined() ? body["dimension"].Integer(1) : 0;
      const std::string combiner = body["combiner"].IsDefined() ? body["combiner"].Text() : "mean";
      return Wrap(body, [&] { return MakeEmbeddingColumn(categorical, dimension, combiner); });
    }
    entry.key.Fail("unknown feature column kind; valid: " + JoinNames(FeatureColumnKindNames()));
  }

  FeatureSet Parse(const std::string& text, const std::string& source, const std::string& key) const {
    const YamlValue list = internal::ParseYaml(text, source)[key];
    if (!list.IsDefined()) throw ConfigError(source + ": no " + key + " list");
    if (!list.IsSequence() || list.size() == 0) list.Fail("expected a non-empty list");
    FeatureSet set;
    for (size_t i = 0; i < list.size(); ++i) {
      FeatureColumnPtr column = Column(list[i]);
      try {
        set.Add(column);
      } catch (const ConfigError& e) {
        list[i].Fail(e.message());
      }
    }
    return set;
  }

 private:
  // Runs a constructor, turning its ConfigError into one that names the config location, and records
  // that location in the column, for the errors it raises when it meets the data.
  template <class Make>
  auto Wrap(const YamlValue& node, Make make) const -> decltype(make()) {
    try {
      auto column = make();
      column->set_origin({node.source().name, node.line(), node.path()});
      return column;
    } catch (const ConfigError& e) {
      node.Fail(e.message());
    } catch (const IoError& e) {
      node.Fail(e.message());
    }
  }

  std::string base_;
};

}  // namespace

FeatureSet ParseFeatureColumns(const std::string& yaml_text, const std::string& source,
                               const std::string& base_directory, const std::string& key) {
  return Parser(base_directory).Parse(yaml_text, source, key);
}

FeatureSet LoadFeatureColumns(const std::string& path) {
  return ParseFeatureColumns(ReadTextFile(path, "feature columns YAML file"), path, DirectoryOf(path));
}

}  // namespace lever
