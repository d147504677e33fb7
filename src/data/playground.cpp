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

// The multi-class sets: k classes of n points share them as evenly as whole points allow (class c gets
// n / k, plus one for each c < n % k), so the default 500 points stay 500 and no class is short by more than one.
int ClassSize(int n, int classes, int c) { return n / classes + (c < n % classes ? 1 : 0); }

// Three spiral arms 120 degrees apart (class c starts at angle 2 pi c / 3): the Playground's spiral with a
// third arm, the same 1.75 turns out to radius 5 and the same noise, an offset of up to `noise` per
// coordinate.
std::vector<Point> Spiral3(Rng& rng, int n, double noise) {
  std::vector<Point> pts;
  for (int c = 0; c < 3; ++c) {
    const int count = ClassSize(n, 3, c);
    const double delta = 2 * kPi * c / 3;
    for (int i = 0; i < count; ++i) {
      const double r = static_cast<double>(i) / count * 5;
      const double t = 1.75 * i / count * 2 * kPi + delta;
      const double x = r * std::sin(t) + rng.Uniform(-1, 1) * noise;
      const double y = r * std::cos(t) + rng.Uniform(-1, 1) * noise;
      pts.push_back({x, y, static_cast<double>(c)});
    }
  }
  return pts;
}

// The Playground's circle with three classes: a disc (radius 0..1.5, class 0), a ring (2..3, class 1) and an
// outer ring (3.5..5, class 2), with gaps of 0.5 between them; the radius is uniform in its band, as circle's.
// As in circle, noise moves no point: the label is the band of the point moved by up to 5 * noise per
// coordinate, the gaps' middles (1.75, 3.25) its boundaries, so noise relabels points, the more the nearer a
// boundary (at noise 0.25 about a quarter of them, at 0.5 half).
std::vector<Point> Rings3(Rng& rng, int n, double noise) {
  const double radius = 5;
  constexpr std::array<std::pair<double, double>, 3> kBands{{{0.0, 0.3}, {0.4, 0.6}, {0.7, 1.0}}};
  std::vector<Point> pts;
  for (int c = 0; c < 3; ++c) {
    const int count = ClassSize(n, 3, c);
    for (int i = 0; i < count; ++i) {
      const double r = rng.Uniform(kBands[c].first * radius, kBands[c].second * radius);
      const double angle = rng.Uniform(0, 2 * kPi);
      const double x = r * std::sin(angle);
      const double y = r * std::cos(angle);
      const double nx = rng.Uniform(-radius, radius) * noise;
      const double ny = rng.Uniform(-radius, radius) * noise;
      const double noisy = std::hypot(x + nx, y + ny);
      const double label = noisy < 0.35 * radius ? 0.0 : noisy < 0.65 * radius ? 1.0 : 2.0;
      pts.push_back({x, y, label});
    }
  }
  return pts;
}

