#pragma once
// A table read from a CSV file under a schema, held column by column.
//
// Columns come in schema order, matched to the file's header by name; file columns the schema does not
// list are ignored (a schema selects columns, e.g. leaves out an id), while a schema column missing from
// the header is an error. Without a header the schema's columns are the file's, in order.
//
// Each cell is checked against its column's type: numbers are parsed exactly and locale-independently
// (std::from_chars) with spaces around them ignored; "12abc", NaN and infinity literals, an integer
// column's "2.5" and values beyond float32 are bad cells, as is a missing value in a column without a
// default. A row with a bad cell is a bad row: by default the first is a DataError
//   DataError: train.csv:1042: column 'age' expects a number, got "n/a". Declare missing values ...
// or, with BadRowPolicy::skip, it is left out and counted in the BadRowReport (one entry per row, naming
// its first bad cell).
#include <cstdint>
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

/// Reads `path` (plain or gzip CSV) under `schema`. Throws ConfigError for an invalid schema, IoError when
/// the file cannot be read, DataError for an empty file, a file with a header but no data rows, a schema
/// column missing from the header (listing the header), a bad row under the policy, or no good row left.
/// Skipped rows are counted in `report` when one is given.
Table ReadTable(const std::string& path, const Schema& schema, const CsvOptions& csv = {},
                const BadRowPolicy& policy = {}, BadRowReport* report = nullptr);

}  // namespace lever
