#include "lever/data/labels.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>

#include "lever/error.h"
#include "lever/registry.h"

namespace lever {
namespace {

std::string Quoted(const std::string& text) { return "'" + text + "'"; }

// "'a', 'b', 'c'", at most `most` of them, then ", ... (n in all)".
std::string List(const std::vector<std::string>& names, size_t most = 6) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < most; ++i) out += (i ? ", " : "") + Quoted(names[i]);
  if (names.size() > most) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out;
}

std::string Where(const std::string& file, const std::vector<int64_t>& lines, size_t row) {
  const std::string name = file.empty() ? std::string("table") : file;
  if (row < lines.size()) return name + ":" + std::to_string(lines[row]);
  return name + " data row " + std::to_string(row + 1);
}

// Each row's value as a class name (text as it is, numbers by LabelNumberName).
std::vector<std::string> RowNames(const TableColumn& c) {
  std::vector<std::string> out;
  if (c.type == ColumnType::kString) {
    out.reserve(c.codes.size());
    for (size_t i = 0; i < c.codes.size(); ++i) out.push_back(c.StringAt(i));
  } else {
    const size_t rows = c.type == ColumnType::kInteger ? c.integers.size() : c.numbers.size();
    for (size_t i = 0; i < rows; ++i) {
      out.push_back(c.type == ColumnType::kInteger ? std::to_string(c.integers[i]) : LabelNumberName(c.numbers[i]));
    }
  }
  return out;
}

size_t Rows(const TableColumn& c) {
  return c.type == ColumnType::kString ? c.codes.size()
                                       : (c.type == ColumnType::kInteger ? c.integers.size() : c.numbers.size());
}

double ValueAt(const TableColumn& c, size_t row) {
  return c.type == ColumnType::kInteger ? static_cast<double>(c.integers[row]) : static_cast<double>(c.numbers[row]);
}

std::string UnseenMessage(const std::string& where, const LabelEncoding& e, const std::string& value) {
  return where + ": label '" + e.column + "' is \"" + value +
         "\", a value the training labels do not have (classes: " + List(e.classes, 12) +
         "). Fix or remove the row, or train on data that has this class" + " (a label vocabulary lists every class).";
}

}  // namespace

const char* TaskName(Task task) {
  switch (task) {
    case Task::kBinary:
      return "binary";
    case Task::kMultiClass:
      return "multi_class";
    case Task::kRegression:
      return "regression";
    case Task::kMultiLabel:
      return "multi_label";
  }
  return "?";
}

std::optional<Task> ParseTask(const std::string& name) {
  if (name == "auto") return std::nullopt;
  if (name == "binary") return Task::kBinary;
  if (name == "multi_class" || name == "multiclass") return Task::kMultiClass;
  if (name == "regression") return Task::kRegression;
  if (name == "multi_label" || name == "multilabel") return Task::kMultiLabel;
  throw ConfigError("'" + name + "' is not a task; valid: auto, binary, multi_class, regression, multi_label");
}

std::string LabelNumberName(double value) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, static_cast<float>(value));
  return std::string(text, result.ptr);
}

Index LabelEncoding::Outputs() const {
  return task == Task::kMultiClass   ? static_cast<Index>(classes.size())
         : task == Task::kMultiLabel ? static_cast<Index>(parts.size())
                                     : 1;
}

std::string LabelEncoding::DefaultLoss() const {
  switch (task) {
    case Task::kBinary:
      return "sigmoid_cross_entropy";
    case Task::kMultiClass:
      return "sparse_softmax_cross_entropy";
    case Task::kRegression:
      return "mean_squared_error";
    case Task::kMultiLabel:
      return "sigmoid_cross_entropy";
  }
  return "mean_squared_error";
}

Index LabelEncoding::ClassId(const std::string& name) const {
  const auto found = std::find(classes.begin(), classes.end(), name);
  return found == classes.end() ? -1 : static_cast<Index>(found - classes.begin());
}

