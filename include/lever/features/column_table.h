#pragma once
// A simple in-memory ColumnSource: named numeric or text columns of equal length. For C++ users who
// have their data at hand, and for tests.
#include <string>
#include <vector>

#include "lever/features/column_source.h"

namespace lever {

class ColumnTable : public ColumnSource {
 public:
  /// Adds a column; every column must have the same number of rows. Names must be unique.
  ColumnTable& AddNumbers(const std::string& name, std::vector<float> values);
  ColumnTable& AddTexts(const std::string& name, std::vector<std::string> values);

  Index num_rows() const override { return rows_; }
  int num_columns() const override { return static_cast<int>(columns_.size()); }
  int Find(const std::string& name) const override;
  std::string ColumnName(int column) const override { return columns_[static_cast<size_t>(column)].name; }
  bool IsNumeric(int column) const override { return columns_[static_cast<size_t>(column)].numeric; }
  float Number(int column, Index row) const override {
    return columns_[static_cast<size_t>(column)].numbers[static_cast<size_t>(row)];
  }
  std::string_view Text(int column, Index row) const override {
    return columns_[static_cast<size_t>(column)].texts[static_cast<size_t>(row)];
  }

 private:
  struct Column {
    std::string name;
    bool numeric = true;
    std::vector<float> numbers;
    std::vector<std::string> texts;
  };
  void CheckNew(const std::string& name, size_t rows);
  std::vector<Column> columns_;
  Index rows_ = 0;
};

}  // namespace lever
