#include "lever/features/table_source.h"

namespace lever {

int TableSource::Find(const std::string& name) const {
  for (size_t i = 0; i < table_.columns.size(); ++i) {
    if (table_.columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

float TableSource::Number(int column, Index row) const { return Col(column).NumberAt(static_cast<size_t>(row)); }

int64_t TableSource::Integer(int column, Index row) const {
  const TableColumn& c = Col(column);
  if (c.type == ColumnType::kInteger) return c.integers[static_cast<size_t>(row)];
  return static_cast<int64_t>(c.numbers[static_cast<size_t>(row)]);
}

// The row's line as the user sees it in the file (the header is line 1), when the table was read from one.
std::string TableSource::Where(Index row) const {
  const std::string name = file_.empty() ? std::string("table") : file_;
  const auto i = static_cast<size_t>(row);
  if (i < table_.lines.size()) return name + ":" + std::to_string(table_.lines[i]);
  return name + " data row " + std::to_string(row + 1);
}

}  // namespace lever
