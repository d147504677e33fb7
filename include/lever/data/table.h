#pragma once
// A table read from a CSV file under a schema, held column by column.
//
// Columns come in schema order, matched to the file's header by name; file columns the schema does not
// list are ignored (a schema selects columns, e.g. leaves out an id), while a schema column missing from
// the header is an error. Without a header the schema's columns are the file's, in order.
//
// Each cell is checked against its column's type: numbers are parsed exactly and locale-independently
// (std::from_chars) with spaces around them ignored; "12abc", "0,5", NaN and infinity literals and values
// beyond float32 are bad cells. A missing value (one of the schema's missing_values) takes the column's
// default; without one it is kept as missing: NaN in a number column (feature columns impute it, see
// lever/features/feature_column.h), the empty text in a string column, and counted in TableColumn::missing.
// A missing label is a bad cell. Integer vs number matters only for ids and labels: an integer column
// other than the label that meets a fraction ("0.298") or a missing value becomes a number column (its
// values so far converted), so a feature is read as a number in every file, whatever its first rows held;
// the label column keeps its type, and "2.5" there is a bad cell. A row with a bad cell is a bad row: by default the
// first is a DataError
//   DataError: train.csv:1042: column 'age' expects a number, got "n/a". Declare missing values ...
// or, with BadRowPolicy::skip, it is left out and counted in the BadRowReport (one entry per row, naming
// its first bad cell).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lever/data/bad_rows.h"
#include "lever/data/csv_reader.h"
#include "lever/data/schema.h"

namespace lever {

/// One column. Only the vector of the column's type is filled, one entry per row:
///   number  -> numbers (float32)
///   integer -> integers (int64: ids, counts and years stay exact)
///   string  -> codes into dictionary, which holds each distinct value once, in order of first appearance
///              (categories are compared and counted as small integers, and stored once).
struct TableColumn {
  std::string name;
  ColumnType type = ColumnType::kNumber;
  std::vector<float> numbers;
  std::vector<int64_t> integers;
  std::vector<int32_t> codes;
  std::vector<std::string> dictionary;
  /// Rows whose cell was a missing value without a default (NaN in a number column, "" in a string one).
  int64_t missing = 0;

  /// The text of a string column's row.
  const std::string& StringAt(size_t row) const { return dictionary[static_cast<size_t>(codes[row])]; }
  /// The value of a number or integer column's row as a float (integers converted).
  float NumberAt(size_t row) const {
    return type == ColumnType::kInteger ? static_cast<float>(integers[row]) : numbers[row];
  }
};

struct Table {
  std::vector<TableColumn> columns;  // in schema order
  int64_t num_rows = 0;
  std::string label;  // the schema's label column; empty: none
  /// Each row's line in its file, 1-based as the CSV reader numbers lines (empty for a table built in code).
  std::vector<int64_t> lines;

  /// The column named `name`, or null.
  const TableColumn* FindColumn(std::string_view name) const;
  /// The column named `name`; throws ConfigError listing the table's columns when there is none.
  const TableColumn& Column(std::string_view name) const;
};

/// What a table holds, for a short report before training (the library returns it; the CLI prints it).
struct ColumnSummary {
  std::string name;
  ColumnType type = ColumnType::kNumber;
  int64_t missing = 0;            // missing values (TableColumn::missing)
  int64_t distinct = 0;           // string columns: distinct values (the empty text of missing ones included)
  std::optional<double> imputed;  // what fills a missing value, when the reader of the table says so
};

struct TableSummary {
  int64_t rows = 0;
  std::string label;
  std::vector<ColumnSummary> columns;

  /// The column named `name`, or null.
  ColumnSummary* Find(std::string_view name);
  /// A first line with the rows, then one per text column or column with missing values (at most
  /// `max_lines` of them), then a count of the numeric columns without missing values:
  ///   "300 rows, 4 columns (label 'y')"
  ///   "  user_age: number, 2.1% missing, imputed 38.2"
  ///   "  city: string, 12 distinct"
  ///   "  2 numeric columns without missing values"
  std::vector<std::string> Lines(size_t max_lines = 20) const;
};

/// Throws DataError naming `path` and the first column other than the label that is missing in every row
/// (a training table: such a column has nothing to learn from or to impute with).
void CheckNoEmptyColumns(const Table& table, const std::string& path);

/// Throws ConfigError for an inferred text column `name` (not the label) in which most values are numbers:
/// a few texts such as "?" or "n/a" made a numeric column text. The message names the first such text with
/// its file line and says how to declare such texts missing (`missing_hint`, e.g. "--na-values") or the
/// column text on purpose (`text_hint`, e.g. "--column-type age=string").
void CheckTextIsNotMostlyNumbers(const Table& table, const std::string& name, const std::string& path,
                                 const std::string& missing_hint, const std::string& text_hint);

/// A text column's distinct values without the empty text (a missing value), in order of first appearance.
std::vector<std::string> PresentValues(const TableColumn& column);

/// Rows, and per column its type, missing share and (text) distinct values.
TableSummary SummarizeTable(const Table& table);

/// Reads `path` (plain or gzip CSV) under `schema`. Throws ConfigError for an invalid schema, IoError when
/// the file cannot be read, DataError for an empty file, a file with a header but no data rows, a schema
/// column missing from the header (listing the header), a bad row under the policy, or no good row left.
/// Skipped rows are counted in `report` when one is given.
Table ReadTable(const std::string& path, const Schema& schema, const CsvOptions& csv = {},
                const BadRowPolicy& policy = {}, BadRowReport* report = nullptr);

}  // namespace lever
