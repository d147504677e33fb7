#pragma once
// What a label column means: the task it calls for and, for classification, its classes. Decided once,
// from the training file, then applied to every file after it (evaluation, test, prediction) and kept with
// the model, so `lever train --train-file`, `lever train --config` and `lever linear` agree.
//
//   LabelEncoding labels = DecideLabels(train.Column("income"));
//   // labels.explanation: "label 'income': 2 text values '<=50K', '>50K' -> binary, positive class '>50K'"
//   Tensor y = labels.Encode(test, "test.csv");   // 0/1; an unseen value is a DataError at test.csv:LINE
//
// The rule for "auto" (TensorFlow's canned estimators leave it to the user; a CSV's first run should not):
//   text values                       -> classes, sorted: 2 values binary, more multi_class;
//   any two numbers (0/1, -1/+1, 1/2) -> binary, the larger one positive;
//   whole numbers 0..k-1, 3 <= k <= 32 (kMaxAutoClasses), 0 present and every id present or at least
//                                        10 rows per class -> multi_class with classes 0..k-1;
//   anything else (214 distinct whole numbers 25..346, fractions) -> regression.
// A task override, a label vocabulary (TensorFlow's label_vocabulary: the classes in the order of their
// ids) and a positive class replace the guess.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lever/data/table.h"
#include "lever/tensor/tensor.h"

namespace lever {

/// kMultiLabel: several label columns, each a yes/no (binary) label; an example may have any of them.
enum class Task { kBinary, kMultiClass, kRegression, kMultiLabel };

/// "binary", "multi_class", "regression", "multi_label".
const char* TaskName(Task task);
/// The task `name` spells ("multiclass" too); nullopt for "auto". Throws ConfigError naming the valid ones.
std::optional<Task> ParseTask(const std::string& name);

/// Whole-number labels 0..k-1 are read as class ids by "auto" up to this k.
inline constexpr int64_t kMaxAutoClasses = 32;

struct LabelOptions {
  std::string task = "auto";            // auto | binary | multi_class | regression
  std::vector<std::string> vocabulary;  // the classes in id order; empty: the sorted values
  std::string positive_class;           // binary: the class that is 1; empty: the second sorted value
  /// How the user overrides the task, for the explanation ("pass --task multi_class to override").
  std::function<std::string(Task)> override_hint = [](Task t) { return std::string("--task ") + TaskName(t); };
};

struct LabelEncoding {
  std::string column;  // multi_label: the columns joined with ","
  Task task = Task::kRegression;
  /// Classification: class id -> name (binary: {negative, positive}); numbers as printed (shortest form).
  /// multi_label: the label columns, output j's name.
  std::vector<std::string> classes;
  /// multi_label: each column's binary encoding, in the order of the outputs.
  std::vector<LabelEncoding> parts;
  bool numeric = true;      // the label column holds numbers (class names then parse as numbers)
  std::string explanation;  // one line: what was decided and why

  /// 1 for binary and regression, the number of classes for multi_class, of columns for multi_label.
  Index Outputs() const;
  /// sigmoid_cross_entropy, sparse_softmax_cross_entropy or mean_squared_error.
  std::string DefaultLoss() const;
  /// The label tensor (rows x 1) of `table`'s label column: 0/1 for binary, the class id for multi_class,
  /// the value for regression; multi_label: rows x columns of 0/1. Throws DataError "<file>:<line>: label 'y' is
  /// "maybe", ..." for a value the training labels did not have, and ConfigError when the column is missing or text
  /// under regression.
  Tensor Encode(const Table& table, const std::string& file) const;
  /// The class id `name` has, or -1.
  Index ClassId(const std::string& name) const;
};

/// Decides the encoding of a training file's label `column` (see the rule above). Throws ConfigError for
/// an override that does not fit the values (binary with 214 values, regression on text, a positive class
/// that is not a value) and DataError for a training value outside the vocabulary or a single text value.
LabelEncoding DecideLabels(const TableColumn& column, const LabelOptions& options = {}, const std::string& file = "",
                           const std::vector<int64_t>& lines = {});

/// The multi-label encoding of `columns` of a training table (at least 2): each column must hold two
/// values (0/1, no/yes; the second sorted value, or 1, is yes), decided as a binary label. Throws
/// ConfigError naming a column that is missing or does not hold two values.
LabelEncoding DecideMultiLabels(const Table& table, const std::vector<std::string>& columns,
                                const std::string& file = "");

/// The label columns a label option names: "a,b,c" -> {a, b, c}; a name that is itself one column ("a,b"
/// in a file with such a header) stays whole.
std::vector<std::string> LabelColumns(const std::string& label, const std::vector<std::string>& header);

/// `value` as a class name: the shortest text that reads back as the same float ("1", "0.5", "-1").
std::string LabelNumberName(double value);

}  // namespace lever
