#include "lever/tune/study_plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "io/xml_text.h"
#include "lever/error.h"
#include "lever/io/atomic_file.h"

namespace lever::tune {
namespace {

constexpr double kWidth = 640, kHeight = 400, kLeft = 78, kRight = 20, kTop = 36, kBottom = 52;

std::string Number(double v, int digits = 4) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
  return buffer;
}

// One axis: data range to pixels, linear or logarithmic, with readable tick values.
struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  double from = 0, to = 1;  // pixels of lo and hi

  double T(double v) const { return log ? std::log10(v) : v; }
  double Pixel(double v) const {
    const double a = T(lo), b = T(hi);
    return b == a ? 0.5 * (from + to) : from + (T(v) - a) / (b - a) * (to - from);
  }
  std::vector<double> Ticks() const {
    std::vector<double> ticks;
    if (log) {
      for (double e = std::floor(std::log10(lo)); e <= std::ceil(std::log10(hi)); ++e) {
        for (const double m : {1.0, 2.0, 5.0}) {
          const double v = m * std::pow(10.0, e);
          if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push_back(v);
        }
      }
      // Several decades: label the decades only.
      if (ticks.size() > 8)
        ticks.erase(std::remove_if(ticks.begin(), ticks.end(),
                                   [](double v) {
                                     const double m = v / std::pow(10.0, std::floor(std::log10(v) + 1e-9));
                                     return std::abs(m - 1) > 1e-6;
                                   }),
                    ticks.end());
      return ticks;
    }
    const double range = hi - lo;
    if (range <= 0) return {lo};
    const double raw = range / 5, power = std::pow(10.0, std::floor(std::log10(raw)));
    const double step = raw / power < 1.5   ? power
                        : raw / power < 3.5 ? 2 * power
                        : raw / power < 7.5 ? 5 * power
                                            : 10 * power;
    for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
      ticks.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
    return ticks;
  }
};

// An axis over values, padded by 4% (linear) so points do not sit on the frame.
Axis Fit(std::vector<double> values, bool allow_log, double from, double to) {
  Axis a;
  a.from = from;
  a.to = to;
  if (values.empty()) return a;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  a.lo = *lo;
  a.hi = *hi;
  a.log = allow_log && a.lo > 0 && a.hi / a.lo > 100;
  if (a.log) return a;
  const double pad = a.hi > a.lo ? 0.04 * (a.hi - a.lo) : (a.lo != 0 ? 0.1 * std::abs(a.lo) : 1);
  a.lo -= pad;
  a.hi += pad;
  return a;
}

struct Svg {
  std::string body;
  void Line(double x1, double y1, double x2, double y2, const std::string& style) {
    body += "<line x1=\"" + Number(x1, 6) + "\" y1=\"" + Number(y1, 6) + "\" x2=\"" + Number(x2, 6) + "\" y2=\"" +
            Number(y2, 6) + "\" " + style + "/>\n";
  }
  void Text(double x, double y, const std::string& text, const std::string& style) {
    body +=
        "<text x=\"" + Number(x, 6) + "\" y=\"" + Number(y, 6) + "\" " + style + ">" + EscapeXml(text) + "</text>\n";
  }
  void Point(double x, double y, bool filled, const std::string& tip) {
    body += "<circle cx=\"" + Number(x, 6) + "\" cy=\"" + Number(y, 6) + "\" r=\"3.5\" " +
            (filled ? "fill=\"#1f77b4\"" : "fill=\"white\" stroke=\"#ff7f0e\" stroke-width=\"1.5\"") + "><title>" +
            EscapeXml(tip) + "</title></circle>\n";
  }
  // Frame, ticks and labels.
  void Axes(const Axis& x, const Axis& y, const std::string& x_label, const std::string& y_label,
            const std::vector<std::pair<double, std::string>>& x_ticks) {
    body += "<rect x=\"" + Number(kLeft) + "\" y=\"" + Number(kTop) + "\" width=\"" + Number(kWidth - kLeft - kRight) +
            "\" height=\"" + Number(kHeight - kTop - kBottom) + "\" fill=\"none\" stroke=\"#444\"/>\n";
    for (const auto& [v, label] : x_ticks) {
      const double px = x.Pixel(v);
      Line(px, kHeight - kBottom, px, kHeight - kBottom + 5, "stroke=\"#444\"");
      Text(px, kHeight - kBottom + 18, label, "text-anchor=\"middle\"");
    }
    for (const double v : y.Ticks()) {
      const double py = y.Pixel(v);
      Line(kLeft - 5, py, kLeft, py, "stroke=\"#444\"");
      Line(kLeft, py, kWidth - kRight, py, "stroke=\"#eee\"");
      Text(kLeft - 8, py + 4, Number(v), "text-anchor=\"end\"");
    }
    Text(0.5 * (kLeft + kWidth - kRight), kHeight - 12, x_label, "text-anchor=\"middle\"");
    Text(16, 0.5 * (kTop + kHeight - kBottom), y_label,
         "text-anchor=\"middle\" transform=\"rotate(-90 16 " + Number(0.5 * (kTop + kHeight - kBottom), 6) + ")\"");
  }
  std::string Document(const std::string& title) const {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Number(kWidth) + "\" height=\"" + Number(kHeight) +
           "\" viewBox=\"0 0 " + Number(kWidth) + " " + Number(kHeight) +
           "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" +
           "<text x=\"" + Number(kWidth / 2) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">" +
           EscapeXml(title) + "</text>\n" + body + "</svg>\n";
  }
};

