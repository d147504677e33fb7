#include "lever/data/csv_reader.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "lever/error.h"
#include "lever/io/excerpt.h"

namespace lever {

namespace internal {

std::string QuoteCell(std::string_view text) { return QuoteExcerpt(text); }

}  // namespace internal

namespace {

std::string ShowChar(char c) {
  if (c == '\t') return "a tab";
  return "'" + std::string(1, c) + "'";
}

// "a, b, c", cut after the first few names so a wide table does not flood the message.
std::string JoinNames(const std::vector<std::string>& names) {
  constexpr size_t kShown = 12;
  std::string out;
  for (size_t i = 0; i < names.size() && i < kShown; ++i) out += (i == 0 ? "" : ", ") + names[i];
  if (names.size() > kShown) out += ", ... (" + std::to_string(names.size() - kShown) + " more)";
  return out;
}

}  // namespace

CsvReader::CsvReader(const std::string& path, const CsvOptions& options, const BadRowPolicy& policy,
                     BadRowReport* report)
    : input_(path), options_(options), policy_(policy), report_(report != nullptr ? report : &own_report_) {
  const char d = options_.delimiter;
  if (d == '"' || d == '\n' || d == '\r' || d == '\0') {
    throw ConfigError("CSV delimiter " + internal::QuoteCell(std::string_view(&d, 1)) +
                      " cannot separate fields; use ',', ';', '|' or '\\t'");
  }
  if (options_.skip_lines < 0) {
    throw ConfigError("CSV skip_lines is " + std::to_string(options_.skip_lines) + "; it must be 0 or more");
  }
  std::string_view line;
  for (int i = 0; i < options_.skip_lines && ReadPhysicalLine(&line); ++i) {
  }
  if (!options_.header) return;

  if (!ReadNonEmptyLine(&line)) {
    throw DataError(path + ": file is empty: expected a header row" +
                    (options_.skip_lines > 0 ? " after the " + std::to_string(options_.skip_lines) + " skipped lines"
                                             : std::string()) +
                    ". Check the path, or read the file without a header if it has none.");
  }
  CsvRecord names;
  // A binary file read as CSV: its first "line" holds control bytes, which column names would carry into
  // every later message.
  if (HasControlBytes(line)) {
    throw DataError(path + ":" + std::to_string(input_.line_number()) + ": the header row " + QuoteExcerpt(line) +
                    " holds control bytes, so this is not a CSV text file (a binary or compressed file of "
                    "another kind?). Check the path.");
  }
  names.line_ = input_.line_number();
  if (Parse(line, names) != ParseResult::kOk) throw DataError(message_);
  std::unordered_map<std::string_view, size_t> seen;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) {
      throw DataError(path + ":" + std::to_string(names.line()) + ": column " + std::to_string(i + 1) +
                      ": the header name is empty. Every column needs a name: name it in the header row.");
    }
    const auto [it, inserted] = seen.emplace(names[i], i);
    if (!inserted) {
      throw DataError(path + ":" + std::to_string(names.line()) + ": the header names column '" +
                      std::string(names[i]) + "' twice (columns " + std::to_string(it->second + 1) + " and " +
                      std::to_string(i + 1) + "). Column names must be unique: rename one of them.");
    }
  }
  header_.reserve(names.size());
  for (size_t i = 0; i < names.size(); ++i) header_.emplace_back(names[i]);
  num_columns_ = header_.size();
}

bool CsvReader::ReadPhysicalLine(std::string_view* line) {
  if (!input_.ReadLine(line)) return false;
  if (first_line_) {
    first_line_ = false;
    if (line->starts_with("\xEF\xBB\xBF")) line->remove_prefix(3);
  }
  return true;
}

bool CsvReader::ReadNonEmptyLine(std::string_view* line) {
  while (ReadPhysicalLine(line)) {
    if (line->empty()) continue;
    // With trimming, a line of spaces holds nothing either (unless the delimiter is one of them).
    if (options_.trim_spaces && line->find_first_not_of(" \t") == std::string_view::npos && options_.delimiter != ' ' &&
        options_.delimiter != '\t') {
      continue;
    }
    return true;
  }
  return false;
}

std::string CsvReader::Where(int64_t line, size_t column) const {
  std::string out = path() + ":" + std::to_string(line) + ": column " + std::to_string(column);
  if (column >= 1 && column <= header_.size()) out += " ('" + header_[column - 1] + "')";
  return out;
}

