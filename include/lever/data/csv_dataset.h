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
// feature column is a ConfigError pointing to feature columns; the label may be text), then the test file
// is read under the same schema, matched by column name, and its labels under the training file's encoding.
#include <string>
#include <vector>

#include "lever/data/bad_rows.h"
#include "lever/data/csv_reader.h"
#include "lever/data/dataset.h"
#include "lever/data/labels.h"
#include "lever/data/schema.h"

namespace lever {

struct CsvDataset {
  Dataset data;         // features in the schema's order without the label; labels (rows, 1) as `labels` encodes them
  Schema schema;        // as inferred (training file) or as given
  LabelEncoding labels; // decided from the training file (lever/data/labels.h)
  BadRowReport bad_rows;
};

/// Reads a training file `path` with `label` as the target (numbers or text) and decides the label
/// encoding from it under `label_options`. Without a schema one is inferred from all rows. Throws
/// ConfigError when the label is not a column or a feature column holds text, DataError for bad rows
/// (under `policy`) and IoError when the file cannot be read.
CsvDataset ReadCsvDataset(const std::string& path, const std::string& label, const Schema* schema = nullptr,
                          const CsvOptions& csv = {}, const BadRowPolicy& policy = {},
                          const LabelOptions& label_options = {});

/// Reads another file (test, evaluation) as `train` was read: its schema and its label encoding (a label
/// value the training file did not have is a DataError naming file and line).
CsvDataset ReadCsvDataset(const std::string& path, const CsvDataset& train, const CsvOptions& csv = {},
                          const BadRowPolicy& policy = {});

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
