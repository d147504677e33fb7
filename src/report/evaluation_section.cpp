#include "evaluation_section.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "html.h"
#include "lever/io/excerpt.h"
#include "lever/report/line_chart.h"

namespace lever {
namespace {

using report_html::Figure;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A number of the file, NaN when absent or not a number (null stands for NaN and infinity).
double Num(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return kNaN;
  return j[key].get<double>();
}

double At(const nlohmann::json& j, size_t i) {
  return j.is_array() && i < j.size() && j[i].is_number() ? j[i].get<double>() : kNaN;
}

const nlohmann::json& Member(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kNull;
  return j.is_object() && j.contains(key) ? j[key] : kNull;
}

std::vector<std::string> Classes(const nlohmann::json& e) {
  std::vector<std::string> names;
  for (const nlohmann::json& c : Member(e, "classes")) {
    names.push_back(c.is_string() ? c.get<std::string>() : c.dump());
  }
  return names;
}

std::string Name(const std::vector<std::string>& names, size_t i) {
  return EscapeXml(i < names.size() ? names[i] : std::to_string(i));
}

// A series of [x, y] pairs.
ChartSeries Pairs(const nlohmann::json& points, const std::string& name) {
  ChartSeries s{.name = name};
  if (!points.is_array()) return s;
  for (const nlohmann::json& p : points) {
    s.x.push_back(At(p, 0));
    s.y.push_back(At(p, 1));
  }
  return s;
}

ChartSeries Diagonal(const std::string& name, double low, double high) {
  return ChartSeries{.name = name, .x = {low, high}, .y = {low, high}, .dashed = true};
}

// Four decimals (a count: none); a figure of a million or more (a damaged file's) in 4 significant digits.
std::string Fixed(double v) {
  if (!std::isfinite(v)) return "n/a";
  return std::abs(v) < 1e6 ? fmt::format("{:.4f}", v) : fmt::format("{:.4g}", v);
}
std::string Count(double v) {
  if (!std::isfinite(v)) return "n/a";
  return std::abs(v) < 1e15 ? fmt::format("{:.0f}", v) : fmt::format("{:.4g}", v);
}

std::string BinarySection(const nlohmann::json& e) {
  const std::vector<std::string> names = Classes(e);
  std::string html;
  LineChart roc{
      .title = "ROC curve", .x_label = "false positive rate", .y_label = "true positive rate", .unit_y = true};
  roc.series = {Pairs(Member(e, "roc"), "model"), Diagonal("chance", 0, 1)};
  html += Figure(LineChartSvg(roc), fmt::format("AUC-ROC {}. The true positive rate against the false positive "
                                                "rate as the threshold falls; the diagonal is a coin.",
                                                Fixed(Num(e, "auc_roc"))));
  LineChart pr{.title = "Precision-recall curve", .x_label = "recall", .y_label = "precision", .unit_y = true};
  pr.series = {Pairs(Member(e, "pr"), "model")};
  html += Figure(LineChartSvg(pr), fmt::format("Average precision {}. Precision against recall as the threshold "
                                               "falls; it matters more than ROC when positives are rare.",
                                               Fixed(Num(e, "auc_pr"))));
  const nlohmann::json& cal = Member(e, "calibration");
  ChartSeries model{.name = "model", .markers = true};
  for (const nlohmann::json& b : Member(cal, "bins")) {
    model.x.push_back(Num(b, "mean_prediction"));
    model.y.push_back(Num(b, "fraction_positive"));
  }
  LineChart reliability{
      .title = "Calibration", .x_label = "mean predicted probability", .y_label = "fraction positive", .unit_y = true};
  reliability.series = {model, Diagonal("perfect", 0, 1)};
  html +=
      Figure(LineChartSvg(reliability),
             fmt::format("Ten probability bins: expected calibration error {}, maximum {}; mean prediction {} "
                         "against mean label {}. Dots above the diagonal: the model is underconfident there.",
                         Fixed(Num(cal, "expected_calibration_error")), Fixed(Num(cal, "maximum_calibration_error")),
                         Fixed(Num(cal, "mean_prediction")), Fixed(Num(cal, "mean_label"))));
  const nlohmann::json& c = Member(e, "confusion");
  const std::string positive = Name(names, 1), negative = Name(names, 0);
  html += "<h3>Confusion at threshold 0.5</h3>\n<table>\n";
  html += fmt::format("<tr><th></th><th>predicted {}</th><th>predicted {}</th></tr>\n", positive, negative);
  html += fmt::format("<tr><th>label {}</th><td>{}</td><td>{}</td></tr>\n", positive, Count(Num(c, "true_positives")),
                      Count(Num(c, "false_negatives")));
  html += fmt::format("<tr><th>label {}</th><td>{}</td><td>{}</td></tr>\n</table>\n", negative,
                      Count(Num(c, "false_positives")), Count(Num(c, "true_negatives")));
  html += "<h3>Thresholds</h3>\n<p>Predict <code>" + positive +
          "</code> when the probability is at least the threshold; <code>lever threshold</code> picks one for a "
          "target.</p>\n<table>\n<tr><th>threshold</th><th>precision</th><th>recall</th><th>false positive "
          "rate</th><th>F1</th><th>TP</th><th>FP</th><th>TN</th><th>FN</th></tr>\n";
  for (const nlohmann::json& r : Member(e, "thresholds")) {
    const nlohmann::json& name = Member(r, "name");
    const std::string label = name.is_string() && !name.get<std::string>().empty()
                                  ? EscapeXml(name.get<std::string>()) + ": "
                                  : std::string();
    html += fmt::format(
        "<tr><th>{}{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "</tr>\n",
        label, std::isfinite(Num(r, "threshold")) ? fmt::format("{:.4g}", Num(r, "threshold")) : "above every score",
        // No example predicted positive: precision is 0 / 0, undefined (the file holds 0, as scikit-learn).
        Num(r, "true_positives") + Num(r, "false_positives") > 0 ? Fixed(Num(r, "precision")) : std::string("n/a"),
        Fixed(Num(r, "recall")), Fixed(Num(r, "false_positive_rate")), Fixed(Num(r, "f1")),
        Count(Num(r, "true_positives")), Count(Num(r, "false_positives")), Count(Num(r, "true_negatives")),
        Count(Num(r, "false_negatives")));
  }
  return html + "</table>\n";
}

std::string MultiClassSection(const nlohmann::json& e) {
  const std::vector<std::string> names = Classes(e);
  const nlohmann::json& matrix = Member(e, "confusion_matrix");
  if (!matrix.is_array()) return "";
  std::string html =
      "<h3>Confusion matrix</h3>\n<p>Rows: the label; columns: the predicted class (the most "
      "probable).</p>\n<table>\n<tr><th></th>";
  for (size_t c = 0; c < matrix.size(); ++c) html += "<th>" + Name(names, c) + "</th>";
  html += "</tr>\n";
  for (size_t t = 0; t < matrix.size(); ++t) {
    html += "<tr><th>" + Name(names, t) + "</th>";
    for (size_t c = 0; c < matrix.size(); ++c) {
      const double v = At(matrix[t], c);
      html += fmt::format("<td{}>{}</td>", t == c ? " class=\"diagonal\"" : "", Count(v));
    }
    html += "</tr>\n";
  }
  html += "</table>\n<table>\n<tr><th>class</th><th>support</th><th>precision</th><th>recall</th><th>F1</th></tr>\n";
  size_t i = 0;
  for (const nlohmann::json& s : Member(e, "classes_scores")) {
    html +=
        fmt::format("<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", Name(names, i++),
                    Count(Num(s, "support")), Fixed(Num(s, "precision")), Fixed(Num(s, "recall")), Fixed(Num(s, "f1")));
  }
  const nlohmann::json& macro = Member(e, "macro_average");
  html += fmt::format("<tr><th>macro average</th><td></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                      Fixed(Num(macro, "precision")), Fixed(Num(macro, "recall")), Fixed(Num(macro, "f1")));
  return html + "</table>\n";
}

std::string MultiLabelSection(const nlohmann::json& e) {
  const nlohmann::json& labels = Member(e, "per_label");
  if (!labels.is_object()) return "";
  std::string html = "<table>\n<tr><th>label</th><th>AUC-ROC</th><th>accuracy at 0.5</th></tr>\n";
  for (const auto& [name, v] : labels.items()) {
    html += fmt::format("<tr><th>{}</th><td>{}</td><td>{}</td></tr>\n", EscapeXml(name), Fixed(Num(v, "auc")),
                        Fixed(Num(v, "accuracy")));
  }
  return html + "</table>\n";
}

std::string RegressionSection(const nlohmann::json& e) {
  ChartSeries points = Pairs(Member(e, "scatter"), "test rows");
  points.markers = true;
  double low = std::numeric_limits<double>::infinity(), high = -low;
  for (size_t i = 0; i < points.x.size(); ++i) {
    for (const double v : {points.x[i], points.y[i]}) {
      if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
    }
  }
  LineChart scatter{.title = "Predictions against labels", .x_label = "label", .y_label = "prediction"};
  scatter.series = {points};
  if (high >= low) scatter.series.push_back(Diagonal("perfect", low, high));
  return Figure(LineChartSvg(scatter), fmt::format("{} test rows (at most 1,000 drawn). On the dashed line the "
                                                   "prediction is exact; a slope flatter than it: the model "
                                                   "shrinks towards the mean (too much regularization or too "
                                                   "few steps).",
                                                   Count(Num(e, "rows"))));
}

// A note naming what a head's section needs and evaluation.json does not hold (a damaged or foreign file):
// those parts are drawn empty, and the reader is told why.
std::string MissingNote(const nlohmann::json& e, std::initializer_list<const char*> keys) {
  std::string missing;
  for (const char* key : keys) {
    const nlohmann::json& v = Member(e, key);
    if (v.is_null() || ((v.is_array() || v.is_object()) && v.empty())) {
      missing += (missing.empty() ? "" : ", ") + std::string(key);
    }
  }
  if (missing.empty()) return "";
  return "<p class=\"note\">evaluation.json holds no " + missing + ": those parts are empty.</p>\n";
}

}  // namespace

std::string TestSetSection(const nlohmann::json& e) {
  if (!e.is_object()) {
    return "<h2>The model on the test set</h2>\n<p class=\"note\">No evaluation.json in the job directory: the "
           "run had no test set (<code>--test-file</code>, a Playground dataset's test share, or a run config's "
           "<code>eval</code> data), or it stopped before the end.</p>\n";
  }
  const nlohmann::json& head = Member(e, "head");
  const std::string kind = head.is_string() ? head.get<std::string>() : "";
  std::string html = "<h2>The model on the test set</h2>\n";
  html +=
      fmt::format("<p>{} test row{}, {} head; the final weights (with early stopping, the best check's).</p>\n",
                  Count(Num(e, "rows")), Num(e, "rows") == 1 ? "" : "s", EscapeXml(kind.empty() ? "unknown" : kind));
  if (kind == "binary") {
    return html + MissingNote(e, {"roc", "pr", "auc_roc", "auc_pr", "calibration", "confusion", "thresholds"}) +
           BinarySection(e);
  }
  if (kind == "multi_class") {
    return html + MissingNote(e, {"confusion_matrix", "classes_scores", "macro_average"}) + MultiClassSection(e);
  }
  if (kind == "multi_label") return html + MissingNote(e, {"per_label"}) + MultiLabelSection(e);
  if (kind == "regression") return html + MissingNote(e, {"scatter", "rows"}) + RegressionSection(e);
  return html + "<p class=\"note\">evaluation.json's head is " +
         (head.is_null() ? std::string("missing") : EscapeXml(QuoteExcerpt(head.dump()))) +
         ", not one lever draws (binary, multi_class, multi_label, regression): nothing more is shown.</p>\n";
}

std::string WeightsSection(const nlohmann::json& e) {
  if (!e.is_object()) return "";
  const nlohmann::json& weights = Member(e, "weights");
  if (!weights.is_object() || weights.empty()) {
    return "<h2>Weights</h2>\n<p class=\"note\">evaluation.json holds no weights: no histogram.</p>\n";
  }
  LineChart chart{.title = "Weight histogram per kernel", .x_label = "weight", .y_label = "share of the kernel"};
  std::string table =
      "<table>\n<tr><th>kernel</th><th>weights</th><th>exactly 0</th><th>smallest</th><th>largest</th></tr>\n";
  for (const auto& [name, h] : weights.items()) {
    const double lower = Num(h, "lower"), upper = Num(h, "upper"), total = Num(h, "total"), zeros = Num(h, "zeros");
    const nlohmann::json& counts = Member(h, "counts");
    ChartSeries s{.name = name};
    if (counts.is_array() && !counts.empty() && total > 0 && std::isfinite(lower) && std::isfinite(upper)) {
      const double width = upper > lower ? (upper - lower) / static_cast<double>(counts.size()) : 1.0;
      for (size_t b = 0; b < counts.size(); ++b) {
        s.x.push_back(lower + width * (static_cast<double>(b) + 0.5));
        s.y.push_back(At(counts, b) / total);
      }
    }
    chart.series.push_back(std::move(s));
    table +=
        fmt::format("<tr><th>{}</th><td>{}</td><td>{} ({:.1f}%)</td><td>{:.4g}</td><td>{:.4g}</td></tr>\n",
                    EscapeXml(name), Count(total), Count(zeros), total > 0 ? 100.0 * zeros / total : 0.0, lower, upper);
  }
  return "<h2>Weights</h2>\n" +
         Figure(LineChartSvg(chart),
                "Each kernel's weights in 40 bins from its smallest to its largest. L1 piles "
                "them at exactly 0 (the table counts them); a wide spread with huge values: "
                "too little regularization or exploding updates.") +
         table + "</table>\n";
}

}  // namespace lever
