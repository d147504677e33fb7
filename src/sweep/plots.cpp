#include "lever/sweep/plots.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "io/xml_text.h"

namespace lever {
namespace {

// Eight distinguishable colours (Okabe-Ito, then two greys), cycled.
constexpr const char* kColours[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                    "#CC79A7", "#56B4E9", "#F0E442", "#000000"};

std::string Label(const std::vector<SweepKnob>& knobs, const std::vector<std::string>& values) {
  std::string out;
  for (size_t k = 0; k < knobs.size(); ++k) {
    out += (out.empty() ? "" : " ") + knobs[k].name + "=" + (values[k].empty() ? "\"\"" : values[k]);
  }
  return out;
}

// Four decimals; a figure of a million or more (a diverging run's loss) in 4 significant digits.
std::string Figure(double v) {
  if (!std::isfinite(v)) return "-";
  return std::abs(v) < 1e6 ? fmt::format("{:.4f}", v) : fmt::format("{:.4g}", v);
}

bool Classification(const std::vector<SweepRun>& runs) {
  return std::any_of(runs.begin(), runs.end(), [](const SweepRun& r) { return std::isfinite(r.test_accuracy); });
}

// "nonzero/kernel" weights, "-" for a diverged run (it has no weights to count).
std::string Weights(const SweepRun& r) {
  return r.diverged ? "-" : fmt::format("{}/{}", r.nonzero_weights, r.kernel_weights);
}

}  // namespace

std::string SweepTableText(const std::vector<SweepKnob>& knobs, const std::vector<SweepRun>& runs) {
  const bool seeds = std::any_of(runs.begin(), runs.end(), [&](const SweepRun& r) { return r.seed != runs[0].seed; });
  std::vector<size_t> widths;
  for (size_t k = 0; k < knobs.size(); ++k) {
    size_t w = knobs[k].name.size();
    for (const std::string& v : knobs[k].values) w = std::max(w, v.size());
    widths.push_back(w);
  }
  std::string out;
  for (size_t k = 0; k < knobs.size(); ++k) out += fmt::format("{:<{}}  ", knobs[k].name, widths[k]);
  if (seeds) out += "seed  ";
  out += "train loss  test loss   test acc  nonzero      doctor\n";
  for (const SweepRun& r : runs) {
    for (size_t k = 0; k < knobs.size(); ++k) out += fmt::format("{:<{}}  ", r.values[k], widths[k]);
    if (seeds) out += fmt::format("{:<4}  ", r.seed);
    out += fmt::format("{:<10}  {:<10}  {:<8}  {:<11}  {}{}\n", Figure(r.train_loss), Figure(r.test_loss),
                       Figure(r.test_accuracy), Weights(r), r.finding,
                       r.diverged ? fmt::format(" (diverged at step {})", r.diverged_at) : "");
  }
  return out;
}

std::string SweepTableCsv(const std::vector<SweepKnob>& knobs, const std::vector<SweepRun>& runs) {
  std::string out;
  for (const SweepKnob& k : knobs) out += k.name + ",";
  out += "seed,train_loss,test_loss,test_accuracy,nonzero_weights,kernel_weights,diverged_at,doctor\n";
  for (const SweepRun& r : runs) {
    for (const std::string& v : r.values) out += "\"" + v + "\",";
    // A diverged run has no weights to count: "-" as for its other figures.
    const std::string nonzero = r.diverged ? "-" : std::to_string(r.nonzero_weights);
    const std::string kernel = r.diverged ? "-" : std::to_string(r.kernel_weights);
    out += fmt::format("{},{},{},{},{},{},{},{}\n", r.seed, Figure(r.train_loss), Figure(r.test_loss),
                       Figure(r.test_accuracy), nonzero, kernel, r.diverged_at, r.finding);
  }
  return out;
}

std::string SweepCurvesSvg(const std::vector<SweepKnob>& knobs, const std::vector<SweepRun>& runs) {
  constexpr double kWidth = 1000, kHeight = 520, kLeft = 70, kRight = 390, kTop = 40, kBottom = 50;
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  int64_t max_step = 1;
  double low = std::numeric_limits<double>::infinity(), high = 0;
  for (const SweepRun& r : runs) {
    for (const SweepPoint& p : r.curve) {
      max_step = std::max(max_step, p.step);
      for (const double v : {p.train_loss, p.test_loss}) {
        if (std::isfinite(v) && v > 0) {
          low = std::min(low, v);
          high = std::max(high, v);
        }
      }
    }
  }
  if (!(high > 0)) low = 0.01, high = 1;
  // Log scale over whole decades, at most 8 of them below the highest loss.
  const double top = std::ceil(std::log10(high)), bottom = std::max(std::floor(std::log10(low)), top - 8);
  const double span = std::max(1.0, top - bottom);
  const auto x = [&](int64_t step) {
    return kLeft + plot_w * static_cast<double>(step) / static_cast<double>(max_step);
  };
  const auto y = [&](double v) {
    const double l = std::clamp(std::log10(std::max(v, 1e-300)), bottom, top);
    return kTop + plot_h * (top - l) / span;
  };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      kWidth, kHeight);
  std::string names;
  for (const SweepKnob& k : knobs) names += (names.empty() ? "" : " x ") + k.name;
  svg += fmt::format(
      "<text x=\"{}\" y=\"22\" font-size=\"15\">Loss against steps, sweeping {} (test solid, train "
      "dashed)</text>\n",
      kLeft, EscapeXml(names));
  // Axes, decade lines and step ticks.
  for (double d = bottom; d <= top + 1e-9; d += 1) {
    const double yy = kTop + plot_h * (top - d) / span;
    svg += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>\n", kLeft, yy,
                       kLeft + plot_w, yy);
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">1e{:.0f}</text>\n", kLeft - 6, yy + 4, d);
  }
  for (int t = 0; t <= 4; ++t) {
    const int64_t step = max_step * t / 4;
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", x(step), kTop + plot_h + 18,
                       step);
  }
  svg +=
      fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">step</text>\n", kLeft + plot_w / 2, kHeight - 10);
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n", kLeft,
                     kTop, plot_w, plot_h);
  // One colour per combination (the runs of several seeds share it).
  std::map<std::vector<std::string>, size_t> colour_of;
  for (const SweepRun& r : runs) colour_of.emplace(r.values, colour_of.size());
  std::map<std::vector<std::string>, bool> in_legend;
  int legend_row = 0;
  for (const SweepRun& r : runs) {
    const std::string colour = kColours[colour_of[r.values] % std::size(kColours)];
    for (const bool test : {false, true}) {
      std::string points;
      for (const SweepPoint& p : r.curve) {
        const double v = test ? p.test_loss : p.train_loss;
        if (std::isfinite(v)) points += fmt::format("{:.1f},{:.1f} ", x(p.step), y(v));
      }
      if (points.empty()) continue;
      svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{} points=\"{}\"/>\n", colour,
                         test ? 2 : 1.2, test ? "" : " stroke-dasharray=\"5,3\"", points);
    }
    if (in_legend[r.values]) continue;
    in_legend[r.values] = true;
    const double ly = kTop + 10 + 18 * legend_row++;
    svg +=
        fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"{3}\" stroke-width=\"3\"/>\n",
                    kLeft + plot_w + 12, ly, kLeft + plot_w + 32, colour);
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\">{} ({})</text>\n", kLeft + plot_w + 38, ly + 4,
                       EscapeXml(Label(knobs, r.values)), EscapeXml(r.diverged ? "diverged" : r.finding));
  }
  return svg + "</svg>\n";
}