void CsvReader::BadRecord(const std::string& message) { report_->Record(message, policy_); }

CsvReader::ParseResult CsvReader::Parse(std::string_view line, CsvRecord& record) {
  const char delimiter = options_.delimiter;
  const bool trim = options_.trim_spaces;
  auto is_space = [delimiter](char c) { return (c == ' ' || c == '\t') && c != delimiter; };
  std::string& text = record.text_;
  size_t p = 0;
  for (;;) {
    const size_t column = record.ends_.size() + 1;
    if (trim) {
      while (p < line.size() && is_space(line[p])) ++p;
    }
    if (p < line.size() && line[p] == '"') {
      const int64_t open_line = input_.line_number();
      ++p;
      for (;;) {
        const void* quote = std::memchr(line.data() + p, '"', line.size() - p);
        if (quote == nullptr) {
          // The field goes on past the line end: keep the line break and read the next line.
          text.append(line.data() + p, line.size() - p);
          text.push_back('\n');
          if (!input_.ReadLine(&line)) {
            throw DataError(Where(open_line, column) +
                            ": the quote opened here is never closed (the file ends inside the quoted field). "
                            "Close the quote, and write quotes that are part of the text twice (\"\").");
          }
          p = 0;
          continue;
        }
        const size_t at = static_cast<size_t>(static_cast<const char*>(quote) - line.data());
        text.append(line.data() + p, at - p);
        if (at + 1 < line.size() && line[at + 1] == '"') {  // "" is one quote
          text.push_back('"');
          p = at + 2;
          continue;
        }
        p = at + 1;
        break;
      }
      if (trim) {
        while (p < line.size() && is_space(line[p])) ++p;
      }
      if (p < line.size() && line[p] != delimiter) {
        message_ = Where(input_.line_number(), column) + ": unexpected " + ShowChar(line[p]) +
                   " after the closing quote; a quoted field must end at the delimiter or the line end. "
                   "Write a quote that is part of the text twice (\"\").";
        return ParseResult::kBadRecord;
      }
    } else {
      // Fields are short: one plain loop beats memchr calls for the delimiter and then for a quote.
      const size_t start = p;
      size_t stop = p;
      while (stop < line.size() && line[stop] != delimiter && line[stop] != '"') ++stop;
      if (stop < line.size() && line[stop] == '"') {
        const size_t field_end = std::min(line.find(delimiter, stop), line.size());
        message_ = Where(input_.line_number(), column) + ": a quote (\") inside the unquoted field " +
                   internal::QuoteCell(line.substr(start, field_end - start)) +
                   ". Quote the whole field (\"...\") and write the quotes inside it twice (\"\"), or remove the "
                   "stray quote.";
        return ParseResult::kBadRecord;
      }
      size_t end = stop;
      if (trim) {
        while (end > start && is_space(line[end - 1])) --end;
      }
      text.append(line.data() + start, end - start);
      p = stop;
    }
    record.ends_.push_back(text.size());
    if (p >= line.size()) return ParseResult::kOk;
    ++p;  // the delimiter; a delimiter at the line end is followed by one more (empty) field
  }
}

bool CsvReader::Next(CsvRecord& record) {
  std::string_view line;
  while (ReadNonEmptyLine(&line)) {
    record.Clear();
    record.line_ = input_.line_number();
    if (Parse(line, record) == ParseResult::kOk) {
      if (num_columns_ == 0) num_columns_ = record.size();
      if (record.size() == num_columns_) return true;
      const std::string expected =
          options_.header ? "the header has " + std::to_string(num_columns_) + " (" + JoinNames(header_) + ")"
                          : "the first record has " + std::to_string(num_columns_);
      std::string detail;
      if (record.size() > num_columns_) {
        detail = "the extra field " + std::to_string(num_columns_ + 1) + " is " +
                 internal::QuoteCell(record[num_columns_]) + ". Quote fields that contain the delimiter " +
                 ShowChar(options_.delimiter) + ".";
      } else {
        detail = "column " + std::to_string(record.size() + 1) +
                 (record.size() < header_.size() ? " ('" + header_[record.size()] + "')" : std::string()) +
                 " onwards is missing. Give every record one field per column (leave a missing value empty: a,,c).";
      }
      message_ = path() + ":" + std::to_string(record.line()) + ": the record has " + std::to_string(record.size()) +
                 " fields but " + expected + "; " + detail;
    }
    BadRecord(message_);
  }
  return false;
}

}  // namespace lever