bool HasMetric(const TrialRecord& t) {
  // |metric| beyond 1e150 is left off: the axis's span would overflow a double.
  return (t.state == TrialState::kCompleted || t.state == TrialState::kStopped) && std::isfinite(t.objective) &&
         std::abs(t.objective) <= 1e150;
}

std::vector<std::pair<double, std::string>> Labeled(const std::vector<double>& ticks) {
  std::vector<std::pair<double, std::string>> out;
  for (const double v : ticks) out.push_back({v, Number(v)});
  return out;
}

}  // namespace

std::string MetricByTrialSvg(const std::vector<TrialRecord>& trials, Goal goal, const std::string& metric_tag) {
  std::vector<double> values;
  for (const TrialRecord& t : trials) {
    if (HasMetric(t)) values.push_back(t.objective);
  }
  Axis x;
  x.lo = -0.5;
  x.hi = std::max<double>(1, static_cast<double>(trials.size())) - 0.5;
  x.from = kLeft;
  x.to = kWidth - kRight;
  const Axis y = Fit(values, true, kHeight - kBottom, kTop);
  Svg svg;
  std::vector<double> ticks;
  for (double v : x.Ticks()) {
    if (v >= 0 && v == std::floor(v)) ticks.push_back(v);
  }
  svg.Axes(x, y, "trial", metric_tag + (y.log ? " (log scale)" : ""), Labeled(ticks));
  std::string best_path;
  bool have_best = false;
  double best = 0;
  for (size_t i = 0; i < trials.size(); ++i) {
    const TrialRecord& t = trials[i];
    if (!HasMetric(t)) continue;
    const double px = x.Pixel(static_cast<double>(i));
    svg.Point(px, y.Pixel(t.objective), t.state == TrialState::kCompleted,
              "trial " + std::to_string(i) + ": " + Number(t.objective, 6));
    const bool better = !have_best || (goal == Goal::kMaximize ? t.objective > best : t.objective < best);
    if (better) {
      if (have_best) best_path += " L" + Number(px, 6) + "," + Number(y.Pixel(best), 6);
      best = t.objective;
      best_path += (have_best ? " L" : "M") + Number(px, 6) + "," + Number(y.Pixel(best), 6);
      have_best = true;
    }
  }
  if (have_best) {
    best_path += " L" + Number(kWidth - kRight, 6) + "," + Number(y.Pixel(best), 6);
    svg.body += "<path d=\"" + best_path + "\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\"/>\n";
  }
  const std::string title = metric_tag + " by trial (" + ToString(goal) + ")" +
                            (have_best ? ", best " + Number(best, 6) : ", no trial has a value yet");
  return svg.Document(title);
}

std::string MetricVsParameterSvg(const SearchSpace& space, int i, const std::vector<TrialRecord>& trials,
                                 const std::string& metric_tag) {
  const ParameterSpec& p = space.parameter(i);
  const bool categorical = p.type == ParameterType::kCategorical;
  std::vector<double> values, xs;
  for (const TrialRecord& t : trials) {
    if (!HasMetric(t)) continue;
    values.push_back(t.objective);
    xs.push_back(t.assignment[static_cast<size_t>(i)]);
  }
  Axis x;
  x.from = kLeft;
  x.to = kWidth - kRight;
  std::vector<std::pair<double, std::string>> ticks;
  if (categorical) {
    x.lo = -0.5;
    x.hi = static_cast<double>(p.categorical_values.size()) - 0.5;
    for (size_t c = 0; c < p.categorical_values.size(); ++c)
      ticks.push_back({static_cast<double>(c), p.categorical_values[c]});
  } else {
    x.log = p.scale == ScaleType::kLog && p.min_value > 0;
    x.lo = p.min_value;
    x.hi = p.max_value;
    if (!x.log) {
      const double pad = x.hi > x.lo ? 0.03 * (x.hi - x.lo) : 1;
      x.lo -= pad;
      x.hi += pad;
    }
    ticks = Labeled(x.Ticks());
  }
  const Axis y = Fit(values, true, kHeight - kBottom, kTop);
  Svg svg;
  svg.Axes(x, y, p.name + (x.log ? " (log scale)" : ""), metric_tag + (y.log ? " (log scale)" : ""), ticks);
  size_t k = 0;
  for (const TrialRecord& t : trials) {
    if (!HasMetric(t)) continue;
    svg.Point(x.Pixel(xs[k]), y.Pixel(values[k]), t.state == TrialState::kCompleted,
              space.ValueText(i, xs[k]) + ": " + Number(values[k], 6));
    ++k;
  }
  return svg.Document(metric_tag + " vs " + p.name);
}

std::vector<TrialRecord> AsTrialRecords(const std::vector<StoredTrial>& trials) {
  std::vector<TrialRecord> records;
  for (const StoredTrial& t : trials) records.push_back({t.assignment, SamplerState(t.status), t.objective});
  return records;
}

std::vector<std::string> WriteStudyPlots(const std::string& directory, const StudyDefinition& study,
                                         const std::vector<StoredTrial>& trials) {
  const SearchSpace space(study.params);
  const std::vector<TrialRecord> records = AsTrialRecords(trials);
  std::vector<std::pair<std::string, std::string>> plots = {
      {"metric_by_trial.svg", MetricByTrialSvg(records, study.goal, study.metric_tag)}};
  for (int i = 0; i < space.size(); ++i) {
    plots.push_back(
        {"metric_vs_" + space.parameter(i).name + ".svg", MetricVsParameterSvg(space, i, records, study.metric_tag)});
  }
  std::vector<std::string> paths;
  for (const auto& [name, svg] : plots) {
    paths.push_back((std::filesystem::path(directory) / name).string());
    WriteFileAtomically(paths.back(), svg);
  }
  return paths;
}

}  // namespace lever::tune
