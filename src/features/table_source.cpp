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

std::string TableSource::Where(Index row) const {
  return (file_.empty() ? std::string("table") : file_) + " data row " + std::to_string(row + 1);
}

}  // namespace lever
