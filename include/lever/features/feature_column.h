#pragma once
// Feature columns: how raw input columns become model inputs (TensorFlow's feature-column design).
//
// Dense columns produce numbers (numeric). Categorical columns produce bucket ids in their own id space
// [0, num_buckets): vocabulary lists or files, hash buckets, identity, bucketized numbers and crosses.
// Indicator columns turn a categorical column into a one-hot input that stays sparse; embedding columns
// turn it into a learned dense vector. A column is first bound to a ColumnSource (resolving input
// names), fitted on training data where it needs statistics, then transforms rows.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lever/features/column_source.h"
#include "lever/io/state.h"
#include "lever/registry.h"

namespace lever {

/// Where a column was declared in a feature-column YAML file (ParseFeatureColumns records it).
struct ColumnOrigin {
  std::string file;  // the YAML file, as named to the parser
  int64_t line = 0;  // 1-based line of the column's entry; 0 when unknown
  std::string path;  // the key path, e.g. "feature_columns[3].categorical"
  /// "model.yaml:5: feature_columns[3].categorical"
  std::string ToString() const;
};

class FeatureColumn {
 public:
  explicit FeatureColumn(std::string name) : name_(std::move(name)) {}
  virtual ~FeatureColumn() = default;
  const std::string& name() const { return name_; }
  /// "numeric", "bucketized", "categorical_vocabulary", "categorical_hash", "categorical_identity",
  /// "crossed", "indicator", "embedding".
  virtual std::string Kind() const = 0;
  /// The column's settings in one line, e.g. "hash_bucket(city, 1000)".
  virtual std::string Describe() const = 0;
  /// Resolves the raw columns it reads; throws ConfigError naming the missing column and listing the
  /// source's columns.
  virtual void Bind(const ColumnSource& source) = 0;
  /// Learns statistics from the training data (numeric standardization). Default: nothing to learn.
  virtual void Fit(const ColumnSource& source) { (void)source; }
  /// Learned state, stored with the model.
  virtual void SaveState(StateWriter& out) const { (void)out; }
  virtual void LoadState(const StateReader& in) { (void)in; }
  /// The raw column whose missing values this column fills, and the fitted value that fills them (a numeric
  /// column's training mean or its default); none for columns that do not impute.
  struct Imputation {
    std::string key;
    double value = 0;
  };
  virtual std::optional<Imputation> imputation() const { return std::nullopt; }

  /// The YAML declaration the column came from; none for columns built in code. A column with an origin
  /// names it in the errors it raises when it meets the data, and calls its settings by their YAML keys
  /// (oov_buckets, identity_buckets, default) rather than the constructors' argument names
  /// (num_oov_buckets, num_buckets, default_value).
  const std::optional<ColumnOrigin>& origin() const { return origin_; }
  void set_origin(ColumnOrigin origin) { origin_ = std::move(origin); }

 protected:
  /// Index of raw column `key` in `source`, or ConfigError.
  int Resolve(const ColumnSource& source, const std::string& key) const;
  /// `argument` for a column built in code, `yaml_key` for one declared in YAML.
  std::string SettingName(const std::string& argument, const std::string& yaml_key) const;
  /// A ConfigError message about the column's declaration: "model.yaml:5: feature_columns[3].categorical: "
  /// before `message` when the column has an origin.
  std::string AtOrigin(const std::string& message) const;
  /// A DataError message (which starts with the data's location): `message`, then, when the column has an
  /// origin, " (feature column declared at model.yaml:5: feature_columns[3].categorical)".
  std::string WithOrigin(const std::string& message) const;

