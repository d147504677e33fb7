#include "lever/data/playground.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "lever/error.h"

namespace lever {
namespace {

constexpr double kPi = 3.14159265358979323846;

TEST(PlaygroundTest, SizesAndSplitFollowThePlayground) {
  PlaygroundSpec spec;
  for (const std::string& name : PlaygroundDatasetNames()) {
    spec.dataset = name;
    spec.train_ratio = 0.7;
    const PlaygroundData d = MakePlaygroundData(spec);
    const Index total = d.train.size() + d.test.size();
    EXPECT_EQ(total, IsPlaygroundClassification(name) ? 500 : 1200) << name;
    EXPECT_EQ(d.train.size(), static_cast<Index>(std::floor(total * 0.7))) << name;
    EXPECT_EQ(d.train.labels.cols(), 1);
    EXPECT_EQ(d.classes, PlaygroundClasses(name)) << name;
    if (d.classes > 2) {
      ASSERT_TRUE(d.classification) << name;  // the multi-class sets: below
    } else if (d.classification) {
      EXPECT_TRUE(((d.train.labels.array() == 0.0f) || (d.train.labels.array() == 1.0f)).all()) << name;
      const double positives = d.train.labels.mean() * 0.5 + d.test.labels.mean() * 0.5;
      EXPECT_GT(positives, 0.35) << name;  // both classes present in roughly equal numbers
      EXPECT_LT(positives, 0.65) << name;
    } else {
      // plane maps x1 + x2 in [-12, 12] by (x1 + x2) / 10, as the Playground does; multigauss is in [-1, 1].
      EXPECT_LE(d.train.labels.cwiseAbs().maxCoeff(), name == "plane" ? 1.2f : 1.0f) << name;
    }
  }
}

TEST(PlaygroundTest, NoiselessLabelsFollowTheGeometry) {
  PlaygroundSpec spec;
  spec.dataset = "xor";
  const PlaygroundData x = MakePlaygroundData(spec);
  for (Index i = 0; i < x.train.size(); ++i) {
    const float product = x.train_points(i, 0) * x.train_points(i, 1);
    EXPECT_EQ(x.train.labels(i, 0), product >= 0 ? 1.0f : 0.0f);
  }
  spec.dataset = "circle";
  const PlaygroundData c = MakePlaygroundData(spec);
  for (Index i = 0; i < c.train.size(); ++i) {
    const double r = std::hypot(c.train_points(i, 0), c.train_points(i, 1));
    EXPECT_EQ(c.train.labels(i, 0), r < 2.5 ? 1.0f : 0.0f);
    EXPECT_TRUE(r < 2.5 || r >= 3.5);  // the gap between the disc and the ring
  }
  spec.dataset = "plane";
  const PlaygroundData p = MakePlaygroundData(spec);
  for (Index i = 0; i < p.train.size(); ++i) {
    EXPECT_NEAR(p.train.labels(i, 0), (p.train_points(i, 0) + p.train_points(i, 1)) / 10.0f, 1e-6);
  }
}

TEST(PlaygroundTest, NoiseFlipsSomeLabels) {
  PlaygroundSpec spec;
  spec.dataset = "xor";
  spec.noise = 0.5;
  const PlaygroundData x = MakePlaygroundData(spec);
  Index flipped = 0;
  for (Index i = 0; i < x.train.size(); ++i) {
    const float product = x.train_points(i, 0) * x.train_points(i, 1);
    flipped += x.train.labels(i, 0) != (product >= 0 ? 1.0f : 0.0f) ? 1 : 0;
  }
  EXPECT_GT(flipped, 5);
  EXPECT_LT(flipped, x.train.size() / 2);
}

TEST(PlaygroundTest, FeaturesAreComputedFromThePoints) {
  PlaygroundSpec spec;
  spec.dataset = "gauss";
  spec.features = {"x1", "x2", "x1^2", "x2_sq", "x1*x2", "sin(x1)", "sin_x2"};
  const PlaygroundData d = MakePlaygroundData(spec);
  ASSERT_EQ(d.train.num_features(), 7);
  EXPECT_EQ(d.train.feature_names[2], "x1_sq");
  for (Index i = 0; i < 10; ++i) {
    const float a = d.train_points(i, 0), b = d.train_points(i, 1);
    EXPECT_FLOAT_EQ(d.train.features(i, 0), a);
    EXPECT_FLOAT_EQ(d.train.features(i, 2), a * a);
    EXPECT_FLOAT_EQ(d.train.features(i, 4), a * b);
    EXPECT_NEAR(d.train.features(i, 5), std::sin(a), 1e-6);
    EXPECT_NEAR(d.train.features(i, 6), std::sin(b), 1e-6);
  }
}

TEST(PlaygroundTest, SameSeedSameDataDifferentSeedDifferentData) {
  PlaygroundSpec spec;
  spec.dataset = "spiral";
  spec.noise = 0.2;
  spec.seed = 4;
  const PlaygroundData a = MakePlaygroundData(spec), b = MakePlaygroundData(spec);
  EXPECT_EQ(a.train.features, b.train.features);
  spec.seed = 5;
  EXPECT_NE(MakePlaygroundData(spec).train.features, a.train.features);
}

// The class of every point of a multi-class set and the point, train and test together.
struct AllPoints {
  std::vector<int> labels;
  std::vector<std::pair<float, float>> points;
};

AllPoints Gather(const PlaygroundData& d) {
  AllPoints all;
  const auto add = [&all](const Dataset& set, const Tensor& points) {
    for (Index i = 0; i < set.size(); ++i) {
      all.labels.push_back(static_cast<int>(set.labels(i, 0)));
      EXPECT_EQ(static_cast<float>(all.labels.back()), set.labels(i, 0));  // whole class ids
      all.points.emplace_back(points(i, 0), points(i, 1));
    }
  };
  add(d.train, d.train_points);
  add(d.test, d.test_points);
  return all;
}

TEST(PlaygroundTest, MultiClassSetsHaveBalancedClassIdsInThePlane) {
  const std::vector<std::pair<std::string, int>> sets = {{"spiral3", 3}, {"rings3", 3}, {"gauss4", 4}};
  for (const auto& [name, k] : sets) {
    EXPECT_TRUE(IsPlaygroundClassification(name));
    EXPECT_EQ(PlaygroundClasses(name), k);
    for (const int samples : {0, 301, 7}) {  // the Playground's 500, and counts k does not divide
      for (const double noise : {0.0, 0.5}) {
        PlaygroundSpec spec;
        spec.dataset = name;
        spec.num_samples = samples;
        spec.noise = noise;
        const PlaygroundData d = MakePlaygroundData(spec);
        EXPECT_TRUE(d.classification);
        EXPECT_EQ(d.classes, k);
        const AllPoints all = Gather(d);
        const int n = samples > 0 ? samples : 500;
        ASSERT_EQ(static_cast<int>(all.labels.size()), n) << name;
        std::vector<int> count(static_cast<size_t>(k));
        for (const int label : all.labels) {
          ASSERT_GE(label, 0) << name;
          ASSERT_LT(label, k) << name;
          ++count[static_cast<size_t>(label)];
        }
        for (const auto& [x1, x2] : all.points) {
          EXPECT_LE(std::abs(x1), 6.0f) << name << " noise " << noise;
          EXPECT_LE(std::abs(x2), 6.0f) << name << " noise " << noise;
        }
        // The generators promise n / k points per class (one more for the first n % k); rings3's noise
        // relabels points near its boundaries, so only its noiseless counts are exact.
        if (name == "rings3" && noise > 0) continue;
        for (int c = 0; c < k; ++c) {
          EXPECT_EQ(count[static_cast<size_t>(c)], n / k + (c < n % k ? 1 : 0)) << name << " class " << c;
        }
      }
    }
  }
}

TEST(PlaygroundTest, NoiselessMultiClassSetsAreWhatTheyClaim) {
  PlaygroundSpec spec;
  spec.dataset = "rings3";
  const AllPoints rings = Gather(MakePlaygroundData(spec));
  for (size_t i = 0; i < rings.labels.size(); ++i) {
    const double r = std::hypot(rings.points[i].first, rings.points[i].second);
    // A disc of radius 1.5, a ring 2..3, a ring 3.5..5.
    const double lo[] = {0.0, 2.0, 3.5}, hi[] = {1.5, 3.0, 5.0};
    const auto c = static_cast<size_t>(rings.labels[i]);
    EXPECT_GE(r, lo[c] - 1e-5) << "class " << c;
    EXPECT_LE(r, hi[c] + 1e-5) << "class " << c;
  }

  spec.dataset = "gauss4";
  const AllPoints gauss = Gather(MakePlaygroundData(spec));
  // Class c's cloud sits in quadrant c + 1, counterclockwise from (+, +): at variance 0.5 a coordinate crosses
  // its axis with chance 0.2%, so a few points of 500 may; their means are near (+-2, +-2).
  const double sign[4][2] = {{1, 1}, {-1, 1}, {-1, -1}, {1, -1}};
  int outside = 0;
  double sum[4][2] = {};
  for (size_t i = 0; i < gauss.labels.size(); ++i) {
    const auto c = static_cast<size_t>(gauss.labels[i]);
    const auto [x1, x2] = gauss.points[i];
    outside += (x1 * sign[c][0] > 0 && x2 * sign[c][1] > 0) ? 0 : 1;
    sum[c][0] += x1;
    sum[c][1] += x2;
  }
  EXPECT_LE(outside, 8);
  for (size_t c = 0; c < 4; ++c) {
    EXPECT_NEAR(sum[c][0] / 125, 2 * sign[c][0], 0.25) << "class " << c;
    EXPECT_NEAR(sum[c][1] / 125, 2 * sign[c][1], 0.25) << "class " << c;
  }

  spec.dataset = "spiral3";
  const AllPoints spiral = Gather(MakePlaygroundData(spec));
  // Arm c is the points r (sin t, cos t), r = 5 i / count, t = 1.75 * 2 pi i / count + 2 pi c / 3: from its
  // radius, a point's angle is its arm's, 120 degrees from the other two.
  for (size_t i = 0; i < spiral.labels.size(); ++i) {
    const auto [x1, x2] = spiral.points[i];
    const double r = std::hypot(x1, x2);
    if (r < 1e-6) continue;  // each arm's first point is the origin
    const double arm = 2 * kPi * spiral.labels[i] / 3;
    const double expected = 1.75 * 2 * kPi * r / 5 + arm;
    const double diff = std::remainder(std::atan2(x1, x2) - expected, 2 * kPi);
    EXPECT_NEAR(diff, 0.0, 1e-4) << "class " << spiral.labels[i] << " at r " << r;
  }
}

TEST(PlaygroundTest, MultiClassSetsAreSeededAndNoiseChangesThem) {
  for (const std::string name : {"spiral3", "rings3", "gauss4"}) {
    PlaygroundSpec spec;
    spec.dataset = name;
    spec.noise = 0.2;
    spec.seed = 4;
    const PlaygroundData a = MakePlaygroundData(spec), b = MakePlaygroundData(spec);
    EXPECT_EQ(a.train_points, b.train_points) << name;
    EXPECT_EQ(a.train.labels, b.train.labels) << name;
    EXPECT_EQ(a.test.labels, b.test.labels) << name;
    spec.seed = 5;
    EXPECT_NE(MakePlaygroundData(spec).train_points, a.train_points) << name;

    // Noise 0 against 25 and 50, one seed. spiral3 draws the same numbers at every noise, so its points
    // correspond row by row, each moved by up to the noise per coordinate; gauss4's clouds widen; rings3, as
    // circle, keeps its points and relabels those whose moved position lies in another band.
    spec.seed = 1;
    spec.noise = 0.0;
    const PlaygroundData quiet = MakePlaygroundData(spec);
    spec.noise = 0.25;
    const PlaygroundData some = MakePlaygroundData(spec);
    spec.noise = 0.5;
    const PlaygroundData noisy = MakePlaygroundData(spec);
    if (name == "spiral3") {
      const Tensor moved = (noisy.train_points - quiet.train_points).cwiseAbs();
      EXPECT_LE(moved.maxCoeff(), 0.5f + 1e-5f);
      EXPECT_GT(moved.maxCoeff(), 0.4f);
      EXPECT_GT(moved.mean(), 0.1f);
    } else if (name == "gauss4") {
      // The mean distance of a point from its cloud's center: about 0.9 at variance 0.5, about 2.3 at 4.
      const auto spread = [](const PlaygroundData& d) {
        const AllPoints all = Gather(d);
        const double center[4][2] = {{2, 2}, {-2, 2}, {-2, -2}, {2, -2}};
        double sum = 0;
        for (size_t i = 0; i < all.labels.size(); ++i) {
          const auto c = static_cast<size_t>(all.labels[i]);
          sum += std::hypot(all.points[i].first - center[c][0], all.points[i].second - center[c][1]);
        }
        return sum / static_cast<double>(all.labels.size());
      };
      EXPECT_NEAR(spread(quiet), 0.9, 0.15);
      EXPECT_GT(spread(some), spread(quiet) + 0.4);
      EXPECT_GT(spread(noisy), spread(some) + 0.2);
    } else {
      EXPECT_EQ(quiet.train_points, noisy.train_points);
      const auto relabeled = [&quiet](const PlaygroundData& d) {
        return (quiet.train.labels.array() != d.train.labels.array()).count();
      };
      EXPECT_GT(relabeled(some), 10);
      EXPECT_LT(relabeled(some), quiet.train.size() / 2);
      EXPECT_GT(relabeled(noisy), relabeled(some));
    }
  }
}

TEST(PlaygroundTest, RejectsInvalidKnobsWithWhatIsValid) {
  PlaygroundSpec spec;
  spec.dataset = "moons";
  EXPECT_THROW(MakePlaygroundData(spec), ConfigError);
  EXPECT_THROW(PlaygroundClasses("moons"), ConfigError);
  spec = {};
  spec.noise = 0.6;
  EXPECT_THROW(MakePlaygroundData(spec), ConfigError);
  spec = {};
  spec.train_ratio = 1.0;
  EXPECT_THROW(MakePlaygroundData(spec), ConfigError);
  spec = {};
  spec.features = {"x3"};
  try {
    MakePlaygroundData(spec);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("x1, x2, x1_sq, x2_sq, x1_x2, sin_x1, sin_x2"), std::string::npos);
  }
  spec = {};
  spec.features = {};
  EXPECT_THROW(MakePlaygroundData(spec), ConfigError);
}

}  // namespace
}  // namespace lever
