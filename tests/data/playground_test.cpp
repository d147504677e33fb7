#include "lever/data/playground.h"

#include <gtest/gtest.h>

#include <cmath>

#include "lever/error.h"

namespace lever {
namespace {

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
    if (d.classification) {
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

TEST(PlaygroundTest, RejectsInvalidKnobsWithWhatIsValid) {
  PlaygroundSpec spec;
  spec.dataset = "moons";
  EXPECT_THROW(MakePlaygroundData(spec), ConfigError);
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