Tensor LabelEncoding::Encode(const Table& table, const std::string& file) const {
  if (task == Task::kMultiLabel) {
    Tensor y(static_cast<Index>(table.num_rows), static_cast<Index>(parts.size()));
    for (size_t j = 0; j < parts.size(); ++j) y.col(static_cast<Index>(j)) = parts[j].Encode(table, file).col(0);
    return y;
  }
  const TableColumn& c = table.Column(column);
  const size_t rows = Rows(c);
  Tensor y(static_cast<Index>(rows), 1);
  if (task == Task::kRegression) {
    if (c.type == ColumnType::kString) {
      throw ConfigError(file + ": the label column '" + column + "' holds text; a regression label is a number");
    }
    for (size_t i = 0; i < rows; ++i) y(static_cast<Index>(i), 0) = c.NumberAt(i);
    return y;
  }
  std::unordered_map<std::string, Index> id;
  for (size_t k = 0; k < classes.size(); ++k) id.emplace(classes[k], static_cast<Index>(k));
  if (c.type == ColumnType::kString) {
    // One look-up per distinct value, not per row.
    std::vector<Index> of_code(c.dictionary.size(), -1);
    for (size_t d = 0; d < c.dictionary.size(); ++d) {
      const auto found = id.find(c.dictionary[d]);
      if (found != id.end()) of_code[d] = found->second;
    }
    for (size_t i = 0; i < rows; ++i) {
      const Index k = of_code[static_cast<size_t>(c.codes[i])];
      if (k < 0) throw DataError(UnseenMessage(Where(file, table.lines, i), *this, c.StringAt(i)));
      y(static_cast<Index>(i), 0) = static_cast<float>(k);
    }
    return y;
  }
  std::unordered_map<double, Index> of_value;
  for (size_t i = 0; i < rows; ++i) {
    const double v = ValueAt(c, i);
    auto found = of_value.find(v);
    if (found == of_value.end()) {
      const std::string name = c.type == ColumnType::kInteger ? std::to_string(c.integers[i]) : LabelNumberName(v);
      const auto known = id.find(name);
      if (known == id.end()) throw DataError(UnseenMessage(Where(file, table.lines, i), *this, name));
      found = of_value.emplace(v, known->second).first;
    }
    y(static_cast<Index>(i), 0) = static_cast<float>(found->second);
  }
  return y;
}

