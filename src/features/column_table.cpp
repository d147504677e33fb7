#include "lever/features/column_table.h"

#include "lever/error.h"

namespace lever {

void ColumnTable::CheckNew(const std::string& name, size_t rows) {
  if (Find(name) >= 0) throw ConfigError("column '" + name + "' already exists in the table");
  if (!columns_.empty() && static_cast<Index>(rows) != rows_) {
    throw DataError("column '" + name + "' has " + std::to_string(rows) + " rows, the table has " +
                    std::to_string(rows_));
  }
  rows_ = static_cast<Index>(rows);
}

ColumnTable& ColumnTable::AddNumbers(const std::string& name, std::vector<float> values) {
  CheckNew(name, values.size());
  columns_.push_back({name, true, std::move(values), {}});
  return *this;
}

ColumnTable& ColumnTable::AddTexts(const std::string& name, std::vector<std::string> values) {
  CheckNew(name, values.size());
  columns_.push_back({name, false, {}, std::move(values)});
  return *this;
}

int ColumnTable::Find(const std::string& name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace lever
