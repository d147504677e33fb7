#include "lever/report/sweep_report.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>

#include "html.h"
#include "lever/report/line_chart.h"
#include "lever/sweep/plots.h"
#include "lever/sweep/sweep_file.h"

namespace lever {
namespace {

using report_html::Figure;

std::string Fixed(double v) {
  if (!std::isfinite(v)) return "-";
  return std::abs(v) < 1e6 ? fmt::format("{:.4f}", v) : fmt::format("{:.4g}", v);
}

// The value as a number, NaN when it is not one (an activation, a hidden-layer list).
double AsNumber(const std::string& text) {
  double v = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
  return error == std::errc() && end == text.data() + text.size() && std::isfinite(v)
             ? v
             : std::numeric_limits<double>::quiet_NaN();
}

std::string RunsTable(const SweepResults& s) {
  const bool seeds =
      std::any_of(s.runs.begin(), s.runs.end(), [&](const SweepRun& r) { return r.seed != s.runs.front().seed; });
  std::string html = "<h2>Runs</h2>\n<table>\n<tr>";
  for (const SweepKnob& k : s.knobs) html += "<th>" + EscapeXml(k.name) + "</th>";
  if (seeds) html += "<th>seed</th>";
  html +=
      "<th>train loss</th><th>test loss</th><th>test accuracy</th><th>nonzero weights</th><th>seconds</th>"
      "<th>doctor</th></tr>\n";
  for (const SweepRun& r : s.runs) {
    html += "<tr>";
    for (const std::string& v : r.values) html += "<td>" + EscapeXml(v) + "</td>";
    if (seeds) html += fmt::format("<td>{}</td>", r.seed);
    const std::string verdict =
        r.finding + (r.diverged ? fmt::format(" (diverged at step {})", r.diverged_at) : std::string());
    const std::string weights =
        r.diverged ? std::string("-") : fmt::format("{}/{}", r.nonzero_weights, r.kernel_weights);
    html += fmt::format("<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2f}</td><td class=\"{}\">{}</td></tr>\n",
                        Fixed(r.train_loss), Fixed(r.test_loss), Fixed(r.test_accuracy), weights,
                        std::isfinite(r.seconds) ? r.seconds : 0.0, r.finding == "healthy" ? "healthy" : "alarm",
                        EscapeXml(verdict));
  }
  return html + "</table>\n";
}

struct Stat {
  double sum = 0, low = std::numeric_limits<double>::infinity(), high = -low;
  int n = 0;
  void Add(double v) {
    if (!std::isfinite(v)) return;
    sum += v, ++n, low = std::min(low, v), high = std::max(high, v);
  }
  double Mean() const { return n > 0 ? sum / n : std::nan(""); }
};

// The final figures against knob `k`'s value: means over every other knob and seed.
std::string EffectSection(const SweepResults& s, size_t k) {
  const SweepKnob& knob = s.knobs[k];
  std::vector<double> xs;
  for (const std::string& v : knob.values) xs.push_back(AsNumber(v));
  if (xs.size() < 2 || std::any_of(xs.begin(), xs.end(), [](double v) { return std::isnan(v); })) return "";
  std::map<std::string, Stat> train, test, accuracy, nonzero;
  for (const SweepRun& r : s.runs) {
    const std::string& v = r.values[k];
    train[v].Add(r.train_loss);
    test[v].Add(r.test_loss);
    accuracy[v].Add(r.test_accuracy);
    nonzero[v].Add(r.kernel_weights > 0 ? static_cast<double>(r.nonzero_weights) / static_cast<double>(r.kernel_weights)
                                        : std::nan(""));
  }
  const double low = *std::min_element(xs.begin(), xs.end()), high = *std::max_element(xs.begin(), xs.end());
  const bool log_x = low > 0 && high >= 100 * low;
  ChartSeries train_s{.name = "train loss"}, test_s{.name = "test loss"}, test_low{.name = "test loss, seeds' min"},
      test_high{.name = "test loss, seeds' max"}, accuracy_s{.name = "test accuracy"},
      nonzero_s{.name = "share of nonzero weights"};
  std::vector<size_t> order(xs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return xs[a] < xs[b]; });
  // Values spread by decades: a log axis; with 0 among them (no log) or unevenly spaced: evenly spaced
  // categories named by the values; else a linear axis.
  double smallest_gap = std::numeric_limits<double>::infinity(), largest_gap = 0;
  for (size_t i = 1; i < order.size(); ++i) {
    const double gap = xs[order[i]] - xs[order[i - 1]];
    smallest_gap = std::min(smallest_gap, gap), largest_gap = std::max(largest_gap, gap);
  }
  std::vector<std::string> categories;
  if (!log_x && largest_gap > 3 * smallest_gap) {
    for (const size_t i : order) categories.push_back(knob.values[i]);
  }
  bool spread = false;
  size_t c_index = 0;
  for (const size_t i : order) {
    const std::string& v = knob.values[i];
    const double at = categories.empty() ? xs[i] : static_cast<double>(c_index++);
    for (ChartSeries* c : {&train_s, &test_s, &test_low, &test_high, &accuracy_s, &nonzero_s}) c->x.push_back(at);
    train_s.y.push_back(train[v].Mean());
    test_s.y.push_back(test[v].Mean());
    test_low.y.push_back(test[v].n > 0 ? test[v].low : std::nan(""));
    test_high.y.push_back(test[v].n > 0 ? test[v].high : std::nan(""));
    spread = spread || (test[v].n > 1 && test[v].high > test[v].low);
    accuracy_s.y.push_back(accuracy[v].Mean());
    nonzero_s.y.push_back(nonzero[v].Mean());
  }
  test_low.dashed = test_high.dashed = true;
  LineChart loss{.title = "Final loss against " + knob.name, .x_label = knob.name, .y_label = "loss"};
  loss.log_x = log_x;
  loss.x_categories = categories;
  double y_low = std::numeric_limits<double>::infinity(), y_high = 0;
  for (const double v : test_high.y) {
    if (std::isfinite(v) && v > 0) y_low = std::min(y_low, v), y_high = std::max(y_high, v);
  }
  for (const double v : train_s.y) {
    if (std::isfinite(v) && v > 0) y_low = std::min(y_low, v), y_high = std::max(y_high, v);
  }
  loss.log_y = y_high > 20 * y_low;
  loss.series = {train_s, test_s};
  if (spread) loss.series.push_back(test_low), loss.series.push_back(test_high);
  LineChart shares{.title = "Test accuracy and sparsity against " + knob.name,
                   .x_label = knob.name,
                   .y_label = "share",
                   .unit_y = true};
  shares.log_x = log_x;
  shares.x_categories = categories;
  shares.series = {accuracy_s, nonzero_s};
  const std::string caption =
      s.knobs.size() > 1 ? " (the mean over the other knobs and the seeds)" : " (the mean over the seeds)";
  return "<h2>The effect of " + EscapeXml(knob.name) + "</h2>\n" +
         Figure(LineChartSvg(loss), "The final losses against the knob's value" + caption +
                                        ". Train and test apart: overfitting; both high: underfitting or a bad rate.") +
         Figure(LineChartSvg(shares), "Test accuracy and the share of kernel weights that are not exactly 0" + caption +
                                          ": along an L1 sweep, the regularization path (how many weights survive "
                                          "at each strength).");
}

}  // namespace

