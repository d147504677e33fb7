// Categorical columns from raw values: vocabulary (list or file), hash bucket, identity.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "features/raw_value.h"
#include "lever/error.h"
#include "lever/features/feature_column.h"
#include "lever/features/hash.h"

namespace lever {
namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return static_cast<size_t>(HashString(s)); }
};

class Vocabulary : public CategoricalFeatureColumn {
 public:
  Vocabulary(const std::string& key, std::vector<std::string> vocabulary, Index num_oov_buckets, std::string source)
      : CategoricalFeatureColumn(key),
        key_(key),
        vocabulary_(std::move(vocabulary)),
        oov_(num_oov_buckets),
        source_(std::move(source)) {
    if (vocabulary_.empty()) throw ConfigError("vocabulary column '" + key_ + "' has an empty vocabulary" + source_);
    if (oov_ < 0) throw ConfigError("vocabulary column '" + key_ + "': num_oov_buckets must be >= 0");
    for (size_t i = 0; i < vocabulary_.size(); ++i) {
      if (!index_.emplace(vocabulary_[i], static_cast<int64_t>(i)).second) {
        throw ConfigError("vocabulary column '" + key_ + "': '" + vocabulary_[i] + "' appears twice" + source_);
      }
    }
  }
  std::string Kind() const override { return "categorical_vocabulary"; }
  std::string Describe() const override {
    return "vocabulary(" + key_ + ", " + std::to_string(vocabulary_.size()) + " entries" + source_ + ", " +
           std::to_string(oov_) + " out-of-vocabulary buckets)";
  }
  void Bind(const ColumnSource& source) override { column_ = Resolve(source, key_); }
  Index num_buckets() const override { return static_cast<Index>(vocabulary_.size()) + oov_; }
  void Ids(const ColumnSource& source, Index row, std::vector<int64_t>& ids) const override {
    char buffer[32];
    const std::string_view value = internal::RawText(source, column_, row, buffer);
    auto it = index_.find(value);
    if (it != index_.end()) {
      ids.push_back(it->second);
    } else if (oov_ > 0) {
      ids.push_back(static_cast<int64_t>(vocabulary_.size()) +
                    static_cast<int64_t>(HashString(value) % static_cast<uint64_t>(oov_)));
    } else {
      std::string known;
      for (size_t i = 0; i < vocabulary_.size() && i < 10; ++i) known += (i ? ", " : "") + vocabulary_[i];
      if (vocabulary_.size() > 10) known += ", ...";
      throw DataError(WithOrigin(source.Where(row) + ": column '" + key_ + "' has the unknown category \"" +
                                 std::string(value) + "\" (vocabulary: " + known +
                                 "). Add out-of-vocabulary buckets (" + SettingName("num_oov_buckets", "oov_buckets") +
                                 ") or fix the value."));
    }
  }
  std::string BucketName(Index id) const override {
    if (id < static_cast<Index>(vocabulary_.size())) return key_ + "=" + vocabulary_[static_cast<size_t>(id)];
    return key_ + "=<oov " + std::to_string(id - static_cast<Index>(vocabulary_.size())) + ">";
  }

 private:
  std::string key_;
  std::vector<std::string> vocabulary_;
  Index oov_;
  std::string source_;  // " from <file>" or ""
  std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>> index_;
  int column_ = -1;
};

class HashBucket : public CategoricalFeatureColumn {
 public:
  HashBucket(const std::string& key, Index buckets) : CategoricalFeatureColumn(key), key_(key), buckets_(buckets) {
    if (buckets_ < 1) throw ConfigError("hash bucket column '" + key_ + "' needs at least one bucket");
  }
  std::string Kind() const override { return "categorical_hash"; }
  std::string Describe() const override { return "hash_bucket(" + key_ + ", " + std::to_string(buckets_) + ")"; }
  void Bind(const ColumnSource& source) override { column_ = Resolve(source, key_); }
  Index num_buckets() const override { return buckets_; }
  void Ids(const ColumnSource& source, Index row, std::vector<int64_t>& ids) const override {
    char buffer[32];
    ids.push_back(static_cast<int64_t>(HashString(internal::RawText(source, column_, row, buffer)) %
                                       static_cast<uint64_t>(buckets_)));
  }
  std::string BucketName(Index id) const override { return key_ + " hash bucket " + std::to_string(id); }

