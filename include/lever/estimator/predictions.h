#pragma once
// What `lever predict` writes for each example, by head: the columns and one row per example, as CSV or
// as a JSON object. The predicted class is printed as the labels named it (text, or a number).
//
//   binary       probability,class                                {"probability": 0.93, "class": "yes"}
//   multi_class  probability_<class>,... (class names in id order),  {"probabilities": [...], "class": "setosa"}
//                class                                            (probabilities in class id order)
//   multi_label  probability_<label>,... then <label>,...          {"probabilities": {"sports": 0.9, ...},
//                (each label's predicted value at 0.5)              "labels": {"sports": 1, "politics": "no"}}
//   regression   prediction                                        {"prediction": 153.2}
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lever/data/labels.h"
#include "lever/tensor/tensor.h"

namespace lever {

class PredictionFormat {
 public:
  /// `head` as Job::HeadKind names it; `labels` the encoding the model was trained with.
  PredictionFormat(std::string head, LabelEncoding labels);

  std::vector<std::string> Columns(Index outputs) const;
  /// The columns, comma-separated (names quoted as CSV needs), without the line break.
  std::string CsvHeader(Index outputs) const;
  /// Row i of the predictions `p` (rows x outputs), without the line break.
  std::string CsvRow(const Tensor& p, Index i) const;
  nlohmann::json JsonRow(const Tensor& p, Index i) const;

 private:
  nlohmann::json ClassJson(const LabelEncoding& encoding, Index id) const;
  std::string head_;
  LabelEncoding labels_;
};

/// A CSV field: as it is, or in double quotes (inner quotes doubled) when it holds a comma, quote or line break.
std::string CsvField(const std::string& text);

}  // namespace lever
