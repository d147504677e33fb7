#pragma once
// Where feature columns read raw values from: a table read from CSV, a batch from a stream, or a
// user's own data. Column-oriented, addressed by column index (resolved once by name).
#include <cstdint>
#include <string>
#include <string_view>

#include "lever/tensor/tensor.h"

namespace lever {

class ColumnSource {
 public:
  virtual ~ColumnSource() = default;
  virtual Index num_rows() const = 0;
  virtual int num_columns() const = 0;
  /// The index of the column called `name`, or -1.
  virtual int Find(const std::string& name) const = 0;
  virtual std::string ColumnName(int column) const = 0;
  /// True for numeric columns (Number), false for text ones (Text).
  virtual bool IsNumeric(int column) const = 0;
  virtual float Number(int column, Index row) const = 0;
  /// Integer columns (ids, years) are numeric too, and also readable exactly here.
  virtual bool IsInteger(int column) const {
    (void)column;
    return false;
  }
  virtual int64_t Integer(int column, Index row) const { return static_cast<int64_t>(Number(column, row)); }
  virtual std::string_view Text(int column, Index row) const = 0;
  /// Where a row came from, for error messages ("train.csv:1042"); "row <n>" by default.
  virtual std::string Where(Index row) const { return "row " + std::to_string(row); }
};

}  // namespace lever
