#include "lever/data/csv_dataset.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "lever/data/table.h"
#include "lever/error.h"
#include "lever/registry.h"

namespace lever {

namespace {

// Reads `path` under `out.schema` into `out.data` (features, NaN where missing; the label column encoded by
// `out.labels`, or, when `decide`, by the encoding decided from this file under `label_options`) and
// `out.summary`. `check_empty`: a column missing in every row is an error naming it (an inferred schema
// types such a column as text, which would otherwise be the message), and an inferred text column that is
// mostly numbers (not declared in `column_types`) is an error saying how to declare it.
void ReadInto(const std::string& path, const std::vector<std::string>& labels, CsvDataset& out, const CsvOptions& csv,
              const BadRowPolicy& policy, bool decide, const LabelOptions& label_options, bool check_empty,
              const ColumnTypes& column_types = {}) {
  out.schema.label = labels.front();  // a missing value there is an error, not a value to impute
  for (const std::string& label : labels) {
    if (out.schema.Find(label)) continue;
    const std::string names = JoinNames(out.schema.columns, [](const ColumnSchema& c) { return c.name; });
    throw ConfigError(path + ": no label column '" + label + "'; the columns are " + names +
                      ". Name the label column with --label (several, for a multi-label task: --label a,b,c).");
  }
  const auto is_label = [&labels](const std::string& name) {
    return std::find(labels.begin(), labels.end(), name) != labels.end();
  };
  const Table table = ReadTable(path, out.schema, csv, policy, &out.bad_rows);
  if (check_empty) CheckNoEmptyColumns(table, path);
  if (decide) {
    // A text feature column becomes one 0/1 input per training value (sorted); a missing or unseen value
    // is all zeros.
    out.categories.clear();
    for (const TableColumn& column : table.columns) {
      if (column.type != ColumnType::kString || is_label(column.name)) continue;
      if (check_empty && column_types.count(column.name) == 0) {  // an inferred type
        CheckTextIsNotMostlyNumbers(table, column.name, path, "--na-values",
                                    "--column-type " + column.name + "=string");
      }
      std::vector<std::string> values = PresentValues(column);
      if (values.empty()) {
        throw DataError(path + ": column '" + column.name +
                        "' has no value in any training row: there is nothing to learn from; leave it out");
      }
      if (values.size() > kMaxOneHotValues) {
        throw ConfigError(path + ": column '" + column.name + "' holds " + std::to_string(values.size()) +
                          " distinct texts, too many to give each an input of its own (at most " +
                          std::to_string(kMaxOneHotValues) +
                          "); train with lever train --config, where a text column becomes an embedding, or "
                          "lever linear, or leave the column out (--column-type cannot make text a number)");
      }
      std::sort(values.begin(), values.end());
      out.categories.emplace_back(column.name, std::move(values));
    }
  }
  out.summary = SummarizeTable(table);
  if (decide) {
    if (labels.size() > 1) {
      const std::optional<Task> task = ParseTask(label_options.task);
      if (task && task != Task::kMultiLabel) {
        throw ConfigError(std::string("several label columns are a multi_label task, not ") + TaskName(*task));
      }
      out.labels = DecideMultiLabels(table, labels, path);
    } else {
      out.labels = DecideLabels(table.Column(labels.front()), label_options, path, table.lines);
    }
  }
  out.data.labels = out.labels.Encode(table, path);
  out.lines = table.lines;
  const auto rows = static_cast<Index>(table.num_rows);
  Index features = static_cast<Index>(table.columns.size() - labels.size());
  for (const auto& [name, values] : out.categories) features += static_cast<Index>(values.size()) - 1;
  out.data.features.setZero(rows, features);
  Index f = 0;
  for (const TableColumn& column : table.columns) {
    if (is_label(column.name)) continue;
    if (column.type != ColumnType::kString) {
      for (Index r = 0; r < rows; ++r) out.data.features(r, f) = column.NumberAt(static_cast<size_t>(r));
      out.data.feature_names.push_back(column.name);
      ++f;
      continue;
    }
    const auto found = std::find_if(out.categories.begin(), out.categories.end(),
                                    [&](const auto& entry) { return entry.first == column.name; });
    // Every file is read with the training file's schema, so a text column here was one there.
    if (found == out.categories.end())
      throw std::logic_error("csv_dataset: text column '" + column.name + "' unfitted");
    const std::vector<std::string>& values = found->second;
    // This file's codes -> the training values' inputs (-1: a value the training file lacks).
    std::vector<Index> input(column.dictionary.size(), -1);
    for (size_t code = 0; code < column.dictionary.size(); ++code) {
      const auto at = std::lower_bound(values.begin(), values.end(), column.dictionary[code]);
      if (at != values.end() && *at == column.dictionary[code]) input[code] = static_cast<Index>(at - values.begin());
    }
    for (Index r = 0; r < rows; ++r) {
      const Index k = input[static_cast<size_t>(column.codes[static_cast<size_t>(r)])];
      if (k >= 0) out.data.features(r, f + k) = 1.0f;
    }
    for (const std::string& value : values) out.data.feature_names.push_back(column.name + "=" + value);
    f += static_cast<Index>(values.size());
  }
}

// The label columns `label` names in the columns of `schema`.
std::vector<std::string> LabelColumnsOf(const std::string& label, const Schema& schema) {
  std::vector<std::string> header;
  for (const auto& c : schema.columns) header.push_back(c.name);
  return LabelColumns(label, header);
}

}  // namespace

CsvDataset ReadCsvDataset(const std::string& path, const std::string& label, const Schema* schema,
                          const CsvOptions& csv, const BadRowPolicy& policy, const LabelOptions& label_options,
                          const std::vector<std::string>& missing_values, const ColumnTypes& column_types) {
  CsvDataset out;
  if (schema) {
    out.schema = *schema;
  } else {
    InferOptions infer;
    infer.label = label.find(',') == std::string::npos ? label : "";  // several columns: typed as they are
    infer.sample_rows = 0;  // every row: a column of integers up to row 5000 may hold 2.5 at row 5001
    infer.bad_rows = policy;
    infer.missing_values = missing_values;
    out.schema = InferSchema(path, csv, infer).schema;
  }
  ApplyColumnTypes(out.schema, column_types, "--column-type");
  ReadInto(path, LabelColumnsOf(label, out.schema), out, csv, policy, true, label_options,
           /*check_empty=*/schema == nullptr, column_types);
  return out;
}

CsvDataset ReadCsvDataset(const std::string& path, const CsvDataset& train, const CsvOptions& csv,
                          const BadRowPolicy& policy) {
  CsvDataset out;
  out.schema = train.schema;
  out.labels = train.labels;
  out.categories = train.categories;
  ReadInto(path, train.labels.task == Task::kMultiLabel ? train.labels.classes : std::vector{train.schema.label}, out,
           csv, policy, false, {}, false);
  return out;
}

Imputer Imputer::Fit(const Dataset& data) {
  Imputer imputer;
  const Tensor& x = data.features;
  for (Index j = 0; j < x.cols(); ++j) {
    const std::string name = static_cast<size_t>(j) < data.feature_names.size()
                                 ? data.feature_names[static_cast<size_t>(j)]
                                 : "feature " + std::to_string(j + 1);
    double sum = 0.0;
    int64_t n = 0, missing = 0;
    for (Index i = 0; i < x.rows(); ++i) {
      const float v = x(i, j);
      if (std::isnan(v)) {
        ++missing;
      } else {
        sum += v;
        ++n;
      }
    }
    if (n == 0 && x.rows() > 0) {
      throw DataError("column '" + name + "' has no value in any of the " + std::to_string(x.rows()) +
                      " training rows (all missing): there is nothing to learn from or to impute with. Drop the "
                      "column.");
    }
    imputer.names.push_back(name);
    imputer.fill.push_back(n > 0 ? static_cast<float>(sum / static_cast<double>(n)) : 0.0f);
    imputer.missing.push_back(missing);
  }
  return imputer;
}

void Imputer::Apply(Tensor& features) const {
  if (static_cast<size_t>(features.cols()) != fill.size()) {
    throw DataError("the imputer was fitted on " + std::to_string(fill.size()) + " features, the data has " +
                    std::to_string(features.cols()));
  }
  for (Index j = 0; j < features.cols(); ++j) {
    for (Index i = 0; i < features.rows(); ++i) {
      if (std::isnan(features(i, j))) features(i, j) = fill[static_cast<size_t>(j)];
    }
  }
}

void Imputer::Describe(TableSummary& summary) const {
  for (size_t j = 0; j < names.size(); ++j) {
    ColumnSummary* column = summary.Find(names[j]);
    if (column != nullptr && column->missing > 0) column->imputed = fill[j];
  }
}

Standardizer Standardizer::Fit(const Tensor& features) {
  Standardizer z;
  const Index n = features.rows();
  z.mean.assign(static_cast<size_t>(features.cols()), 0.0f);
  z.scale.assign(static_cast<size_t>(features.cols()), 1.0f);
  if (n == 0) return z;
  for (Index j = 0; j < features.cols(); ++j) {
    double sum = 0.0;
    for (Index i = 0; i < n; ++i) sum += features(i, j);
    const double mean = sum / static_cast<double>(n);
    double squares = 0.0;
    for (Index i = 0; i < n; ++i) squares += (features(i, j) - mean) * (features(i, j) - mean);
    const double std = std::sqrt(squares / static_cast<double>(n));
    z.mean[static_cast<size_t>(j)] = static_cast<float>(mean);
    z.scale[static_cast<size_t>(j)] = std > 0.0 ? static_cast<float>(1.0 / std) : 1.0f;
  }
  return z;
}

void Standardizer::Apply(Tensor& features) const {
  if (static_cast<size_t>(features.cols()) != mean.size()) {
    throw DataError("standardization was fitted on " + std::to_string(mean.size()) + " features, the data has " +
                    std::to_string(features.cols()));
  }
  for (Index j = 0; j < features.cols(); ++j) {
    const float m = mean[static_cast<size_t>(j)], s = scale[static_cast<size_t>(j)];
    for (Index i = 0; i < features.rows(); ++i) features(i, j) = (features(i, j) - m) * s;
  }
}

}  // namespace lever
