#pragma once
// A numeric CSV table as a Dataset: every column but the label is a feature, the label column (numbers or
// text) gives the targets, and its LabelEncoding decides the task (and so the loss and the output units).
//
//   CsvDataset train = ReadCsvDataset("digits_train.csv", "label");
//   CsvDataset test = ReadCsvDataset("digits_test.csv", train);
//   Standardizer z = Standardizer::Fit(train.data.features);
//   z.Apply(train.data.features);
//   z.Apply(test.data.features);
//
// The schema is inferred from every row of the training file (integer or number feature columns; a text
// feature column becomes one 0/1 input per training value; the label may be text), then the test file
// is read under the same schema, matched by column name, and its labels under the training file's encoding.
#include <string>
#include <vector>

#include "lever/data/bad_rows.h"
#include "lever/data/csv_reader.h"
#include "lever/data/dataset.h"
#include "lever/data/labels.h"
#include "lever/data/schema.h"
#include "lever/data/table.h"

namespace lever {

/// The most distinct values a text feature column may have to be one-hot encoded (CsvDataset::categories).
inline constexpr size_t kMaxOneHotValues = 1000;

struct CsvDataset {
  Dataset data;   // features in the schema's order without the label (NaN: missing); labels (rows, 1) as `labels`
                  // encodes them
  Schema schema;  // as inferred (training file) or as given
  LabelEncoding labels;  // decided from the training file (lever/data/labels.h)
  /// Each text feature column and its training values, sorted: one 0/1 input each ("city=NYC"), in the
  /// column's place; a missing value or one the training file lacks is all zeros.
  std::vector<std::pair<std::string, std::vector<std::string>>> categories;
  BadRowReport bad_rows;
  TableSummary summary;        // rows, and per column type and missing share (Imputer::Describe adds the fill)
  std::vector<int64_t> lines;  // each row's line in the file (1-based, the header is line 1), for messages
};

/// Reads a training file `path` with `label` as the target (numbers or text) and decides the label
/// encoding from it under `label_options`. Without a schema one is inferred from all rows, with
/// `missing_values` as the texts that mean missing; `column_types` (--column-type) then override the schema's
/// types. A missing feature value is NaN in the features (fill it
/// with an Imputer); a feature column is a number in every file, whatever the training rows held (an
/// integer column meeting 0.5 is read as numbers). Throws ConfigError when the label is not a column or a
/// text feature column has more than kMaxOneHotValues values, DataError for bad rows (under `policy`) or a column
/// missing in every row, and IoError when the file cannot be read.
CsvDataset ReadCsvDataset(const std::string& path, const std::string& label, const Schema* schema = nullptr,
                          const CsvOptions& csv = {}, const BadRowPolicy& policy = {},
                          const LabelOptions& label_options = {},
                          const std::vector<std::string>& missing_values = DefaultMissingValues(),
                          const ColumnTypes& column_types = {});

/// Reads another file (test, evaluation) as `train` was read: its schema and its label encoding (a label
/// value the training file did not have is a DataError naming file and line).
CsvDataset ReadCsvDataset(const std::string& path, const CsvDataset& train, const CsvOptions& csv = {},
                          const BadRowPolicy& policy = {});

/// Fills missing feature values (NaN) with each feature's mean over the training rows that have a value:
/// fitted on the training data, applied to it and to every other file.
struct Imputer {
  std::vector<std::string> names;  // the features, for messages and the summary
  std::vector<float> fill;
  std::vector<int64_t> missing;  // missing values seen when fitting, per feature

  /// Throws DataError naming a feature that has no value in any row.
  static Imputer Fit(const Dataset& data);
  /// Replaces every NaN in `features` (as many columns as the fitted data) with its column's fill.
  void Apply(Tensor& features) const;
  /// Sets `imputed` in `summary` for each feature that had missing values.
  void Describe(TableSummary& summary) const;
};

/// Per-feature standardization z = (x - mean) / std, with the statistics of the data it was fitted on
/// (a constant feature keeps scale 1, so it maps to 0).
struct Standardizer {
  std::vector<float> mean;
  std::vector<float> scale;  // 1 / std

  static Standardizer Fit(const Tensor& features);
  /// Throws DataError when `features` has another number of columns than the fitted data.
  void Apply(Tensor& features) const;
};

}  // namespace lever
