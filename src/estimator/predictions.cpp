#include "lever/estimator/predictions.h"

#include <fmt/core.h>

#include <utility>

#include "lever/error.h"

namespace lever {

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (const char ch : text) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

PredictionFormat::PredictionFormat(std::string head, LabelEncoding labels)
    : head_(std::move(head)), labels_(std::move(labels)) {
  if (head_ == "multi_label" && labels_.parts.size() != labels_.classes.size()) {
    throw ConfigError("a multi_label model needs each label column's values to print its predictions");
  }
}

std::vector<std::string> PredictionFormat::Columns(Index outputs) const {
  if (head_ == "binary") return {"probability", "class"};
  std::vector<std::string> columns;
  if (head_ == "multi_class") {
    // Each class's probability under its name (probability_setosa; class ids 0..k-1 give probability_0).
    const bool named = static_cast<Index>(labels_.classes.size()) == outputs;
    for (Index k = 0; k < outputs; ++k) {
      columns.push_back("probability_" + (named ? labels_.classes[static_cast<size_t>(k)] : std::to_string(k)));
    }
    columns.push_back("class");
  } else if (head_ == "multi_label") {
    for (const std::string& name : labels_.classes) columns.push_back("probability_" + name);
    for (const std::string& name : labels_.classes) columns.push_back(name);
  } else {
    columns.push_back("prediction");
  }
  return columns;
}

std::string PredictionFormat::CsvHeader(Index outputs) const {
  std::string out;
  for (const std::string& column : Columns(outputs)) out += (out.empty() ? "" : ",") + CsvField(column);
  return out;
}

nlohmann::json PredictionFormat::ClassJson(const LabelEncoding& encoding, Index id) const {
  const std::string& name = encoding.classes[static_cast<size_t>(id)];
  return encoding.numeric ? nlohmann::json::parse(name) : nlohmann::json(name);
}

std::string PredictionFormat::CsvRow(const Tensor& p, Index i) const {
  if (head_ == "binary") {
    return fmt::format("{:.9g},{}", p(i, 0), CsvField(labels_.classes[p(i, 0) >= 0.5f ? 1 : 0]));
  }
  std::string out;
  if (head_ == "multi_class") {
    Index best = 0;
    p.row(i).maxCoeff(&best);
    for (Index k = 0; k < p.cols(); ++k) out += fmt::format("{:.9g},", p(i, k));
    return out + CsvField(labels_.classes[static_cast<size_t>(best)]);
  }
  if (head_ == "multi_label") {
    for (Index j = 0; j < p.cols(); ++j) out += fmt::format("{:.9g},", p(i, j));
    for (Index j = 0; j < p.cols(); ++j) {
      out += (j == 0 ? "" : ",") + CsvField(labels_.parts[static_cast<size_t>(j)].classes[p(i, j) >= 0.5f ? 1 : 0]);
    }
    return out;
  }
  return fmt::format("{:.9g}", p(i, 0));
}

nlohmann::json PredictionFormat::JsonRow(const Tensor& p, Index i) const {
  if (head_ == "binary") return {{"probability", p(i, 0)}, {"class", ClassJson(labels_, p(i, 0) >= 0.5f ? 1 : 0)}};
  if (head_ == "multi_class") {
    Index best = 0;
    p.row(i).maxCoeff(&best);
    const std::vector<float> probabilities(p.row(i).data(), p.row(i).data() + p.cols());
    return {{"probabilities", probabilities}, {"class", ClassJson(labels_, best)}};
  }
  if (head_ == "multi_label") {
    nlohmann::json probabilities = nlohmann::json::object(), predicted = nlohmann::json::object();
    for (Index j = 0; j < p.cols(); ++j) {
      const std::string& name = labels_.classes[static_cast<size_t>(j)];
      probabilities[name] = p(i, j);
      predicted[name] = ClassJson(labels_.parts[static_cast<size_t>(j)], p(i, j) >= 0.5f ? 1 : 0);
    }
    return {{"probabilities", probabilities}, {"labels", predicted}};
  }
  return {{"prediction", p(i, 0)}};
}

}  // namespace lever