std::string SweepReportHtml(const std::string& sweep_dir) {
  const SweepResults s = ReadSweepFile((std::filesystem::path(sweep_dir) / "sweep.json").string());
  std::string knobs;
  for (const SweepKnob& k : s.knobs) knobs += (knobs.empty() ? "" : ", ") + k.name;
  const auto diverged = std::count_if(s.runs.begin(), s.runs.end(), [](const SweepRun& r) { return r.diverged; });
  const auto healthy =
      std::count_if(s.runs.begin(), s.runs.end(), [](const SweepRun& r) { return r.finding == "healthy"; });
  std::string html = report_html::PageStart("lever sweep report: " + sweep_dir);
  html += fmt::format("<p>{} runs over {}; {} healthy, {} diverged.</p>\n", s.runs.size(), EscapeXml(knobs), healthy,
                      diverged);
  html += RunsTable(s);
  html += "<h2>Curves</h2>\n" + Figure(SweepCurvesSvg(s.knobs, s.runs),
                                       "Every run's test loss (solid) and training loss (dashed) against the step, "
                                       "labelled with the doctor's verdict.");
  const std::string heatmap = SweepHeatmapSvg(s.knobs, s.runs);
  if (!heatmap.empty()) {
    html += "<h2>Both knobs</h2>\n" + Figure(heatmap,
                                             "The final test figure of each pair of values (the mean over "
                                             "the seeds).");
  }
  for (size_t k = 0; k < s.knobs.size(); ++k) html += EffectSection(s, k);
  return html + report_html::kPageEnd;
}

}  // namespace lever