LabelEncoding DecideLabels(const TableColumn& column, const LabelOptions& options, const std::string& file,
                           const std::vector<int64_t>& lines) {
  LabelEncoding e;
  e.column = column.name;
  e.numeric = column.type != ColumnType::kString;
  const std::optional<Task> wanted = ParseTask(options.task);
  if (wanted == Task::kMultiLabel) {
    throw ConfigError("label '" + column.name +
                      "': multi_label needs several label columns (--label a,b,c, or a list "
                      "in data.label)");
  }
  const std::string head = "label '" + column.name + "': ";
  const size_t rows = Rows(column);

  // What the values are: text (sorted), or numbers (sorted by value, named as printed).
  std::vector<std::string> distinct;
  bool whole = true;
  double lowest = 0, highest = 0;
  if (!e.numeric) {
    distinct = column.dictionary;
    std::sort(distinct.begin(), distinct.end());
  } else {
    std::vector<double> values;
    values.reserve(rows);
    for (size_t i = 0; i < rows; ++i) values.push_back(ValueAt(column, i));
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    for (const double v : values) {
      whole = whole && v == std::floor(v);
      distinct.push_back(column.type == ColumnType::kInteger ? std::to_string(static_cast<int64_t>(v))
                                                             : LabelNumberName(v));
    }
    if (!values.empty()) {
      lowest = values.front();
      highest = values.back();
    }
  }
  const size_t n = distinct.size();
  // Whole numbers 0..k-1 read as class ids: 0 present, k small, and every id present or plenty of rows.
  const double k = highest + 1;
  const bool class_ids = e.numeric && n > 0 && whole && lowest == 0 && k <= kMaxAutoClasses &&
                         (static_cast<double>(n) == k || static_cast<double>(rows) >= 10 * k);
  std::string values_text;
  if (!e.numeric) {
    values_text = std::to_string(n) + " text value" + (n == 1 ? "" : "s") + " " + List(distinct);
  } else if (n <= 2) {
    values_text = std::to_string(n) + " distinct number" + (n == 1 ? " " : "s ") + List(distinct);
  } else {
    values_text = std::to_string(n) + " distinct " + (whole ? "whole numbers " : "numbers ") + distinct.front() + ".." +
                  distinct.back();
  }

  std::string why;
  if (!options.vocabulary.empty()) {
    e.classes = options.vocabulary;
    for (size_t a = 0; a < e.classes.size(); ++a) {
      for (size_t b = a + 1; b < e.classes.size(); ++b) {
        if (e.classes[a] == e.classes[b])
          throw ConfigError("the label vocabulary lists " + Quoted(e.classes[a]) + " twice");
      }
    }
    if (e.classes.size() < 2)
      throw ConfigError("a label vocabulary lists at least two classes, got " + List(e.classes));
    const std::vector<std::string> names = RowNames(column);
    for (size_t i = 0; i < names.size(); ++i) {
      if (e.ClassId(names[i]) < 0) {
        throw DataError(Where(file, lines, i) + ": label '" + column.name + "' is \"" + names[i] +
                        "\", which the label vocabulary (" + List(e.classes, 12) +
                        ") does not list. Add it to the vocabulary.");
      }
    }
    e.task = wanted.value_or(e.classes.size() == 2 ? Task::kBinary : Task::kMultiClass);
    if (e.task == Task::kRegression)
      throw ConfigError("a label vocabulary names classes; it does not apply to regression");
    if (e.task == Task::kBinary && e.classes.size() != 2) {
      throw ConfigError("a binary label has two classes; the label vocabulary lists " +
                        std::to_string(e.classes.size()) + " (" + List(e.classes) + ")");
    }
    why = "label vocabulary " + List(e.classes);
  } else if (wanted) {
    e.task = *wanted;
    why = values_text;
    if (e.task == Task::kRegression && !e.numeric) {
      throw ConfigError(head + values_text +
                        ": regression needs numbers. Use a classification task, or recode the labels.");
    }
    if (e.task == Task::kBinary) {
      if (n == 1 && e.numeric && (distinct[0] == "0" || distinct[0] == "1")) {
        e.classes = {"0", "1"};
      } else if (n != 2) {
        throw ConfigError(head + values_text + ": a binary task needs exactly two values. Pass " +
                          options.override_hint(n > 2 && !e.numeric ? Task::kMultiClass : Task::kRegression) +
                          " instead, or a label vocabulary.");
      } else {
        e.classes = distinct;
      }
    }
    if (e.task == Task::kMultiClass) {
      if (class_ids) {
        for (int64_t id = 0; id < static_cast<int64_t>(k); ++id) e.classes.push_back(std::to_string(id));
      } else {
        e.classes = distinct;
      }
      if (e.classes.size() < 2) throw ConfigError(head + values_text + ": a classifier needs at least two classes");
    }
  } else {
    why = values_text;
    if (!e.numeric) {
      if (n < 2) {
        throw DataError(head + values_text + " in every row of " + (file.empty() ? "the training file" : file) +
                        ": a classifier needs at least two classes");
      }
      e.task = n == 2 ? Task::kBinary : Task::kMultiClass;
      e.classes = distinct;
    } else if (n == 2 || (n == 1 && (distinct[0] == "0" || distinct[0] == "1"))) {
      e.task = Task::kBinary;
      e.classes = n == 2 ? distinct : std::vector<std::string>{"0", "1"};
    } else if (class_ids && k >= 3) {
      e.task = Task::kMultiClass;
      for (int64_t id = 0; id < static_cast<int64_t>(k); ++id) e.classes.push_back(std::to_string(id));
    } else {
      e.task = Task::kRegression;
    }
  }

  if (!options.positive_class.empty()) {
    if (e.task != Task::kBinary) {
      throw ConfigError("a positive class applies to a binary label; " + head + "is " + TaskName(e.task));
    }
    const Index id = e.ClassId(options.positive_class);
    if (id < 0) {
      throw ConfigError("the positive class " + Quoted(options.positive_class) + " is not one of " + head +
                        List(e.classes));
    }
    if (id == 0) std::swap(e.classes[0], e.classes[1]);
  }

  // Losses are computed in 32-bit floats: the squared error of labels beyond 1e18 can pass float's 3.4e38.
  const double largest = std::max(std::abs(lowest), std::abs(highest));
  if (e.task == Task::kRegression && largest > 1e18) {
    throw DataError(head + "values reach " + LabelNumberName(largest) +
                    ": lever computes losses in 32-bit floats, where squared errors of such labels overflow. "
                    "Divide the labels by a power of ten (express them in millions, say) and scale the "
                    "predictions back");
  }
  e.explanation = head + why + " -> " + TaskName(e.task);
  if (e.task == Task::kBinary) e.explanation += ", positive class " + Quoted(e.classes[1]);
  if (e.task == Task::kMultiClass) e.explanation += ", " + std::to_string(e.classes.size()) + " classes";
  if (!wanted && options.vocabulary.empty() && e.numeric) {
    const Task other = e.task == Task::kRegression ? Task::kMultiClass : Task::kRegression;
    e.explanation += " (pass " + options.override_hint(other) + " to override)";
  } else if (wanted) {
    e.explanation += " (as the task override says)";
  }
  return e;
}

