#include "lever/report/line_chart.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

#include "../io/xml_text.h"

namespace lever {
namespace {

// Colour-blind-safe (Okabe and Ito), as the sweep's plots.
constexpr const char* kColours[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                    "#CC79A7", "#56B4E9", "#F0E442", "#000000"};

// |value| beyond 1e150 is left off as a gap: the axis's span would overflow a double.
bool Drawable(double v) { return std::isfinite(v) && std::abs(v) <= 1e150; }
bool Plotted(double y, bool log_y) { return Drawable(y) && (!log_y || y > 0); }

// A tick step of 1, 2 or 5 times a power of ten giving about `count` ticks over `span`.
double TickStep(double span, int count) {
  const double raw = span / count;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0}) {
    if (m * power >= raw) return m * power;
  }
  return 10 * power;
}

std::string Number(double v) { return fmt::format("{:.4g}", v); }

}  // namespace

std::string LineChartSvg(const LineChart& chart, int width, int height) {
  constexpr double kLeft = 70, kRight = 190, kTop = 34, kBottom = 46;
  const double plot_w = width - kLeft - kRight, plot_h = height - kTop - kBottom;
  // On a log x axis every position is of log10(x).
  const auto at_x = [&](double v) {
    if (!Drawable(v)) return std::nan("");
    return chart.log_x ? (v > 0 ? std::log10(v) : std::nan("")) : v;
  };
  double x_low = std::numeric_limits<double>::infinity(), x_high = -x_low, y_low = x_low, y_high = -x_low;
  for (const ChartSeries& s : chart.series) {
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!std::isfinite(at_x(s.x[i])) || !Plotted(s.y[i], chart.log_y)) continue;
      x_low = std::min(x_low, at_x(s.x[i]));
      x_high = std::max(x_high, at_x(s.x[i]));
      y_low = std::min(y_low, s.y[i]);
      y_high = std::max(y_high, s.y[i]);
    }
  }
  const bool empty = !(x_high >= x_low);
  if (empty) x_low = 0, x_high = 1, y_low = chart.log_y ? 0.1 : 0, y_high = 1;
  if (chart.unit_y && !chart.log_y) y_low = std::min(y_low, 0.0), y_high = std::max(y_high, 1.0);
  if (x_high == x_low) x_high = x_low + 1;
  std::vector<double> y_ticks;
  double bottom = 0, top = 1;
  if (chart.log_y) {
    // Whole decades, at most 8 below the highest value.
    top = std::ceil(std::log10(y_high));
    bottom = std::max(std::floor(std::log10(y_low)), top - 8);
    if (top == bottom) top += 1;
    for (double d = bottom; d <= top + 1e-9; d += 1) y_ticks.push_back(d);
  } else {
    if (y_high == y_low) y_high = y_low + (y_low == 0 ? 1 : std::abs(y_low) * 0.1);
    const double step = TickStep(y_high - y_low, 5);
    bottom = std::floor(y_low / step) * step;
    top = std::ceil(y_high / step) * step;
    for (double t = bottom; t <= top + step * 1e-6; t += step) y_ticks.push_back(t);
  }
  const auto x = [&](double v) { return kLeft + plot_w * (v - x_low) / (x_high - x_low); };
  const auto y = [&](double v) {
    const double u = chart.log_y ? std::clamp(std::log10(v), bottom, top) : v;
    return kTop + plot_h * (top - u) / (top - bottom);
  };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n<title>{2}</title>\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{3}\" y=\"20\" font-size=\"14\">{2}</text>\n",
      width, height, EscapeXml(chart.title), kLeft);
  for (const double t : y_ticks) {
    const double yy = kTop + plot_h * (top - t) / (top - bottom);
    svg += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#e4e4e4\"/>\n", kLeft, yy,
                       kLeft + plot_w, yy);
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", kLeft - 6, yy + 4,
                       chart.log_y ? fmt::format("1e{:.0f}", t) : Number(t));
  }
  if (!chart.x_categories.empty()) {
    for (size_t i = 0; i < chart.x_categories.size(); ++i) {
      const auto t = static_cast<double>(i);
      if (t < x_low || t > x_high) continue;
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", x(t), kTop + plot_h + 16,
                         EscapeXml(chart.x_categories[i]));
    }
  } else {
    const double x_step = chart.log_x ? std::max(1.0, std::ceil((x_high - x_low) / 8)) : TickStep(x_high - x_low, 5);
    for (double t = std::ceil(x_low / x_step) * x_step; t <= x_high + x_step * 1e-6; t += x_step) {
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", x(t), kTop + plot_h + 16,
                         chart.log_x ? Number(std::pow(10.0, t)) : Number(t));
    }
  }
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", kLeft + plot_w / 2, height - 8,
                     EscapeXml(chart.x_label));
  svg += fmt::format("<text transform=\"translate(14 {:.1f}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
                     kTop + plot_h / 2, EscapeXml(chart.y_label));
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n", kLeft,
                     kTop, plot_w, plot_h);
  if (empty) {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"#777\">no data</text>\n",
                       kLeft + plot_w / 2, kTop + plot_h / 2);
  }
  for (size_t k = 0; k < chart.series.size(); ++k) {
    const ChartSeries& s = chart.series[k];
    const std::string colour = kColours[k % std::size(kColours)];
    // One polyline per run of plotted points: a NaN (a diverged figure) leaves a gap.
    std::string points;
    const auto flush = [&] {
      if (points.empty()) return;
      svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"{} points=\"{}\"/>\n", colour,
                         s.dashed ? " stroke-dasharray=\"5,3\"" : "", points);
      points.clear();
    };
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!std::isfinite(at_x(s.x[i])) || !Plotted(s.y[i], chart.log_y)) {
        flush();
      } else if (s.markers) {
        svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\" fill-opacity=\"0.6\"/>\n",
                           x(at_x(s.x[i])), y(s.y[i]), colour);
      } else {
        points += fmt::format("{:.1f},{:.1f} ", x(at_x(s.x[i])), y(s.y[i]));
      }
    }
    flush();
    const double ly = kTop + 8 + 16 * static_cast<double>(k);
    svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"{3}\" stroke-width=\"3\"{4}/>\n",
        kLeft + plot_w + 10, ly, kLeft + plot_w + 30, colour, s.dashed ? " stroke-dasharray=\"5,3\"" : "");
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\">{}</text>\n", kLeft + plot_w + 36, ly + 4, EscapeXml(s.name));
  }
  return svg + "</svg>\n";
}

}  // namespace lever
