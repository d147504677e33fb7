#include "lever/report/run_report.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "../io/xml_text.h"
#include "evaluation_section.h"
#include "html.h"
#include "lever/doctor/record_file.h"
#include "lever/error.h"
#include "lever/io/text_file.h"
#include "lever/report/line_chart.h"

namespace lever {
namespace {

using report_html::Cell;
using report_html::Figure;
using report_html::Row;

constexpr size_t kMaxCurvePoints = 500;  // step losses are drawn as the means of at most this many runs

std::string FindingsSection(const DoctorRecord& r) {
  const std::vector<Finding> found = DiagnoseRecord(r);
  std::string html = "<h2>The doctor</h2>\n";
  if (found.empty()) return html + "<p class=\"healthy\">healthy: " + EscapeXml(HealthySummary(r)) + "</p>\n";
  html += "<ol class=\"findings\">\n";
  for (const Finding& f : found) {
    html += fmt::format("<li><code>{}</code> (confidence {:.2f}) {}<br>try: <code>{}</code>{}</li>\n", EscapeXml(f.id),
                        f.confidence, EscapeXml(f.evidence), EscapeXml(f.knob),
                        f.alternatives.empty() ? "" : " (or <code>" + EscapeXml(f.alternatives) + "</code>)");
  }
  return html + "</ol>\n<p>docs/doctor.md explains every finding and the rule of thumb it encodes.</p>\n";
}

std::string KnobsTable(const DoctorFacts& f) {
  std::string hidden;
  for (const int64_t units : f.hidden) hidden += (hidden.empty() ? "" : ",") + std::to_string(units);
  std::string html = "<h2>Knobs and data</h2>\n<table>\n";
  html += Row("optimizer", EscapeXml(fmt::format("{} at {:g}", f.optimizer, f.learning_rate)));
  html += Row("batch size, steps", fmt::format("{}, {}", f.batch_size, f.max_steps));
  html += Row("hidden layers", EscapeXml(hidden.empty() ? "none (linear)" : hidden + " " + f.activation));
  html += Row("L1, L2, dropout", fmt::format("{:g}, {:g}, {:g}", f.l1, f.l2, f.dropout));
  html += Row("batch norm, clip norm", fmt::format("{}, {:g}", f.batch_norm ? "on" : "off", f.clip_norm));
  html += Row("task", f.classification ? "classification" : "regression");
  html += Row("training rows", std::to_string(f.train_rows));
  html += Row("inputs", EscapeXml(fmt::format("{}; largest standard deviation {:.3g}, largest |mean| {:.3g}",
                                              f.standardized ? "standardized" : "as read", f.largest_input_stddev,
                                              f.largest_input_mean)));
  return html + "</table>\n";
}

std::string ResultTable(const nlohmann::json& result) {
  if (result.is_null()) return "";
  std::string html = "<h2>Final figures (result.json)</h2>\n<table>\n";
  for (const auto& [key, value] : result.items()) {
    if (value.is_primitive()) html += Row(key, Cell(value));
  }
  if (result.contains("convergence") && result["convergence"].is_object() && result["convergence"].contains("reason")) {
    html += Row("convergence", Cell(result["convergence"]["reason"]));
  }
  return html + "</table>\n";
}

std::string CurveSection(const DoctorRecord& r) {
  LineChart loss{.title = "Loss", .x_label = "step", .y_label = "loss"};
  // Every step's batch loss, as the means of at most kMaxCurvePoints runs of steps.
  const size_t n = r.step_losses.size();
  const size_t stride = std::max<size_t>(1, (n + kMaxCurvePoints - 1) / kMaxCurvePoints);
  ChartSeries batches{.name = "batch loss (mean)"};
  double high = 0, low = std::numeric_limits<double>::infinity();
  for (size_t begin = 0; begin < n; begin += stride) {
    const size_t end = std::min(n, begin + stride);
    double sum = 0;
    for (size_t i = begin; i < end; ++i) sum += r.step_losses[i];
    const double mean = sum / static_cast<double>(end - begin);
    batches.x.push_back(static_cast<double>(end));
    batches.y.push_back(mean);
    if (std::isfinite(mean) && mean > 0) high = std::max(high, mean), low = std::min(low, mean);
  }
  ChartSeries train{.name = "train loss"}, test{.name = "test loss"}, train_acc{.name = "train accuracy"},
      test_acc{.name = "test accuracy"};
  for (const DoctorEvaluation& e : r.evaluations) {
    const double step = static_cast<double>(e.step);
    train.x.push_back(step), train.y.push_back(e.train_loss);
    test.x.push_back(step), test.y.push_back(e.validation_loss);
    train_acc.x.push_back(step), train_acc.y.push_back(e.train_accuracy);
    test_acc.x.push_back(step), test_acc.y.push_back(e.validation_accuracy);
    for (const double v : {e.train_loss, e.validation_loss}) {
      if (std::isfinite(v) && v > 0) high = std::max(high, v), low = std::min(low, v);
    }
  }
  loss.log_y = high > 20 * low;  // a loss that falls by decades reads on a log axis
  loss.series = {batches, train, test};
  loss.series[0].dashed = true;
  std::string html = "<h2>Curves</h2>\n" + Figure(LineChartSvg(loss),
                                                  "The training batches' loss (dashed) and the evaluations' train "
                                                  "and test loss. Train falling while test rises: overfitting.");
  const auto any_finite = [](const ChartSeries& s) {
    return std::any_of(s.y.begin(), s.y.end(), [](double v) { return std::isfinite(v); });
  };
  if (any_finite(test_acc) || any_finite(train_acc)) {
    LineChart accuracy{.title = "Accuracy", .x_label = "step", .y_label = "accuracy", .unit_y = true};
    accuracy.series = {train_acc, test_acc};
    html += Figure(LineChartSvg(accuracy), "The evaluations' train and test accuracy.");
  }
  return html;
}

// One series per kernel (or layer) of a statistic over the samples.
template <typename Item, typename Get>
std::vector<ChartSeries> PerName(const DoctorRecord& r, const std::vector<Item> TrainingStatistics::*items,
                                 const std::string Item::*name, Get get, bool kernels_only) {
  std::map<std::string, ChartSeries> by_name;
  std::vector<std::string> order;
  for (const TrainingStatistics& s : r.statistics) {
    for (const Item& item : s.*items) {
      const std::string& key = item.*name;
      if (kernels_only && key.find("kernel") == std::string::npos) continue;
      if (!by_name.count(key)) order.push_back(key), by_name[key].name = key;
      by_name[key].x.push_back(static_cast<double>(s.step));
      by_name[key].y.push_back(get(item));
    }
  }
  std::vector<ChartSeries> out;
  for (const std::string& key : order) {
    // A statistic that does not apply (NaN at every sample: a tanh layer's dead units) is no series.
    const std::vector<double>& y = by_name[key].y;
    if (std::any_of(y.begin(), y.end(), [](double v) { return std::isfinite(v); }))
      out.push_back(std::move(by_name[key]));
  }
  return out;
}

std::string StatisticsSection(const DoctorRecord& r) {
  std::string html = "<h2>Inside the network</h2>\n";
  if (r.statistics.empty()) {
    return html +
           "<p>No statistics were sampled: train with <code>--doctor</code> (or <code>--stats-every N</code>, or a "
           "run config's <code>doctor: true</code>).</p>\n";
  }
  html += fmt::format("<p>{} samples of the gradients, weights and activations.</p>\n", r.statistics.size());
  LineChart gradients{
      .title = "Gradient norm per kernel", .x_label = "step", .y_label = "gradient norm", .log_y = true};
  gradients.series = PerName(
      r, &TrainingStatistics::parameters, &ParameterStatistics::name,
      [](const ParameterStatistics& p) { return p.gradient_norm; }, true);
  html += Figure(LineChartSvg(gradients),
                 "The first layer's far below the last's: vanishing gradients; growing by decades: exploding.");
  LineChart ratios{.title = "Update / weight ratio per kernel", .x_label = "step", .y_label = "ratio", .log_y = true};
  ratios.series = PerName(
      r, &TrainingStatistics::parameters, &ParameterStatistics::name,
      [](const ParameterStatistics& p) { return p.update_ratio; }, true);
  html += Figure(LineChartSvg(ratios), "Around 1e-3 is healthy; below 1e-5 the rate is too low, above 1e-1 too high.");
  LineChart weights{.title = "Weight norm per kernel", .x_label = "step", .y_label = "weight norm"};
  weights.series = PerName(
      r, &TrainingStatistics::parameters, &ParameterStatistics::name,
      [](const ParameterStatistics& p) { return p.weight_norm; }, true);
  html += Figure(LineChartSvg(weights), "Weights shrinking towards 0: regularization too strong.");
  std::vector<ChartSeries> health = PerName(
      r, &TrainingStatistics::activations, &ActivationStatistics::layer,
      [](const ActivationStatistics& a) { return a.saturates ? std::nan("") : a.dead_fraction; }, false);
  for (ChartSeries& s : health) s.name += " dead";
  std::vector<ChartSeries> saturated = PerName(
      r, &TrainingStatistics::activations, &ActivationStatistics::layer,
      [](const ActivationStatistics& a) { return a.saturates ? a.saturated_fraction : std::nan(""); }, false);
  for (ChartSeries& s : saturated) {
    s.name += " saturated";
    s.dashed = true;
    health.push_back(std::move(s));
  }
  LineChart activations{.title = "Activation health", .x_label = "step", .y_label = "share of units", .unit_y = true};
  activations.series = std::move(health);
  html += Figure(LineChartSvg(activations),
                 "Dead: units that output 0 for every example of the batch (ReLU). Saturated (dashed): outputs in "
                 "the flat tails of tanh or sigmoid.");
  ChartSeries nonzero{.name = "nonzero kernel weights"};
  for (const TrainingStatistics& s : r.statistics) {
    nonzero.x.push_back(static_cast<double>(s.step));
    nonzero.y.push_back(s.kernel_weights > 0
                            ? static_cast<double>(s.nonzero_weights) / static_cast<double>(s.kernel_weights)
                            : std::nan(""));
  }
  LineChart sparsity{.title = "Sparsity", .x_label = "step", .y_label = "share nonzero", .unit_y = true};
  sparsity.series = {nonzero};
  const TrainingStatistics& last = r.statistics.back();
  html += Figure(LineChartSvg(sparsity), fmt::format("The share of kernel weights that are not exactly 0 (L1 "
                                                     "zeroes them): {} of {} at the last sample.",
                                                     last.nonzero_weights, last.kernel_weights));
  return html;
}

}  // namespace

std::string RunReportHtml(const std::string& job_dir) {
  const std::filesystem::path dir(job_dir);
  bool running = false;
  const DoctorRecord r = ReadDoctorRecord((dir / "doctor_record.json").string(), &running);
  const nlohmann::json result = report_html::ReadJsonObjectIfPresent(dir / "result.json");
  std::string html = report_html::PageStart("lever report: " + job_dir);
  html += "<p>" + EscapeXml(RunStateOf(r, running, job_dir).text) + "</p>\n";
  html += FindingsSection(r);
  html += CurveSection(r);
  const nlohmann::json evaluation = report_html::ReadJsonObjectIfPresent(dir / "evaluation.json");
  html += TestSetSection(evaluation);
  html += StatisticsSection(r);
  html += WeightsSection(evaluation);
  html += KnobsTable(r.facts);
  html += ResultTable(result);
  return html + report_html::kPageEnd;
}

}  // namespace lever
