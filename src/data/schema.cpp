#include "lever/data/schema.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <functional>
#include <unordered_map>

#include "io/yaml_reader.h"
#include "lever/data/text_input.h"
#include "lever/error.h"
#include "lever/registry.h"

namespace lever {

const char* ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kNumber:
      return "number";
    case ColumnType::kInteger:
      return "integer";
    case ColumnType::kString:
      return "string";
  }
  return "?";
}

std::optional<ColumnType> ParseColumnType(std::string_view name) {
  if (name == "number") return ColumnType::kNumber;
  if (name == "integer") return ColumnType::kInteger;
  if (name == "string" || name == "categorical") return ColumnType::kString;
  return std::nullopt;
}

ColumnTypes ParseColumnTypes(const std::vector<std::string>& items, const std::string& flag) {
  ColumnTypes types;
  for (const std::string& item : items) {
    for (const std::string& part : SplitNames(item)) {
      const size_t eq = part.find('=');
      const std::string name(TrimSpaces(part.substr(0, eq)));
      if (eq == std::string::npos || name.empty()) {
        throw ConfigError(flag + " '" + part + "': expected column=type, e.g. zip=string");
      }
      const std::string type_name(TrimSpaces(part.substr(eq + 1)));
      const std::optional<ColumnType> type = ParseColumnType(type_name);
      if (!type) {
        throw ConfigError(flag + " '" + part + "': unknown type '" + type_name +
                          "'; valid types: number, integer, string (or categorical)");
      }
      if (!types.emplace(name, *type).second) throw ConfigError(flag + ": column '" + name + "' is given twice");
    }
  }
  return types;
}

std::vector<std::string> DefaultMissingValues() { return {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "?"}; }

std::string_view TrimSpaces(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  return text.substr(begin, end - begin);
}

bool LooksLikeDecimalComma(std::string_view text) {
  text = TrimSpaces(text);
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  const size_t comma = text.find(',');
  if (comma == std::string_view::npos || comma == 0 || comma + 1 == text.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i != comma && (text[i] < '0' || text[i] > '9')) return false;
  }
  return true;
}

namespace {

// Trims, and drops one leading '+' (from_chars takes none); false when nothing number-like is left.
bool PrepareNumber(std::string_view& text) {
  text = TrimSpaces(text);
  if (!text.empty() && text[0] == '+') {
    text.remove_prefix(1);
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) return false;
  }
  return !text.empty();
}

}  // namespace

CellParse ParseFloatCell(std::string_view text, float* value) {
  if (!PrepareNumber(text)) return CellParse::kInvalid;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, *value);
  if (stop != end || error == std::errc::invalid_argument) return CellParse::kInvalid;
  if (error == std::errc::result_out_of_range) {
    // Too large for a float is an error; too small rounds to zero as any parser would.
    double wide = 0;
    const auto [wide_stop, wide_error] = std::from_chars(text.data(), end, wide);
    bool underflow = false;
    if (wide_error == std::errc{}) {
      underflow = std::fabs(wide) <= FLT_MAX;
    } else {  // beyond double too: the exponent's sign tells which way
      const size_t e = text.find_first_of("eE");
      underflow = e != std::string_view::npos && e + 1 < text.size() && text[e + 1] == '-';
    }
    if (!underflow) return CellParse::kOutOfRange;
    *value = text[0] == '-' ? -0.0f : 0.0f;
    return CellParse::kOk;
  }
  return std::isfinite(*value) ? CellParse::kOk : CellParse::kNotFinite;
}

CellParse ParseIntegerCell(std::string_view text, int64_t* value) {
  if (!PrepareNumber(text)) return CellParse::kInvalid;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, *value);
  if (stop != end || error == std::errc::invalid_argument) return CellParse::kInvalid;
  return error == std::errc::result_out_of_range ? CellParse::kOutOfRange : CellParse::kOk;
}