std::string SweepHeatmapSvg(const std::vector<SweepKnob>& knobs, const std::vector<SweepRun>& runs) {
  if (knobs.size() != 2) return "";
  const bool accuracy = Classification(runs);
  // The mean over seeds of each cell; NaN (a diverged run) makes the cell's mean NaN.
  std::map<std::pair<std::string, std::string>, std::pair<double, int>> cells;
  for (const SweepRun& r : runs) {
    auto& [sum, count] = cells[{r.values[0], r.values[1]}];
    sum += accuracy ? r.test_accuracy : r.test_loss;
    ++count;
  }
  double low = std::numeric_limits<double>::infinity(), high = -low;
  for (const auto& [key, cell] : cells) {
    const double v = cell.first / cell.second;
    if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
  }
  constexpr double kCell = 70, kLeft = 140, kTop = 60;
  const double width = kLeft + kCell * static_cast<double>(knobs[1].values.size()) + 20;
  const double height = kTop + kCell * static_cast<double>(knobs[0].values.size()) + 40;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      width, height);
  svg += fmt::format(
      "<text x=\"10\" y=\"22\" font-size=\"15\">Final test {} ({} rows, {} columns; darker is better)</text>\n",
      accuracy ? "accuracy" : "loss", EscapeXml(knobs[0].name), EscapeXml(knobs[1].name));
  for (size_t j = 0; j < knobs[1].values.size(); ++j) {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                       kLeft + kCell * (static_cast<double>(j) + 0.5), kTop - 8, EscapeXml(knobs[1].values[j]));
  }
  for (size_t i = 0; i < knobs[0].values.size(); ++i) {
    const double top = kTop + kCell * static_cast<double>(i);
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", kLeft - 8, top + kCell / 2 + 4,
                       EscapeXml(knobs[0].values[i]));
    for (size_t j = 0; j < knobs[1].values.size(); ++j) {
      const auto it = cells.find({knobs[0].values[i], knobs[1].values[j]});
      const double v = it == cells.end() ? std::nan("") : it->second.first / it->second.second;
      // Darker blue is better: high accuracy, or low loss.
      double t = std::isfinite(v) && high > low ? (v - low) / (high - low) : 0.5;
      if (!accuracy) t = 1 - t;
      const int shade = std::isfinite(v) ? static_cast<int>(235 - 180 * t) : 200;
      const std::string fill = std::isfinite(v) ? fmt::format("rgb({},{},255)", shade, shade) : "#f4cccc";
      const double left = kLeft + kCell * static_cast<double>(j);
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"white\"/>\n",
                         left, top, kCell, kCell, fill);
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"{}\">{}</text>\n",
                         left + kCell / 2, top + kCell / 2 + 4, t > 0.6 ? "white" : "black",
                         std::isfinite(v) ? fmt::format("{:.3f}", v) : "diverged");
    }
  }
  return svg + "</svg>\n";
}

}  // namespace lever