 private:
  std::string key_;
  Index buckets_;
  int column_ = -1;
};

class Identity : public CategoricalFeatureColumn {
 public:
  Identity(const std::string& key, Index buckets, int64_t default_value)
      : CategoricalFeatureColumn(key), key_(key), buckets_(buckets), default_(default_value) {
    if (buckets_ < 1) throw ConfigError("identity column '" + key_ + "' needs at least one bucket");
    if (default_ >= buckets_) {
      throw ConfigError("identity column '" + key_ + "': default_value " + std::to_string(default_) +
                        " is not below num_buckets " + std::to_string(buckets_));
    }
  }
  std::string Kind() const override { return "categorical_identity"; }
  std::string Describe() const override { return "identity(" + key_ + ", " + std::to_string(buckets_) + ")"; }
  void Bind(const ColumnSource& source) override { column_ = Resolve(source, key_); }
  Index num_buckets() const override { return buckets_; }
  void Ids(const ColumnSource& source, Index row, std::vector<int64_t>& ids) const override {
    int64_t id = -1;
    const bool whole = internal::WholeNumber(source, column_, row, id);
    if (whole && id >= 0 && id < buckets_) {
      ids.push_back(id);
    } else if (default_ >= 0) {
      ids.push_back(default_);
    } else {
      char buffer[32];
      throw DataError(WithOrigin(source.Where(row) + ": column '" + key_ + "' is \"" +
                                 std::string(internal::RawText(source, column_, row, buffer)) +
                                 "\" but identity ids must be whole numbers in [0, " + std::to_string(buckets_) +
                                 "). Raise " + SettingName("num_buckets", "identity_buckets") + ", give a " +
                                 SettingName("default_value", "default") + ", or fix the value."));
    }
  }
  std::string BucketName(Index id) const override { return key_ + "=" + std::to_string(id); }

 private:
  std::string key_;
  Index buckets_;
  int64_t default_;
  int column_ = -1;
};

std::vector<std::string> ReadVocabularyFile(const std::string& path) {
  errno = 0;
  std::ifstream in(path);
  if (!in) {
    throw IoError("cannot open vocabulary file '" + path +
                  "': " + (errno != 0 ? std::strerror(errno) : "unknown error"));
  }
  std::vector<std::string> entries;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      throw ConfigError(path + ":" + std::to_string(number) + ": empty vocabulary entry; remove the blank line");
    }
    entries.push_back(line);
  }
  if (in.bad()) throw IoError("error reading vocabulary file '" + path + "'");
  return entries;
}

}  // namespace

CategoricalColumnPtr CategoricalColumnWithVocabularyList(const std::string& key, std::vector<std::string> vocabulary,
                                                         Index num_oov_buckets) {
  return std::make_shared<Vocabulary>(key, std::move(vocabulary), num_oov_buckets, "");
}

CategoricalColumnPtr CategoricalColumnWithVocabularyFile(const std::string& key, const std::string& path,
                                                         Index num_oov_buckets) {
  return std::make_shared<Vocabulary>(key, ReadVocabularyFile(path), num_oov_buckets, " from " + path);
}

CategoricalColumnPtr CategoricalColumnWithHashBucket(const std::string& key, Index hash_bucket_size) {
  return std::make_shared<HashBucket>(key, hash_bucket_size);
}

CategoricalColumnPtr CategoricalColumnWithIdentity(const std::string& key, Index num_buckets, int64_t default_value) {
  return std::make_shared<Identity>(key, num_buckets, default_value);
}

}  // namespace lever