const ColumnSchema* Schema::Find(std::string_view name) const {
  for (const ColumnSchema& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

bool Schema::IsMissing(std::string_view text) const {
  text = TrimSpaces(text);
  for (const std::string& token : missing_values) {
    if (token == text) return true;
  }
  return false;
}

namespace {

constexpr size_t kNoColumn = static_cast<size_t>(-1);
// Where a schema value is: "file:12: columns[3].type" for YAML, "schema: columns[3].type" otherwise.
using internal::ParseYaml;
using internal::YamlValue;
using Locator = std::function<std::string(size_t column, const std::string& key)>;

std::string KeyPath(size_t column, const std::string& key) {
  return column == kNoColumn ? key : "columns[" + std::to_string(column) + "]." + key;
}

std::string ColumnNames(const Schema& schema) {
  std::string out;
  for (const ColumnSchema& column : schema.columns) out += (out.empty() ? "" : ", ") + column.name;
  return out;
}

void ValidateSchema(const Schema& schema, const Locator& where) {
  if (schema.columns.empty()) {
    throw ConfigError(where(kNoColumn, "columns") +
                      ": the schema has no columns; list them, e.g. columns: [{name: age, type: number}]");
  }
  std::unordered_map<std::string_view, size_t> seen;
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const ColumnSchema& column = schema.columns[i];
    if (column.name.empty()) {
      throw ConfigError(where(i, "name") + ": the name is empty; give the name the column has in the file's header");
    }
    const auto [it, inserted] = seen.emplace(column.name, i);
    if (!inserted) {
      throw ConfigError(where(i, "name") + ": '" + column.name + "' is also the name of columns[" +
                        std::to_string(it->second) + "]; column names must be unique");
    }
    if (!column.default_value) continue;
    const std::string& text = *column.default_value;
    CellParse parsed = CellParse::kOk;
    if (column.type == ColumnType::kNumber) {
      float value = 0;
      parsed = ParseFloatCell(text, &value);
    } else if (column.type == ColumnType::kInteger) {
      int64_t value = 0;
      parsed = ParseIntegerCell(text, &value);
    }
    if (parsed != CellParse::kOk) {
      throw ConfigError(where(i, "default") + ": " + internal::QuoteCell(text) + " is not " +
                        (column.type == ColumnType::kNumber ? "a finite number" : "an integer") + ", but column '" +
                        column.name + "' has type " + ColumnTypeName(column.type) + ". Write one, e.g. default: 0.");
    }
  }
  if (!schema.label.empty()) {
    const ColumnSchema* label = schema.Find(schema.label);
    if (label == nullptr) {
      throw ConfigError(where(kNoColumn, "label") + ": '" + schema.label + "' is not one of the columns (" +
                        ColumnNames(schema) + "); name the column to predict, or leave label out");
    }
    if (label->default_value) {
      throw ConfigError(where(static_cast<size_t>(label - schema.columns.data()), "default") + ": the label column '" +
                        schema.label +
                        "' cannot have a default: a row without a label has nothing to learn from. "
                        "Remove the default.");
    }
  }
}

std::string EmitSchema(const Schema& schema, const std::vector<std::string>& comments) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  if (!schema.label.empty()) out << YAML::Key << "label" << YAML::Value << schema.label;
  out << YAML::Key << "missing_values" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const std::string& token : schema.missing_values) out << YAML::DoubleQuoted << token;
  out << YAML::EndSeq;
  out << YAML::Key << "columns" << YAML::Value << YAML::BeginSeq;
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const ColumnSchema& column = schema.columns[i];
    out << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << column.name << YAML::Key << "type"
        << YAML::Value << ColumnTypeName(column.type);
    if (column.default_value) {
      out << YAML::Key << "default" << YAML::Value;
      // Numbers plain (default: 0); text always quoted, so "" or "null" read back as text.
      if (column.type == ColumnType::kString) out << YAML::DoubleQuoted;
      out << *column.default_value;
    }
    out << YAML::EndMap;
    if (i < comments.size() && !comments[i].empty()) out << YAML::Comment(comments[i]);
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

// ---- YAML loading ----

class SchemaParser {
 public:
  Schema Parse(std::string_view text, const std::string& source) {
    const YamlValue root =
        ParseYaml(std::string(text), source, "Fix the syntax; a column is written - {name: age, type: number}.");
    if (!root.IsMap()) {
      throw ConfigError(source + ": a schema is a YAML map with the keys label, missing_values and columns; got " +
                        (root.IsNull() ? std::string("an empty document") : root.Describe()));
    }
    root.CheckKeys({"label", "missing_values", "columns"});
    Schema schema;
    if (const YamlValue label = root["label"]; label.IsDefined()) {
      key_lines_["label"] = label.line();
      schema.label = label.IsNull() ? "" : label.Text();
    }
    if (const YamlValue missing = root["missing_values"]; missing.IsDefined()) {
      schema.missing_values = MissingValues(missing);
    }
    const YamlValue columns = root["columns"];
    if (!columns.IsDefined()) {
      throw ConfigError(source +
                        ": the schema has no 'columns' key; list the columns, e.g. columns: "
                        "[{name: age, type: number}]");
    }
    schema.columns = Columns(columns);
    ValidateSchema(schema, [&](size_t column, const std::string& key) {
      int line = root_line_;
      if (column != kNoColumn && column < column_lines_.size()) {
        const auto found = column_lines_[column].find(key);
        line = found != column_lines_[column].end() ? found->second : column_lines_[column].at("");
      } else if (const auto found = key_lines_.find(key); found != key_lines_.end()) {
        line = found->second;
      }
      return source + ":" + std::to_string(line) + ": " + KeyPath(column, key);
    });
    return schema;
  }

 private:
  std::vector<std::string> MissingValues(const YamlValue& node) {
    key_lines_["missing_values"] = node.line();
    if (!node.IsSequence()) node.Fail("expected a list of texts, e.g. [\"\", \"NA\", \"?\"]; got " + node.Describe());
    for (size_t i = 0; i < node.size(); ++i) {
      if (node[i].IsNull()) {
        node[i].Fail(
            "the entry is null; write the text in quotes (\"null\") if it means missing, or \"\" for "
            "empty cells");
      }
    }
    return node.TextList();
  }

  std::vector<ColumnSchema> Columns(const YamlValue& node) {
    key_lines_["columns"] = node.line();
    if (!node.IsSequence()) {
      node.Fail("expected a list of columns, e.g. - {name: age, type: number}; got " + node.Describe());
    }
    std::vector<ColumnSchema> columns;
    for (size_t i = 0; i < node.size(); ++i) {
      const YamlValue entry = node[i];
      if (!entry.IsMap()) entry.Fail("a column is a map like {name: age, type: number}; got " + entry.Describe());
      entry.CheckKeys({"name", "type", "default"});
      std::unordered_map<std::string, int>& lines = column_lines_.emplace_back();
      lines[""] = entry.line();
      for (const char* key : {"name", "type", "default"}) {
        if (entry[key].IsDefined()) lines[key] = entry[key].line();
      }
      ColumnSchema column;
      const YamlValue name = entry["name"], type = entry["type"], fallback = entry["default"];
      if (!name.IsDefined()) entry.Fail("the column has no name; add name: <header name>");
      column.name = name.Text();
      if (!type.IsDefined()) {
        entry.Fail("column '" + column.name + "' has no type; add type: with one of number, integer, string");
      }
      const std::string type_name = type.Text();
      const std::optional<ColumnType> parsed = ParseColumnType(type_name);
      if (!parsed) type.Fail("unknown type \"" + type_name + "\"; valid types: number, integer, string");
      column.type = *parsed;
      if (fallback.IsNull()) {
        fallback.Fail(
            "the default is null; leave the key out for no default, or write the value (\"\" for an "
            "empty text)");
      }
      if (fallback.IsDefined()) column.default_value = fallback.Text();
      columns.push_back(std::move(column));
    }
    return columns;
  }

  int root_line_ = 1;
  std::unordered_map<std::string, int> key_lines_;                  // top-level key -> line
  std::vector<std::unordered_map<std::string, int>> column_lines_;  // per column: key -> line ("" = the entry)
};

}  // namespace