 private:
  std::string name_;
  std::optional<ColumnOrigin> origin_;
};

/// A column that yields `dimension()` numbers per example.
class DenseFeatureColumn : public FeatureColumn {
 public:
  using FeatureColumn::FeatureColumn;
  virtual Index dimension() const = 0;
  /// Writes dimension() values for `row`. Throws DataError naming the row and the value when it is unusable.
  virtual void Values(const ColumnSource& source, Index row, float* out) const = 0;
};

/// A column that yields bucket ids in [0, num_buckets()) per example (one for every single-valued column).
class CategoricalFeatureColumn : public FeatureColumn {
 public:
  using FeatureColumn::FeatureColumn;
  virtual Index num_buckets() const = 0;
  /// Appends the ids of `row` to `ids`. Throws DataError (naming the row, the column and the value) for
  /// a value that has no bucket, such as an unknown category without out-of-vocabulary buckets.
  virtual void Ids(const ColumnSource& source, Index row, std::vector<int64_t>& ids) const = 0;
  /// A readable name for bucket `id` (a vocabulary entry, a bucket range, "hash bucket 17").
  virtual std::string BucketName(Index id) const { return std::to_string(id); }
};

using FeatureColumnPtr = std::shared_ptr<FeatureColumn>;
using DenseColumnPtr = std::shared_ptr<DenseFeatureColumn>;
using CategoricalColumnPtr = std::shared_ptr<CategoricalFeatureColumn>;

// ---- Constructors (TensorFlow's names) ---------------------------------------------------------------

/// What a numeric column does with a missing value (NaN: a missing cell as lever/data/table.h reads it).
enum class MissingPolicy {
  kImpute,  // fill with `default_value`, or else the training mean (fitted, stored with the model)
  kError,   // a missing value is a DataError naming the row
};

struct NumericOptions {
  bool standardize = true;
  MissingPolicy missing = MissingPolicy::kImpute;
  std::optional<double> default_value;  // the fill for kImpute instead of the training mean
  bool missing_indicator = false;       // a second input: 1 where the value was missing, else 0
};

/// A number from raw column `key`. With `standardize`, (x - mean) / stddev with mean and stddev fitted on
/// the training data and stored with the model (a constant column gets stddev 1). Missing values (NaN)
/// are filled with the mean of the training rows that have a value, or `default_value`, before
/// standardizing; the fill is stored with the model ("features/<key>/missing_fill"), so checkpoints and bundles
/// fill the same. A column with no value at all in the training rows is a DataError naming it (unless it
/// has a default). Infinities are a DataError naming the row.
DenseColumnPtr NumericColumn(const std::string& key, const NumericOptions& options);
DenseColumnPtr NumericColumn(const std::string& key, bool standardize = true);

/// Buckets a number from raw column `key` by strictly increasing `boundaries`: (-inf, b0) is bucket 0,
/// [b0, b1) bucket 1, ..., [b_last, +inf) bucket boundaries.size().
CategoricalColumnPtr BucketizedColumn(const std::string& key, std::vector<double> boundaries);

/// Text categories from a list; unknown values go to `num_oov_buckets` extra buckets by hash, or are a
/// DataError when there are none.
CategoricalColumnPtr CategoricalColumnWithVocabularyList(const std::string& key, std::vector<std::string> vocabulary,
                                                         Index num_oov_buckets = 0);

/// The same with the vocabulary read from a file, one entry per line (blank lines are an error, as are
/// duplicates; a trailing newline is fine). Throws IoError naming the file.
CategoricalColumnPtr CategoricalColumnWithVocabularyFile(const std::string& key, const std::string& path,
                                                         Index num_oov_buckets = 0);

/// Hashes the value as text into `hash_bucket_size` buckets with HashString (lever/features/hash.h):
/// text as is, numbers in their shortest decimal form ("3", "2.5"), so here 3 and "3" share a bucket.
CategoricalColumnPtr CategoricalColumnWithHashBucket(const std::string& key, Index hash_bucket_size);

/// The value itself is the id: a whole number in [0, num_buckets). Out of range is a DataError unless
/// `default_value` >= 0 is given.
CategoricalColumnPtr CategoricalColumnWithIdentity(const std::string& key, Index num_buckets,
                                                   int64_t default_value = -1);

/// A hashed cross of any number of inputs (raw column names, or categorical columns whose ids are
/// crossed), e.g. day x hour: CombineHash over the inputs' values, mod `hash_bucket_size`. A raw whole
/// number (an integer column, or a number column's whole value below 9e15 in magnitude) enters as itself,
/// any other raw value as the HashString of its text, a nested column as its bucket id. So unlike in hash
/// buckets, 3 and "3" cross differently: 3 enters as 3, "3" as HashString("3").
struct CrossInput {
  CrossInput(const char* raw_key) : key(raw_key) {}             // NOLINT: implicit, for {"day", "hour"}
  CrossInput(std::string raw_key) : key(std::move(raw_key)) {}  // NOLINT
  CrossInput(CategoricalColumnPtr categorical) : column(std::move(categorical)) {}  // NOLINT
  std::string key;
  CategoricalColumnPtr column;
};
/// How deep crossed columns may nest (a cross of a cross is 2) and how many inputs one may cross in all,
/// those of its nested crosses counted (a cross of a cross of two and a raw key crosses 3): each row
/// hashes every one, and the column's name joins them all.
constexpr int kMaxCrossDepth = 8;
constexpr int kMaxCrossInputs = 64;
/// Throws ConfigError for fewer than two inputs, a bucket count below 1, or nesting and inputs beyond
/// kMaxCrossDepth and kMaxCrossInputs.
CategoricalColumnPtr CrossedColumn(std::vector<CrossInput> inputs, Index hash_bucket_size);

/// One-hot (or multi-hot) representation of a categorical column, kept sparse.
class IndicatorColumn;
std::shared_ptr<IndicatorColumn> MakeIndicatorColumn(CategoricalColumnPtr categorical);

/// A learned dense vector per bucket. dimension 0 means the rule of thumb round(num_buckets ^ 0.25)
/// (at least 1); combiner sum, mean or sqrtn; initializer truncated normal with stddev 1/sqrt(dimension).
class EmbeddingColumn;
std::shared_ptr<EmbeddingColumn> MakeEmbeddingColumn(CategoricalColumnPtr categorical, Index dimension = 0,
                                                     const std::string& combiner = "mean");

/// The default embedding dimension for `buckets` categories: round(buckets ^ 0.25), at least 1.
Index DefaultEmbeddingDimension(Index buckets);

/// The column kinds a feature-column config names (`- numeric: ...`); the table is in
/// src/features/feature_column.cpp. `categorical` kinds can feed indicator, embedding and crossed columns.
struct FeatureColumnKind {
  const char* name;
  std::vector<std::string> aliases;
  const char* help;
  bool categorical;
};

/// Every registered column kind, in table order.
std::vector<std::string> FeatureColumnKindNames();

/// The kinds whose columns are categorical (bucketized, categorical, crossed).
std::vector<std::string> CategoricalColumnKindNames();

/// Every column kind with its aliases and help, in table order (`lever names`, docs/names.md).
std::vector<NameEntry> FeatureColumnKindEntries();

class IndicatorColumn : public FeatureColumn {
 public:
  explicit IndicatorColumn(CategoricalColumnPtr categorical);
  std::string Kind() const override { return "indicator"; }
  std::string Describe() const override;
  void Bind(const ColumnSource& source) override { categorical_->Bind(source); }
  void Fit(const ColumnSource& source) override { categorical_->Fit(source); }
  void SaveState(StateWriter& out) const override { categorical_->SaveState(out); }
  void LoadState(const StateReader& in) override { categorical_->LoadState(in); }
  Index dimension() const { return categorical_->num_buckets(); }
  const CategoricalColumnPtr& categorical() const { return categorical_; }

 private:
  CategoricalColumnPtr categorical_;
};

class EmbeddingColumn : public FeatureColumn {
 public:
  EmbeddingColumn(CategoricalColumnPtr categorical, Index dimension, std::string combiner);
  std::string Kind() const override { return "embedding"; }
  std::string Describe() const override;
  void Bind(const ColumnSource& source) override { categorical_->Bind(source); }
  void Fit(const ColumnSource& source) override { categorical_->Fit(source); }
  void SaveState(StateWriter& out) const override { categorical_->SaveState(out); }
  void LoadState(const StateReader& in) override { categorical_->LoadState(in); }
  Index dimension() const { return dimension_; }
  /// True when the dimension came from the rule of thumb rather than the user.
  bool default_dimension() const { return default_dimension_; }
  const std::string& combiner() const { return combiner_; }
  const CategoricalColumnPtr& categorical() const { return categorical_; }

 private:
  CategoricalColumnPtr categorical_;
  Index dimension_;
  bool default_dimension_;
  std::string combiner_;
};

}  // namespace lever
