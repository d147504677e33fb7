#pragma once
// A line chart as self-contained SVG (no script, no external file): the plots of `lever report`'s pages.
//
//   LineChart chart{.title = "Loss", .x_label = "step", .y_label = "loss", .log_y = true};
//   chart.series.push_back({.name = "test", .x = steps, .y = losses});
//   const std::string svg = LineChartSvg(chart);
#include <string>
#include <vector>

namespace lever {

struct ChartSeries {
  std::string name;
  std::vector<double> x, y;  // the same length; points whose y is not finite (or not > 0 on a log axis) are gaps
  bool dashed = false;
  bool markers = false;  // a dot per point and no line (a scatter plot)
};

struct LineChart {
  std::string title, x_label, y_label;
  bool log_y = false;  // whole decades
  bool log_x = false;  // whole decades; points whose x is not > 0 are gaps
  /// Names of the x positions 0, 1, 2, ...: the ticks (values evenly spaced whatever they are).
  std::vector<std::string> x_categories;
  bool unit_y = false;  // a share or accuracy: the y axis spans 0..1 (linear)
  std::vector<ChartSeries> series;
};

/// The chart, `width` x `height` pixels, one colour per series with a legend on the right; a chart without
/// a finite point says so in its plot area.
std::string LineChartSvg(const LineChart& chart, int width = 720, int height = 300);

}  // namespace lever
