#include "lever/data/playground.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>

#include "lever/error.h"
#include "lever/registry.h"
#include "lever/tensor/rng.h"

namespace lever {
namespace {

constexpr double kPi = 3.14159265358979323846;

struct Point {
  double x1, x2, label;
};

// The Playground draws normals with the polar method and scales by sqrt(variance).
double NormalRandom(Rng& rng, double mean, double variance) {
  double v1 = 0, v2 = 0, s = 0;
  do {
    v1 = 2 * rng.Uniform() - 1;
    v2 = 2 * rng.Uniform() - 1;
    s = v1 * v1 + v2 * v2;
  } while (s >= 1 || s == 0);
  return mean + std::sqrt(variance) * std::sqrt(-2 * std::log(s) / s) * v1;
}

std::vector<Point> Gauss(Rng& rng, int n, double noise) {
  const double variance = 0.5 + (4.0 - 0.5) * (noise / 0.5);  // noise 0..0.5 -> variance 0.5..4
  std::vector<Point> pts;
  for (const auto& [cx, label] : std::array<std::pair<double, double>, 2>{{{2.0, 1.0}, {-2.0, 0.0}}}) {
    for (int i = 0; i < n / 2; ++i) {
      const double x = NormalRandom(rng, cx, variance);
      const double y = NormalRandom(rng, cx, variance);
      pts.push_back({x, y, label});
    }
  }
  return pts;
}

std::vector<Point> Circle(Rng& rng, int n, double noise) {
  const double radius = 5;
  std::vector<Point> pts;
  auto gen = [&](double r_lo, double r_hi) {
    for (int i = 0; i < n / 2; ++i) {
      const double r = rng.Uniform(r_lo, r_hi);
      const double angle = rng.Uniform(0, 2 * kPi);
      const double x = r * std::sin(angle);
      const double y = r * std::cos(angle);
      const double nx = rng.Uniform(-radius, radius) * noise;
      const double ny = rng.Uniform(-radius, radius) * noise;
      // The label follows the noisy position: noise flips points near the boundary.
      const double label = std::hypot(x + nx, y + ny) < radius * 0.5 ? 1.0 : 0.0;
      pts.push_back({x, y, label});
    }
  };
  gen(0, radius * 0.5);
  gen(radius * 0.7, radius);
  return pts;
}

std::vector<Point> Xor(Rng& rng, int n, double noise) {
  const double padding = 0.3;
  std::vector<Point> pts;
  for (int i = 0; i < n; ++i) {
    double x = rng.Uniform(-5, 5);
    x += x > 0 ? padding : -padding;
    double y = rng.Uniform(-5, 5);
    y += y > 0 ? padding : -padding;
    const double nx = rng.Uniform(-5, 5) * noise;
    const double ny = rng.Uniform(-5, 5) * noise;
    pts.push_back({x, y, (x + nx) * (y + ny) >= 0 ? 1.0 : 0.0});
  }
  return pts;
}

std::vector<Point> Spiral(Rng& rng, int n, double noise) {
  std::vector<Point> pts;
  const int half = n / 2;
  for (const auto& [delta, label] : std::array<std::pair<double, double>, 2>{{{0.0, 1.0}, {kPi, 0.0}}}) {
    for (int i = 0; i < half; ++i) {
      const double r = static_cast<double>(i) / half * 5;
      const double t = 1.75 * i / half * 2 * kPi + delta;
      const double x = r * std::sin(t) + rng.Uniform(-1, 1) * noise;
      const double y = r * std::cos(t) + rng.Uniform(-1, 1) * noise;
      pts.push_back({x, y, label});
    }
  }
  return pts;
}

std::vector<Point> Regression(Rng& rng, int n, double noise, const std::function<double(double, double)>& label) {
  const double radius = 6;
  std::vector<Point> pts;
  for (int i = 0; i < n; ++i) {
    const double x = rng.Uniform(-radius, radius);
    const double y = rng.Uniform(-radius, radius);
    const double nx = rng.Uniform(-radius, radius) * noise;
    const double ny = rng.Uniform(-radius, radius) * noise;
    pts.push_back({x, y, label(x + nx, y + ny)});
  }
  return pts;
}

double PlaneLabel(double x, double y) { return (x + y) / 10.0; }  // x + y in [-10, 10] -> [-1, 1]

double MultiGaussLabel(double x, double y) {
  static const double kGaussians[6][3] = {{-4, 2.5, 1},   {0, 2.5, -1}, {4, 2.5, 1},
                                          {-4, -2.5, -1}, {0, -2.5, 1}, {4, -2.5, -1}};
  double label = 0;
  for (const auto& g : kGaussians) {
    // Distance 0 -> 1, distance >= 2 -> 0, linear between; signed; the largest magnitude wins.
    const double d = std::hypot(x - g[0], y - g[1]);
    const double v = g[2] * std::clamp(1.0 - d / 2.0, 0.0, 1.0);
    if (std::abs(v) > std::abs(label)) label = v;
  }
  return label;
}

std::string Join(const std::vector<std::string>& v) { return JoinNames(v); }

// Canonical feature name for the accepted spellings, or "" when unknown.
std::string CanonicalFeature(const std::string& f) {
  if (f == "x1" || f == "x2" || f == "x1_sq" || f == "x2_sq" || f == "x1_x2" || f == "sin_x1" || f == "sin_x2") {
    return f;
  }
  if (f == "x1^2" || f == "x1x1" || f == "x1*x1") return "x1_sq";
  if (f == "x2^2" || f == "x2x2" || f == "x2*x2") return "x2_sq";
  if (f == "x1*x2" || f == "x1x2") return "x1_x2";
  if (f == "sin(x1)") return "sin_x1";
  if (f == "sin(x2)") return "sin_x2";
  return "";
}

}  // namespace

std::vector<std::string> PlaygroundDatasetNames() {
  return {"circle", "xor", "gauss", "spiral", "plane", "multigauss"};
}
std::vector<std::string> PlaygroundFeatureNames() {
  return {"x1", "x2", "x1_sq", "x2_sq", "x1_x2", "sin_x1", "sin_x2"};
}

bool IsPlaygroundClassification(const std::string& dataset) { return dataset != "plane" && dataset != "multigauss"; }

Tensor PlaygroundFeatures(const Tensor& points, const std::vector<std::string>& features) {
  if (features.empty()) {
    throw ConfigError("no input features selected. Choose one or more of: " + Join(PlaygroundFeatureNames()) + ".");
  }
  Tensor out(points.rows(), static_cast<Index>(features.size()));
  for (size_t j = 0; j < features.size(); ++j) {
    const std::string f = CanonicalFeature(features[j]);
    if (f.empty()) {
      throw ConfigError("unknown feature '" + features[j] + "'. Valid features: " + Join(PlaygroundFeatureNames()) +
                        ".");
    }
    const Index c = static_cast<Index>(j);
    for (Index i = 0; i < points.rows(); ++i) {
      const double x1 = points(i, 0), x2 = points(i, 1);
      double v = 0;
      if (f == "x1")
        v = x1;
      else if (f == "x2")
        v = x2;
      else if (f == "x1_sq")
        v = x1 * x1;
      else if (f == "x2_sq")
        v = x2 * x2;
      else if (f == "x1_x2")
        v = x1 * x2;
      else if (f == "sin_x1")
        v = std::sin(x1);
      else
        v = std::sin(x2);
      out(i, c) = static_cast<float>(v);
    }
  }
  return out;
}

PlaygroundData MakePlaygroundData(const PlaygroundSpec& spec) {
  const auto names = PlaygroundDatasetNames();
  if (std::find(names.begin(), names.end(), spec.dataset) == names.end()) {
    throw ConfigError("unknown dataset '" + spec.dataset + "'. Valid datasets: " + Join(names) + ".");
  }
  if (!(spec.noise >= 0.0 && spec.noise <= 0.5)) {
    throw ConfigError("noise must be in [0, 0.5] (the Playground's 0-50 slider divided by 100), got " +
                      FormatValue(spec.noise));
  }
  if (!(spec.train_ratio > 0.0 && spec.train_ratio < 1.0)) {
    throw ConfigError("train ratio must be in (0, 1), got " + FormatValue(spec.train_ratio) +
                      "; the Playground uses 0.1 to 0.9, default 0.5");
  }
  const bool classification = IsPlaygroundClassification(spec.dataset);
  const int n = spec.num_samples > 0 ? spec.num_samples : (classification ? 500 : 1200);
  if (n < 4) throw ConfigError("a dataset needs at least 4 points, got " + std::to_string(n));

  Rng rng(spec.seed);
  std::vector<Point> pts;
  if (spec.dataset == "circle")
    pts = Circle(rng, n, spec.noise);
  else if (spec.dataset == "xor")
    pts = Xor(rng, n, spec.noise);
  else if (spec.dataset == "gauss")
    pts = Gauss(rng, n, spec.noise);
  else if (spec.dataset == "spiral")
    pts = Spiral(rng, n, spec.noise);
  else if (spec.dataset == "plane")
    pts = Regression(rng, n, spec.noise, PlaneLabel);
  else
    pts = Regression(rng, n, spec.noise, MultiGaussLabel);

  // Shuffle (Fisher-Yates), then split as the Playground does: the first floor(n * ratio) train.
  for (size_t i = pts.size() - 1; i > 0; --i) std::swap(pts[i], pts[rng.UniformInt(i + 1)]);
  const Index total = static_cast<Index>(pts.size());
  const Index n_train =
      std::clamp<Index>(static_cast<Index>(std::floor(static_cast<double>(total) * spec.train_ratio)), 1, total - 1);
  PlaygroundData data;
  data.classification = classification;
  data.train_points.resize(n_train, 2);
  data.test_points.resize(total - n_train, 2);
  Tensor train_labels(n_train, 1), test_labels(total - n_train, 1);
  for (Index i = 0; i < total; ++i) {
    const Point& p = pts[static_cast<size_t>(i)];
    Tensor& dst = i < n_train ? data.train_points : data.test_points;
    Tensor& lab = i < n_train ? train_labels : test_labels;
    const Index r = i < n_train ? i : i - n_train;
    dst(r, 0) = static_cast<float>(p.x1);
    dst(r, 1) = static_cast<float>(p.x2);
    lab(r, 0) = static_cast<float>(p.label);
  }
  std::vector<std::string> feature_names;
  for (const auto& f : spec.features) feature_names.push_back(CanonicalFeature(f).empty() ? f : CanonicalFeature(f));
  data.train = {PlaygroundFeatures(data.train_points, spec.features), train_labels, feature_names};
  data.test = {PlaygroundFeatures(data.test_points, spec.features), test_labels, feature_names};
  return data;
}

}  // namespace lever
