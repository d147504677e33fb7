#pragma once
// Reading raw values the way categorical columns need them (internal).
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

#include "lever/error.h"
#include "lever/features/column_source.h"
#include "lever/features/hash.h"

namespace lever::internal {

/// A number in its shortest decimal form ("3", "2.5"), so that 3 and "3" fall in the same hash bucket and
/// vocabulary entry (crosses differ: CrossValue).
inline std::string_view ShortestDecimal(float value, char (&buffer)[32]) {
  const double v = value;
  if (v == std::floor(v) && std::abs(v) < 9e15) {
    auto r = std::to_chars(buffer, buffer + sizeof(buffer), static_cast<long long>(v));
    return {buffer, static_cast<size_t>(r.ptr - buffer)};
  }
  auto r = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return {buffer, static_cast<size_t>(r.ptr - buffer)};
}

/// The raw value of `column` at `row` as text (numbers in shortest decimal form).
inline std::string_view RawText(const ColumnSource& source, int column, Index row, char (&buffer)[32]) {
  if (source.IsInteger(column)) {
    auto r = std::to_chars(buffer, buffer + sizeof(buffer), source.Integer(column, row));
    return {buffer, static_cast<size_t>(r.ptr - buffer)};
  }
  if (source.IsNumeric(column)) return ShortestDecimal(source.Number(column, row), buffer);
  return source.Text(column, row);
}

/// The 64-bit value a cross combines: whole numbers as themselves, other values as their text's hash.
inline uint64_t CrossValue(const ColumnSource& source, int column, Index row) {
  if (source.IsInteger(column)) return static_cast<uint64_t>(source.Integer(column, row));
  if (source.IsNumeric(column)) {
    const double v = source.Number(column, row);
    if (v == std::floor(v) && std::abs(v) < 9e15) return static_cast<uint64_t>(static_cast<int64_t>(v));
  }
  char buffer[32];
  return HashString(RawText(source, column, row, buffer));
}

/// A whole number from a numeric or text column, or false.
inline bool WholeNumber(const ColumnSource& source, int column, Index row, int64_t& out) {
  if (source.IsInteger(column)) {
    out = source.Integer(column, row);
    return true;
  }
  if (source.IsNumeric(column)) {
    const double v = source.Number(column, row);
    if (!(v == std::floor(v)) || std::abs(v) > 9e15) return false;
    out = static_cast<int64_t>(v);
    return true;
  }
  const std::string_view t = source.Text(column, row);
  auto r = std::from_chars(t.data(), t.data() + t.size(), out);
  return r.ec == std::errc() && r.ptr == t.data() + t.size() && !t.empty();
}

}  // namespace lever::internal
