#pragma once
// A table read from CSV (lever/data/table.h) as a ColumnSource for feature columns.
#include <string>

#include "lever/data/table.h"
#include "lever/features/column_source.h"

namespace lever {

class TableSource : public ColumnSource {
 public:
  /// `table` must outlive the source; `file` names it in messages.
  explicit TableSource(const Table& table, std::string file = "") : table_(table), file_(std::move(file)) {}
  Index num_rows() const override { return table_.num_rows; }
  int num_columns() const override { return static_cast<int>(table_.columns.size()); }
  int Find(const std::string& name) const override;
  std::string ColumnName(int column) const override { return Col(column).name; }
  bool IsNumeric(int column) const override { return Col(column).type != ColumnType::kString; }
  bool IsInteger(int column) const override { return Col(column).type == ColumnType::kInteger; }
  float Number(int column, Index row) const override;
  int64_t Integer(int column, Index row) const override;
  std::string_view Text(int column, Index row) const override { return Col(column).StringAt(static_cast<size_t>(row)); }
  std::string Where(Index row) const override;

 private:
  const TableColumn& Col(int column) const { return table_.columns[static_cast<size_t>(column)]; }
  const Table& table_;
  std::string file_;
};

}  // namespace lever
