#pragma once
// A streaming CSV reader (RFC 4180 with a few practical allowances), plain or gzip (see TextInput).
//
// Dialect: fields separated by `delimiter` (default ','); a field may be quoted with '"', and then holds
// delimiters, line breaks (read as "\n") and quotes written twice (""); records end with LF or CRLF, the
// last one with or without a line end; a UTF-8 byte-order mark is skipped; empty lines are skipped; with
// `trim_spaces` (default) spaces and tabs around a field are not part of it. The first record is the
// header unless `header` is false; its names must be non-empty and unique. Every record must have as many
// fields as the header (or, without one, as the first record).
//
// Errors are DataErrors naming file:line and the 1-based column and saying what to do. Malformed records
// (a quote inside an unquoted field, text after a closing quote, a wrong number of fields) go through the
// BadRowPolicy: the first one throws by default, or they are skipped and counted in the BadRowReport.
// A problem with the file as a whole (empty, bad header, a quote never closed) always throws.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lever/data/bad_rows.h"
#include "lever/data/text_input.h"

namespace lever {

struct CsvOptions {
  char delimiter = ',';     // any byte but '"', '\r' and '\n'; '\t' reads TSV
  bool header = true;       // the first record names the columns
  bool trim_spaces = true;  // drop spaces and tabs around fields (not inside quotes)
  int skip_lines = 0;       // physical lines skipped before the header (a title, comments)
};

/// One record: its fields as views into a buffer the record owns and reuses, so reading the next record
/// into the same object allocates nothing once field sizes are stable.
class CsvRecord {
 public:
  size_t size() const { return ends_.size(); }
  std::string_view operator[](size_t i) const {
    const size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(text_.data() + begin, ends_[i] - begin);
  }
  /// 1-based line of the file where the record starts (a quoted line break makes it span several).
  int64_t line() const { return line_; }

 private:
  friend class CsvReader;
  void Clear() {
    text_.clear();
    ends_.clear();
  }
  std::string text_;          // the fields' text, one after another
  std::vector<size_t> ends_;  // one past each field's end in text_
  int64_t line_ = 0;
};

class CsvReader {
 public:
  /// Opens `path` and reads the header. Throws IoError when the file cannot be read, ConfigError for a
  /// bad delimiter, DataError for an empty file ("file is empty: expected a header row") or an empty or
  /// repeated header name. `policy` decides what happens to malformed records; skipped ones are counted
  /// in `report` (or in the reader's own report when none is given).
  CsvReader(const std::string& path, const CsvOptions& options = {}, const BadRowPolicy& policy = {},
            BadRowReport* report = nullptr);

  /// Reads the next record into `record`; false at the end of the file (also right after the header:
  /// whoever needs data says that there is none).
  bool Next(CsvRecord& record);

  /// The header's names (trimmed like fields); empty without a header.
  const std::vector<std::string>& header() const { return header_; }
  /// Fields per record: the header's, or without a header the first record's (0 before it is read).
  size_t num_columns() const { return num_columns_; }
  const std::string& path() const { return input_.path(); }
  /// Where in the file the reader is: the last physical line read (1-based).
  int64_t line_number() const { return input_.line_number(); }

 private:
  enum class ParseResult { kOk, kBadRecord };
  bool ReadPhysicalLine(std::string_view* line);  // ReadLine, dropping a UTF-8 byte-order mark
  bool ReadNonEmptyLine(std::string_view* line);
  ParseResult Parse(std::string_view line, CsvRecord& record);
  std::string Where(int64_t line, size_t field) const;  // "a.csv:3: column 2 ('age')"
  void BadRecord(const std::string& message);

  TextInput input_;
  CsvOptions options_;
  BadRowPolicy policy_;
  BadRowReport own_report_;
  BadRowReport* report_;
  std::vector<std::string> header_;
  size_t num_columns_ = 0;
  bool first_line_ = true;
  std::string message_;  // why the last record was bad
};

namespace internal {
/// A cell as error messages show it: in double quotes, control bytes escaped, long text cut ("abc...").
std::string QuoteCell(std::string_view text);
}  // namespace internal

}  // namespace lever
