#pragma once
// The schema of a table: each column's name and type, what fills a missing value, which column is the
// label, and which texts mean "missing". Written by hand or inferred from a sample, kept as YAML:
//
//   label: income_bracket                 # optional: the column to predict
//   missing_values: ["", "?"]             # optional: texts that mean missing (default below)
//   columns:
//     - {name: age, type: number, default: 0}
//     - {name: workclass, type: string, default: ""}
//     - {name: children, type: integer}
//
// Types: `number` (float32), `integer` (int64; `categorical` is read as `string`) and `string`
// (categories, kept as text). A cell whose text, with spaces and tabs around it removed, is one of the
// missing values takes the column's default; a column without a default has no value for it, which makes
// the row a bad row (the label column cannot have a default). See docs/data_formats.md.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lever/data/csv_reader.h"

namespace lever {

enum class ColumnType { kNumber, kInteger, kString };

/// "number", "integer" or "string", as the YAML format spells them.
const char* ColumnTypeName(ColumnType type);
/// The type `name` spells ("number", "integer", "string", or "categorical" for string); nullopt for another text.
std::optional<ColumnType> ParseColumnType(std::string_view name);

/// Types declared for some columns on top of a schema file or an inferred schema, by column name
/// (`--column-type zip=string`, `data.column_types: {zip: string}`).
using ColumnTypes = std::map<std::string, ColumnType>;

/// "name=type" items, each possibly several comma-separated ("zip=string,age=number"), as ColumnTypes.
/// Throws ConfigError naming `flag` and the item for one without '=', an unknown type or a name given twice.
ColumnTypes ParseColumnTypes(const std::vector<std::string>& items, const std::string& flag);

struct ColumnSchema {
  std::string name;
  ColumnType type = ColumnType::kNumber;
  /// The text a missing cell reads as, parsed like a cell of the column's type; none: missing is an error.
  std::optional<std::string> default_value;

  bool operator==(const ColumnSchema&) const = default;
};

/// "", "NA", "N/A", "NaN", "nan", "null", "NULL", "?": "NaN" written in a cell means missing, not a value.
std::vector<std::string> DefaultMissingValues();

struct Schema {
  std::vector<ColumnSchema> columns;
  std::string label;  // the label column's name; empty: none (data to predict on, or unsupervised)
  std::vector<std::string> missing_values = DefaultMissingValues();

  /// The column named `name`, or null.
  const ColumnSchema* Find(std::string_view name) const;
  /// Whether `text` (spaces and tabs around it ignored) is one of the missing values.
  bool IsMissing(std::string_view text) const;
  /// Throws ConfigError naming the column for: no columns, an empty or repeated name, a label that is not
  /// a column or has a default, a default that does not parse as its column's type.
  void Validate() const;
  /// The YAML above; ParseSchema(ToYaml()) gives back an equal schema.
  std::string ToYaml() const;

  bool operator==(const Schema&) const = default;
};

/// Gives each column named in `types` that type. Throws ConfigError naming `source` (where the types were
/// declared) and listing the schema's columns for a name that is not one of them.
void ApplyColumnTypes(Schema& schema, const ColumnTypes& types, const std::string& source);

/// Reads a schema from a YAML file. Throws IoError when the file cannot be read and ConfigError naming the
/// file, the line, the key path (`columns[3].type`), the bad value and the valid choices otherwise.
Schema LoadSchema(const std::string& path);
/// The same from YAML text; `source` names it in errors.
Schema ParseSchema(std::string_view yaml, const std::string& source = "<schema>");

/// How InferSchema guesses.
struct InferOptions {
  std::string label;           // the label column; empty: none
  int64_t sample_rows = 1000;  // data rows looked at; 0: all
  std::vector<std::string> missing_values = DefaultMissingValues();
  BadRowPolicy bad_rows;  // malformed records in the sample: throw (default) or skip
};

/// An inferred schema and what the sample showed, for the comments of its YAML.
struct InferredSchema {
  Schema schema;
  int64_t rows_sampled = 0;
  std::vector<int64_t> missing_counts;  // per column: missing values seen in the sample

  /// The schema's YAML with a comment on each column that had missing values.
  std::string ToYaml() const;
};

/// Guesses a schema from the first rows of a CSV file: a column whose non-missing values all parse as
/// integers is `integer`, as numbers `number`, anything else (or nothing but missing values) `string`.
/// Number-like values that are not usable numbers (`inf`, `nan` when not a missing value, `1e39`, a decimal
/// comma `0,5`) count as numbers here, so that reading the file stops at them with file, line and column
/// instead of turning the column into text. No defaults are guessed: a missing value is a modeling decision. Without a
/// header the columns are named column_1, column_2, ... Throws DataError for a file without data rows and ConfigError
/// for a label that is not a column.
InferredSchema InferSchema(const std::string& path, const CsvOptions& csv = {}, const InferOptions& options = {});

/// What parsing a cell as a number gave.
enum class CellParse { kOk, kInvalid, kNotFinite, kOutOfRange };

/// Parses a float32 exactly and independently of the locale (std::from_chars): spaces and tabs around the
/// number and a leading '+' are allowed, anything else after it ("12abc") is kInvalid; NaN and infinity
/// literals are kNotFinite, values beyond float's range kOutOfRange (values too small for it become 0).
CellParse ParseFloatCell(std::string_view text, float* value);
/// The same for an int64 written as digits with an optional sign: "2.5" and "1e3" are kInvalid.
CellParse ParseIntegerCell(std::string_view text, int64_t* value);

/// Whether `text` is a number written with a decimal comma ("0,5", "-12,75"): digits, one comma, digits.
bool LooksLikeDecimalComma(std::string_view text);

/// `text` without the spaces and tabs around it.
std::string_view TrimSpaces(std::string_view text);

}  // namespace lever