LabelEncoding DecideMultiLabels(const Table& table, const std::vector<std::string>& columns, const std::string& file) {
  if (columns.size() < 2) throw ConfigError("a multi-label task needs at least two label columns");
  LabelEncoding e;
  e.task = Task::kMultiLabel;
  e.classes = columns;
  std::string yes;
  for (const std::string& name : columns) {
    if (std::count(columns.begin(), columns.end(), name) > 1) {
      throw ConfigError("the label columns name " + Quoted(name) + " twice");
    }
    if (!table.FindColumn(name)) {
      throw ConfigError((file.empty() ? std::string() : file + ": ") + "no label column " + Quoted(name));
    }
    LabelOptions options;
    options.task = "binary";
    options.override_hint = [](Task) { return std::string("--label with yes/no columns only"); };
    try {
      e.parts.push_back(DecideLabels(table.Column(name), options, file, table.lines));
    } catch (const ConfigError& error) {
      throw ConfigError("multi-label: " + error.message());
    }
    const std::vector<std::string> values = RowNames(table.Column(name));
    if (!values.empty() &&
        std::all_of(values.begin(), values.end(), [&](const std::string& v) { return v == values.front(); })) {
      throw ConfigError("multi-label: label " + Quoted(name) + " is " + Quoted(values.front()) +
                        " in every training row: the model cannot learn it and its AUC is undefined. Drop it from "
                        "the label columns");
    }
    e.numeric = e.numeric && e.parts.back().numeric;
    yes += (yes.empty() ? "" : ", ") + Quoted(name) + " = " + Quoted(e.parts.back().classes[1]);
  }
  e.column = columns.front();
  for (size_t j = 1; j < columns.size(); ++j) e.column += "," + columns[j];
  e.explanation = "labels " + List(columns, 12) + ": " + std::to_string(columns.size()) +
                  " yes/no columns -> multi_label, one sigmoid output each (yes: " + yes + ")";
  return e;
}

std::vector<std::string> LabelColumns(const std::string& label, const std::vector<std::string>& header) {
  if (label.find(',') == std::string::npos || std::find(header.begin(), header.end(), label) != header.end()) {
    return {label};
  }
  return SplitNames(label);
}

}  // namespace lever