void Schema::Validate() const {
  ValidateSchema(*this, [](size_t column, const std::string& key) { return "schema: " + KeyPath(column, key); });
}

std::string Schema::ToYaml() const { return EmitSchema(*this, {}); }

Schema ParseSchema(std::string_view yaml, const std::string& source) { return SchemaParser().Parse(yaml, source); }

void ApplyColumnTypes(Schema& schema, const ColumnTypes& types, const std::string& source) {
  for (const auto& declared : types) {
    const std::string& name = declared.first;
    const ColumnType type = declared.second;
    auto column = std::find_if(schema.columns.begin(), schema.columns.end(),
                               [&name](const ColumnSchema& c) { return c.name == name; });
    if (column == schema.columns.end()) {
      throw ConfigError(source + ": no column '" + name + "' to give type " + ColumnTypeName(type) +
                        "; the columns are " + ColumnNames(schema));
    }
    column->type = type;
  }
}

Schema LoadSchema(const std::string& path) {
  TextInput input(path);
  std::string text;
  for (std::string_view chunk = input.NextChunk(); !chunk.empty(); chunk = input.NextChunk()) text += chunk;
  return ParseSchema(text, path);
}

// ---- inference ----

std::string InferredSchema::ToYaml() const {
  std::vector<std::string> comments(schema.columns.size());
  for (size_t i = 0; i < schema.columns.size() && i < missing_counts.size(); ++i) {
    const int64_t missing = missing_counts[i];
    if (missing == 0) continue;
    if (missing == rows_sampled) {
      comments[i] = "all " + std::to_string(rows_sampled) + " sampled values missing: type unknown";
    } else {
      comments[i] = std::to_string(missing) + " of " + std::to_string(rows_sampled) +
                    " sampled values missing: set a default, or feature columns impute them";
    }
  }
  return "# lever table schema, inferred from " + std::to_string(rows_sampled) +
         " rows: check the types (docs/data_formats.md)\n" + EmitSchema(schema, comments);
}

