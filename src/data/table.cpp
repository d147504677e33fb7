#include "lever/data/table.h"

#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <unordered_map>

#include "lever/error.h"
#include "lever/registry.h"

namespace lever {

const TableColumn* Table::FindColumn(std::string_view name) const {
  for (const TableColumn& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

const TableColumn& Table::Column(std::string_view name) const {
  if (const TableColumn* column = FindColumn(name)) return *column;
  throw ConfigError("the table has no column '" + std::string(name) + "'; its columns are " +
                    JoinNames(columns, [](const TableColumn& column) { return column.name; }));
}

ColumnSummary* TableSummary::Find(std::string_view name) {
  for (ColumnSummary& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

std::vector<std::string> TableSummary::Lines(size_t max_lines) const {
  std::vector<std::string> lines;
  lines.push_back(std::to_string(rows) + " rows, " + std::to_string(columns.size()) + " columns" +
                  (label.empty() ? std::string() : " (label '" + label + "')"));
  size_t plain = 0, left_out = 0;
  for (const ColumnSummary& column : columns) {
    if (column.type != ColumnType::kString && column.missing == 0) {
      ++plain;
      continue;
    }
    if (lines.size() > max_lines) {
      ++left_out;
      continue;
    }
    std::string line = "  " + column.name + ": " + ColumnTypeName(column.type);
    if (column.type == ColumnType::kString) line += ", " + std::to_string(column.distinct) + " distinct";
    if (column.missing > 0) {
      char share[32];
      std::snprintf(share, sizeof share, "%.1f",
                    100.0 * static_cast<double>(column.missing) / static_cast<double>(std::max<int64_t>(rows, 1)));
      line += ", " + std::string(share) + "% missing";
      if (column.imputed) {
        char value[32];
        std::snprintf(value, sizeof value, "%.6g", *column.imputed);
        line += ", imputed " + std::string(value);
      }
    }
    lines.push_back(std::move(line));
  }
  if (left_out > 0)
    lines.push_back("  ... " + std::to_string(left_out) + " more text columns or columns with missing values");
  if (plain > 0) lines.push_back("  " + std::to_string(plain) + " numeric columns without missing values");
  return lines;
}

void CheckNoEmptyColumns(const Table& table, const std::string& path) {
  for (const TableColumn& column : table.columns) {
    if (column.name == table.label || column.missing < table.num_rows) continue;
    throw DataError(path + ": column '" + column.name + "' has no value in any of the " +
                    std::to_string(table.num_rows) +
                    " training rows (all missing): there is nothing to learn from or to impute with. Drop the column.");
  }
}

void CheckTextIsNotMostlyNumbers(const Table& table, const std::string& name, const std::string& path,
                                 const std::string& missing_hint, const std::string& text_hint) {
  const TableColumn& column = table.Column(name);
  if (column.type != ColumnType::kString || name == table.label) return;
  std::vector<char> number(column.dictionary.size(), 0);
  for (size_t code = 0; code < column.dictionary.size(); ++code) {
    float value = 0.0f;
    number[code] = ParseFloatCell(column.dictionary[code], &value) == CellParse::kOk ? 1 : 0;
  }
  size_t numbers = 0, texts = 0, first_text = 0;
  for (size_t row = 0; row < column.codes.size(); ++row) {
    const auto code = static_cast<size_t>(column.codes[row]);
    if (column.dictionary[code].empty()) continue;  // missing
    if (number[code] != 0) {
      ++numbers;
    } else if (texts++ == 0) {
      first_text = row;
    }
  }
  if (numbers <= texts) return;
  const std::string line = first_text < table.lines.size() ? ":" + std::to_string(table.lines[first_text]) : "";
  throw ConfigError(path + line + ": column '" + name + "' holds numbers in " + std::to_string(numbers) +
                    " rows and texts in " + std::to_string(texts) + ", the first '" + column.StringAt(first_text) +
                    "', so it was read as text. If those texts mean missing, declare them (" + missing_hint +
                    "); if the column is categories, declare it text (" + text_hint + ")");
}

std::vector<std::string> PresentValues(const TableColumn& column) {
  std::vector<std::string> values;
  for (const std::string& value : column.dictionary) {
    if (!value.empty()) values.push_back(value);
  }
  return values;
}

TableSummary SummarizeTable(const Table& table) {
  TableSummary summary;
  summary.rows = table.num_rows;
  summary.label = table.label;
  for (const TableColumn& column : table.columns) {
    summary.columns.push_back({.name = column.name,
                               .type = column.type,
                               .missing = column.missing,
                               .distinct = static_cast<int64_t>(column.dictionary.size())});
  }
  return summary;
}

namespace {

// The missing-value test runs once per cell: compare only tokens of the cell's length.
class MissingMatcher {
 public:
  explicit MissingMatcher(const std::vector<std::string>& tokens) : tokens_(tokens) {
    for (const std::string& token : tokens_) lengths_ |= token.size() < 64 ? uint64_t{1} << token.size() : 0;
  }
  bool operator()(std::string_view text) const {
    if (text.size() < 64 && ((lengths_ >> text.size()) & 1) == 0) return false;
    for (const std::string& token : tokens_) {
      if (token == text) return true;
    }
    return false;
  }

 private:
  std::vector<std::string> tokens_;
  uint64_t lengths_ = 0;  // bit n: some token has n bytes (longer tokens always get compared)
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
using Dictionary = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

// A parsed cell, held until the whole row is known to be good.
struct Cell {
  float number = 0;
  int64_t integer = 0;
  std::string_view text;
};

class RowParser {
 public:
  RowParser(const std::string& path, const Schema& schema)
      : path_(path), schema_(schema), missing_(schema.missing_values), defaults_(schema.columns.size()) {
    for (size_t i = 0; i < schema.columns.size(); ++i) {
      const ColumnSchema& column = schema.columns[i];
      types_.push_back(column.type);
      if (!column.default_value) continue;
      Cell& cell = defaults_[i];
      cell.text = *column.default_value;
      // Validate() has checked that defaults parse.
      if (column.type == ColumnType::kNumber) ParseFloatCell(cell.text, &cell.number);
      if (column.type == ColumnType::kInteger) {
        ParseIntegerCell(cell.text, &cell.integer);
        cell.number = static_cast<float>(cell.integer);
      }
    }
  }

  /// The type column `i` is read as now: an integer feature column that met a fraction or a missing value
  /// is read as a number from then on.
  ColumnType type(size_t i) const { return types_[i]; }

  /// Parses `text` as column `i`'s cell; false with a message naming line, column and value otherwise.
  bool Parse(size_t i, std::string_view text, int64_t line, Cell* cell, bool* missing, std::string* error) {
    const ColumnSchema& column = schema_.columns[i];
    const bool is_label = column.name == schema_.label;
    const std::string_view trimmed = TrimSpaces(text);
    *missing = false;
    if (missing_(trimmed)) {
      if (column.default_value) {
        *cell = defaults_[i];
        return true;
      }
      if (is_label) {
        *error = Where(line) + "the label column '" + column.name + "' is missing (" + internal::QuoteCell(text) +
                 "); a row without a label cannot be used. Fix the row, or skip bad rows.";
        return false;
      }
      // A missing feature value: NaN in a number column (the feature column imputes it), "" in a text one.
      *missing = true;
      if (types_[i] == ColumnType::kInteger) types_[i] = ColumnType::kNumber;
      cell->number = std::numeric_limits<float>::quiet_NaN();
      cell->text = std::string_view();
      return true;
    }
    switch (types_[i]) {
      case ColumnType::kString:
        cell->text = text;
        return true;
      case ColumnType::kNumber:
        return ParseNumber(i, text, trimmed, line, cell, error);
      case ColumnType::kInteger: {
        const CellParse parsed = ParseIntegerCell(trimmed, &cell->integer);
        if (parsed == CellParse::kOk) {
          cell->number = static_cast<float>(cell->integer);
          return true;
        }
        if (!is_label) {
          // A feature used as a number is a number in every file, whatever the first rows looked like.
          if (!ParseNumber(i, text, trimmed, line, cell, error)) return false;
          types_[i] = ColumnType::kNumber;
          return true;
        }
        *error = Where(line) + "column '" + column.name + "' ";
        float number = 0;
        if (parsed == CellParse::kOutOfRange) {
          *error += "holds " + internal::QuoteCell(text) +
                    ", beyond the range of a 64-bit integer. Declare the column as type number, or fix the row.";
        } else if (ParseFloatCell(trimmed, &number) == CellParse::kOk) {
          *error += "expects an integer, got " + internal::QuoteCell(text) +
                    ". Declare the column as type number, or fix the row.";
        } else {
          *error += "expects an integer, got " + internal::QuoteCell(text) +
                    ". Declare missing values (missing_values in the schema) or fix the row.";
        }
        return false;
      }
    }
    return false;
  }

 private:
  bool ParseNumber(size_t i, std::string_view text, std::string_view trimmed, int64_t line, Cell* cell,
                   std::string* error) const {
    const ColumnSchema& column = schema_.columns[i];
    const CellParse parsed = ParseFloatCell(trimmed, &cell->number);
    if (parsed == CellParse::kOk) return true;
    *error = Where(line) + "column '" + column.name + "' ";
    if (parsed == CellParse::kNotFinite) {
      const bool nan = trimmed.find_first_of("fF") == std::string_view::npos;  // not inf or infinity
      *error += "holds " + internal::QuoteCell(text) + ": " + (nan ? "NaN" : "infinity") +
                " is not a number lever can train on; list it in missing_values to treat it as missing, or "
                "fix the row.";
    } else if (parsed == CellParse::kOutOfRange) {
      *error += "holds " + internal::QuoteCell(text) +
                ", beyond the range of a 32-bit float (about 3.4e38). "
                "Rescale the column, or fix the row.";
    } else if (LooksLikeDecimalComma(trimmed)) {
      *error += "holds " + internal::QuoteCell(text) + ", a number with a decimal comma; write it with a point (" +
                std::string(trimmed.substr(0, trimmed.find(','))) + "." +
                std::string(trimmed.substr(trimmed.find(',') + 1)) + "), or fix the row.";
    } else {
      *error += "expects a number, got " + internal::QuoteCell(text) +
                ". Declare missing values (missing_values in the schema) or fix the row.";
    }
    return false;
  }

  std::string Where(int64_t line) const { return path_ + ":" + std::to_string(line) + ": "; }

  const std::string& path_;
  const Schema& schema_;
  MissingMatcher missing_;
  std::vector<Cell> defaults_;
  std::vector<ColumnType> types_;
};

std::string JoinHeader(const std::vector<std::string>& header) { return JoinNames(header); }

}  // namespace

Table ReadTable(const std::string& path, const Schema& schema, const CsvOptions& csv, const BadRowPolicy& policy,
                BadRowReport* report) {
  schema.Validate();
  BadRowReport own_report;
  if (report == nullptr) report = &own_report;
  const int64_t skipped_before = report->skipped();
  CsvReader reader(path, csv, policy, report);

  // Which field of a record holds each schema column.
  const size_t num_columns = schema.columns.size();
  std::vector<size_t> field_of(num_columns);
  if (csv.header) {
    std::unordered_map<std::string_view, size_t> position;
    for (size_t f = 0; f < reader.header().size(); ++f) position.emplace(reader.header()[f], f);
    std::string absent;
    for (size_t i = 0; i < num_columns; ++i) {
      const auto found = position.find(schema.columns[i].name);
      if (found == position.end()) {
        absent += (absent.empty() ? "'" : ", '") + schema.columns[i].name + "'";
      } else {
        field_of[i] = found->second;
      }
    }
    if (!absent.empty()) {
      throw DataError(path + ": the schema's column " + absent + " is not in the header; the header has " +
                      JoinHeader(reader.header()) + ". Fix the name in the schema or in the file.");
    }
  } else {
    for (size_t i = 0; i < num_columns; ++i) field_of[i] = i;
  }

  Table table;
  table.label = schema.label;
  table.columns.resize(num_columns);
  std::vector<Dictionary> dictionaries(num_columns);
  for (size_t i = 0; i < num_columns; ++i) {
    table.columns[i].name = schema.columns[i].name;
    table.columns[i].type = schema.columns[i].type;
  }

  RowParser parser(path, schema);
  std::vector<Cell> cells(num_columns);
  std::vector<char> missing(num_columns);
  std::string error;
  CsvRecord record;
  bool width_checked = csv.header;
  while (reader.Next(record)) {
    if (!width_checked) {
      if (record.size() != num_columns) {
        throw DataError(path + ":" + std::to_string(record.line()) + ": the file has " + std::to_string(record.size()) +
                        " columns but the schema lists " + std::to_string(num_columns) +
                        "; without a header the schema's columns are the file's, in order. Fix the schema.");
      }
      width_checked = true;
    }
    bool good = true;
    for (size_t i = 0; i < num_columns && good; ++i) {
      bool is_missing = false;
      good = parser.Parse(i, record[field_of[i]], record.line(), &cells[i], &is_missing, &error);
      missing[i] = is_missing;
    }
    if (!good) {
      report->Record(error, policy);
      continue;
    }
    for (size_t i = 0; i < num_columns; ++i) {
      TableColumn& column = table.columns[i];
      if (column.type != parser.type(i)) {  // an integer column widened to numbers
        for (const int64_t value : column.integers) column.numbers.push_back(static_cast<float>(value));
        column.integers.clear();
        column.integers.shrink_to_fit();
        column.type = parser.type(i);
      }
      column.missing += missing[i];
      switch (column.type) {
        case ColumnType::kNumber:
          column.numbers.push_back(cells[i].number);
          break;
        case ColumnType::kInteger:
          column.integers.push_back(cells[i].integer);
          break;
        case ColumnType::kString: {
          Dictionary& dictionary = dictionaries[i];
          auto found = dictionary.find(cells[i].text);
          if (found == dictionary.end()) {
            if (column.dictionary.size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
              throw DataError(path + ": column '" + column.name + "' has more than 2^31 distinct values");
            }
            const auto code = static_cast<int32_t>(column.dictionary.size());
            found = dictionary.emplace(std::string(cells[i].text), code).first;
            column.dictionary.emplace_back(cells[i].text);
          }
          column.codes.push_back(found->second);
          break;
        }
      }
    }
    table.lines.push_back(record.line());
    ++table.num_rows;
  }

  if (table.num_rows == 0) {
    const int64_t skipped = report->skipped() - skipped_before;
    if (skipped > 0) {
      const auto first = static_cast<size_t>(skipped_before);  // this file's first kept message, if kept
      throw DataError(path + ": all " + std::to_string(skipped) + " data rows were bad and skipped" +
                      (first < report->messages().size() ? "; the first: " + report->messages()[first] : ".") +
                      "\n  Check the schema against the file.");
    }
    throw DataError(path + (csv.header ? " has a header but no data rows" : " has no data rows") +
                    ". Check that the file is the one you meant and that it was written completely.");
  }
  return table;
}

}  // namespace lever