// Four Gaussian clouds, one per quadrant, counterclockwise from the first: class 0 around (2, 2), 1 around
// (-2, 2), 2 around (-2, -2), 3 around (2, -2). Noise widens them as in gauss (variance 0.5 to 4). A coordinate
// outside the plane [-6, 6] is drawn again, so every point is in the plane (gauss keeps such points; at
// variance 4 about 2% of the coordinates, 4.5% of the points, would fall outside).
std::vector<Point> Gauss4(Rng& rng, int n, double noise) {
  const double variance = 0.5 + (4.0 - 0.5) * (noise / 0.5);
  constexpr std::array<std::pair<double, double>, 4> kCenters{{{2, 2}, {-2, 2}, {-2, -2}, {2, -2}}};
  const auto draw = [&](double mean) {
    for (;;) {
      const double v = NormalRandom(rng, mean, variance);
      if (std::abs(v) <= 6) return v;
    }
  };
  std::vector<Point> pts;
  for (int c = 0; c < 4; ++c) {
    const int count = ClassSize(n, 4, c);
    for (int i = 0; i < count; ++i) {
      const double x = draw(kCenters[c].first);
      const double y = draw(kCenters[c].second);
      pts.push_back({x, y, static_cast<double>(c)});
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

std::vector<Point> PlaneSet(Rng& rng, int n, double noise) { return Regression(rng, n, noise, PlaneLabel); }
std::vector<Point> MultiGaussSet(Rng& rng, int n, double noise) { return Regression(rng, n, noise, MultiGaussLabel); }

struct DatasetKind {
  const char* name;
  std::vector<const char*> aliases;
  const char* help;
  int classes;  // 2: binary (labels 0/1); 3 or more: multi-class (class ids); 0: regression
  std::vector<Point> (*generate)(Rng& rng, int n, double noise);
};

struct FeatureKind {
  const char* name;
  std::vector<const char*> aliases;
  const char* help;
  double (*compute)(double x1, double x2);
};

// One line per dataset: name, help, its classes (0: regression), its generator.
// clang-format off
const std::vector<DatasetKind>& Datasets() {
  static const std::vector<DatasetKind> table = {
      {"circle", {}, "binary: a disc inside a ring", 2, Circle},
      {"xor", {}, "binary: the sign of x1 * x2", 2, Xor},
      {"gauss", {}, "binary: two Gaussian clouds", 2, Gauss},
      {"spiral", {}, "binary: two interleaved spirals", 2, Spiral},
      {"spiral3", {}, "3 classes: three interleaved spiral arms, 120 degrees apart", 3, Spiral3},
      {"rings3", {}, "3 classes: a disc inside a ring inside a ring", 3, Rings3},
      {"gauss4", {}, "4 classes: a Gaussian cloud in each quadrant", 4, Gauss4},
      {"plane", {}, "regression: (x1 + x2) / 10", 0, PlaneSet},
      {"multigauss", {}, "regression: six signed Gaussian bumps, targets in [-1, 1]", 0, MultiGaussSet},
  };
  return table;
}

// One line per input feature: name, other spellings, help, how it is computed from the point.
const std::vector<FeatureKind>& Features() {
  static const std::vector<FeatureKind> table = {
      {"x1", {}, "the first coordinate", [](double x1, double) { return x1; }},
      {"x2", {}, "the second coordinate", [](double, double x2) { return x2; }},
      {"x1_sq", {"x1^2", "x1x1", "x1*x1"}, "x1 squared", [](double x1, double) { return x1 * x1; }},
      {"x2_sq", {"x2^2", "x2x2", "x2*x2"}, "x2 squared", [](double, double x2) { return x2 * x2; }},
      {"x1_x2", {"x1*x2", "x1x2"}, "x1 times x2", [](double x1, double x2) { return x1 * x2; }},
      {"sin_x1", {"sin(x1)"}, "sin(x1)", [](double x1, double) { return std::sin(x1); }},
      {"sin_x2", {"sin(x2)"}, "sin(x2)", [](double, double x2) { return std::sin(x2); }},
  };
  return table;
}
// clang-format on

const FeatureKind& FindFeature(const std::string& name) {
  return internal::LookUp(Features(), name, "feature", " Other spellings: x1^2, x1*x2, sin(x1), ...");
}

}  // namespace

std::vector<std::string> PlaygroundDatasetNames() { return internal::EntryNames(Datasets()); }
std::vector<std::string> PlaygroundFeatureNames() { return internal::EntryNames(Features()); }
std::vector<NameEntry> PlaygroundDatasetEntries() { return internal::Describe(Datasets()); }
std::vector<NameEntry> PlaygroundFeatureEntries() { return internal::Describe(Features()); }

int PlaygroundClasses(const std::string& dataset) { return internal::LookUp(Datasets(), dataset, "dataset").classes; }

bool IsPlaygroundClassification(const std::string& dataset) { return PlaygroundClasses(dataset) > 0; }

Tensor PlaygroundFeatures(const Tensor& points, const std::vector<std::string>& features) {
  if (features.empty()) {
    throw ConfigError("no input features selected. Choose one or more of: " + JoinNames(PlaygroundFeatureNames()) +
                      ".");
  }
  Tensor out(points.rows(), static_cast<Index>(features.size()));
  for (size_t j = 0; j < features.size(); ++j) {
    double (*compute)(double, double) = FindFeature(features[j]).compute;
    const Index c = static_cast<Index>(j);
    for (Index i = 0; i < points.rows(); ++i) out(i, c) = static_cast<float>(compute(points(i, 0), points(i, 1)));
  }
  return out;
}

PlaygroundData MakePlaygroundData(const PlaygroundSpec& spec) {
  const DatasetKind& kind = internal::LookUp(Datasets(), spec.dataset, "dataset");
  if (!(spec.noise >= 0.0 && spec.noise <= 0.5)) {
    throw ConfigError("noise must be in [0, 0.5] (the Playground's 0-50 slider divided by 100), got " +
                      FormatValue(spec.noise));
  }
  if (!(spec.train_ratio > 0.0 && spec.train_ratio < 1.0)) {
    throw ConfigError("train ratio must be in (0, 1), got " + FormatValue(spec.train_ratio) +
                      "; the Playground uses 0.1 to 0.9, default 0.5");
  }
  const bool classification = kind.classes > 0;
  const int n = spec.num_samples > 0 ? spec.num_samples : (classification ? 500 : 1200);
  if (n < 4) throw ConfigError("a dataset needs at least 4 points, got " + std::to_string(n));

  Rng rng(spec.seed);
  std::vector<Point> pts = kind.generate(rng, n, spec.noise);

  // Shuffle (Fisher-Yates), then split as the Playground does: the first floor(n * ratio) train.
  for (size_t i = pts.size() - 1; i > 0; --i) std::swap(pts[i], pts[rng.UniformInt(i + 1)]);
  const Index total = static_cast<Index>(pts.size());
  const Index n_train =
      std::clamp<Index>(static_cast<Index>(std::floor(static_cast<double>(total) * spec.train_ratio)), 1, total - 1);
  PlaygroundData data;
  data.classification = classification;
  data.classes = kind.classes;
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
  for (const auto& f : spec.features) feature_names.emplace_back(FindFeature(f).name);
  data.train = {PlaygroundFeatures(data.train_points, spec.features), train_labels, feature_names};
  data.test = {PlaygroundFeatures(data.test_points, spec.features), test_labels, feature_names};
  return data;
}

}  // namespace lever