InferredSchema InferSchema(const std::string& path, const CsvOptions& csv, const InferOptions& options) {
  if (options.sample_rows < 0) {
    throw ConfigError("InferSchema: sample_rows is " + std::to_string(options.sample_rows) +
                      "; it must be 0 (all rows) or more");
  }
  CsvReader reader(path, csv, options.bad_rows);
  InferredSchema result;
  result.schema.missing_values = options.missing_values;
  struct Seen {
    int64_t missing = 0;
    bool all_integers = true;
    bool all_numbers = true;
  };
  std::vector<Seen> seen(reader.num_columns());
  CsvRecord record;
  while ((options.sample_rows == 0 || result.rows_sampled < options.sample_rows) && reader.Next(record)) {
    if (seen.size() < record.size()) seen.resize(record.size());  // without a header: the first record
    ++result.rows_sampled;
    for (size_t i = 0; i < record.size(); ++i) {
      const std::string_view text = record[i];
      if (result.schema.IsMissing(text)) {
        ++seen[i].missing;
        continue;
      }
      if (seen[i].all_integers) {
        int64_t integer = 0;
        if (ParseIntegerCell(text, &integer) == CellParse::kOk) continue;
        seen[i].all_integers = false;
      }
      // inf, 1e39 and 0,5 are numbers that cannot be used: the column stays a number column, and reading
      // it names the cell, wherever in the file it is.
      float number = 0;
      if (seen[i].all_numbers && ParseFloatCell(text, &number) == CellParse::kInvalid && !LooksLikeDecimalComma(text)) {
        seen[i].all_numbers = false;
      }
    }
  }
  if (result.rows_sampled == 0) {
    throw DataError(path + (csv.header ? " has a header but no data rows" : " has no data rows") +
                    ": there is nothing to infer column types from. Check the path.");
  }
  for (size_t i = 0; i < seen.size(); ++i) {
    ColumnSchema column;
    column.name = csv.header ? reader.header()[i] : "column_" + std::to_string(i + 1);
    if (seen[i].missing == result.rows_sampled) {
      column.type = ColumnType::kString;
    } else if (seen[i].all_integers) {
      column.type = ColumnType::kInteger;
    } else if (seen[i].all_numbers) {
      column.type = ColumnType::kNumber;
    } else {
      column.type = ColumnType::kString;
    }
    result.schema.columns.push_back(std::move(column));
    result.missing_counts.push_back(seen[i].missing);
  }
  if (!options.label.empty() && result.schema.Find(options.label) == nullptr) {
    throw ConfigError(path + ": the label column '" + options.label + "' is not in the file; its columns are " +
                      ColumnNames(result.schema));
  }
  result.schema.label = options.label;
  return result;
}

}  // namespace lever
