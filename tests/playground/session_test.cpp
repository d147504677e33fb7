// A playground session (lever/playground/session.h): trained in slices it ends where `lever train` with the
// same flags and --steps ends, bit for bit; its frames hold the grids the page draws; a diverging run is
// stopped with the doctor's finding; the limits hold.
#include "lever/playground/session.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include "lever/error.h"
#include "lever/tensor/rng.h"
#include "testing/files.h"

namespace lever {
namespace {

using testing::ErrorOf;

TrainingRunSpec SpiralSpec() {
  TrainingRunSpec spec;
  spec.data.dataset = "spiral";
  spec.config.seed = 7;
  spec.data.seed = 7;
  return spec;
}

// Base64's length without padding, as bytes.
size_t DecodedBytes(const std::string& text) {
  size_t padding = 0;
  while (padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  return text.size() / 4 * 3 - padding;
}

TEST(PlaygroundSessionTest, Base64MatchesRfc4648) {
  EXPECT_EQ(Base64({'M', 'a', 'n'}), "TWFu");
  EXPECT_EQ(Base64({'M', 'a'}), "TWE=");
  EXPECT_EQ(Base64({'M'}), "TQ==");
  EXPECT_EQ(Base64({0xff, 0xfe, 0x00}), "//4A");
  EXPECT_EQ(Base64({}), "");
}

TEST(PlaygroundSessionTest, SlicesEndWhereOneRunEnds) {
  PlaygroundSession session(SpiralSpec(), {});
  int64_t taken = 0;
  for (const int64_t slice : {1, 99, 400, 1000, 37, 1463}) taken += session.Advance(slice);
  EXPECT_EQ(taken, 3000);
  ASSERT_EQ(session.step(), 3000);
  const nlohmann::json frame = session.Frame();

  TrainingRunSpec spec = SpiralSpec();
  spec.config.max_steps = 3000;
  TrainingRun run(spec);
  const TrainingOutcome outcome = run.Run();
  EXPECT_EQ(frame["train_loss"].get<double>(), outcome.result.train.loss);
  ASSERT_TRUE(outcome.result.validation.has_value());
  EXPECT_EQ(frame["test_loss"].get<double>(), outcome.result.validation->loss);
  EXPECT_EQ(frame["test_accuracy"].get<double>(), outcome.result.validation->accuracy);
}

TEST(PlaygroundSessionTest, AFrameHoldsTheBoundaryAndEveryHiddenUnit) {
  PlaygroundSession session(SpiralSpec(), {});
  const nlohmann::json points = session.Points();
  EXPECT_TRUE(points["classification"].get<bool>());
  EXPECT_EQ(points["train"].size() + points["test"].size(), 500u);
  EXPECT_EQ(points["train"][0].size(), 3u);  // x1, x2, label
  session.Advance(2000);
  const nlohmann::json frame = session.Frame();
  EXPECT_EQ(frame["step"], 2000);
  EXPECT_FALSE(frame["diverged"].get<bool>());
  EXPECT_EQ(frame["boundary"]["size"], 100);
  EXPECT_EQ(DecodedBytes(frame["boundary"]["values"].get<std::string>()), 10000u);
  ASSERT_EQ(frame["neurons"].size(), 2u);  // 8,8: two hidden layers, the output left out
  EXPECT_EQ(frame["neurons"][0]["layer"], "dense");
  ASSERT_EQ(frame["neurons"][1]["units"].size(), 8u);
  EXPECT_EQ(DecodedBytes(frame["neurons"][1]["units"][3].get<std::string>()), 24u * 24u);
  // The spiral's two arms: the boundary is not one color.
  const std::string values = frame["boundary"]["values"].get<std::string>();
  EXPECT_NE(values.find_first_not_of(values[0]), std::string::npos);
}

TEST(PlaygroundSessionTest, ADivergingRunStopsWithTheDoctorsFinding) {
  TrainingRunSpec spec = SpiralSpec();
  spec.data.dataset = "plane";
  spec.mlp.hidden = {8};
  spec.mlp.activation = "relu";
  spec.config.optimizer.name = "sgd";
  spec.config.optimizer.learning_rate = 10;
  PlaygroundSession session(spec, {});
  session.Advance(5000);
  EXPECT_TRUE(session.diverged());
  EXPECT_LT(session.step(), 5000);
  EXPECT_EQ(session.Advance(100), 0);  // nothing more to train
  const nlohmann::json frame = session.Frame();
  EXPECT_TRUE(frame["diverged"].get<bool>());
  const nlohmann::json findings = session.Findings();
  EXPECT_FALSE(findings["healthy"].get<bool>());
  EXPECT_EQ(findings["findings"][0]["id"], "learning_rate_too_high");
}

TEST(PlaygroundSessionTest, TheLimitsHold) {
  TrainingRunSpec wide = SpiralSpec();
  wide.mlp.hidden = {8, 300};
  EXPECT_NE(ErrorOf<ConfigError>([&] { PlaygroundSession(wide, {}); }).find("a hidden layer of 300 units"),
            std::string::npos);
  TrainingRunSpec deep = SpiralSpec();
  deep.mlp.hidden = std::vector<Index>(13, 2);
  EXPECT_NE(ErrorOf<ConfigError>([&] { PlaygroundSession(deep, {}); }).find("at most 12"), std::string::npos);
  PlaygroundSession session(SpiralSpec(), {.max_steps = 150});
  EXPECT_EQ(session.Advance(100), 100);
  EXPECT_EQ(session.Advance(100), 50);
  EXPECT_TRUE(session.at_limit());
  EXPECT_EQ(session.Advance(100), 0);
  EXPECT_TRUE(session.Frame()["at_limit"].get<bool>());
}

// A table of 400 rows: two numeric columns a, b, a text column, and labels `kind`: the binary (a^2 + b^2 > 1.2,
// as yes/no), three classes (the sign of a, and b > 0.5), or a regression target (a - 2 b, scaled by 50).
std::string TableCsv(const std::string& kind) {
  std::string out = "a,city,b,y\n";
  Rng rng(3);
  for (int i = 0; i < 400; ++i) {
    const double a = 2 * rng.Uniform() - 1, b = 2 * rng.Uniform() - 1;
    const std::string label = kind == "binary"    ? (a * a + b * b > 0.6 ? "yes" : "no")
                              : kind == "classes" ? std::to_string(b > 0.5 ? 2
                                                                   : a > 0 ? 1
                                                                           : 0)
                                                  : fmt::format("{:.3f}", 50 * (a - 2 * b));
    out += fmt::format("{:.4f},{},{:.4f},{}\n", a, i % 3 == 0 ? "x" : "y", b, label);
  }
  return out;
}

TrainingRunSpec TableSpec(const std::string& kind) {
  TrainingRunSpec spec;
  spec.data.train_file = testing::WriteFile("playground_" + kind + ".csv", TableCsv(kind));
  spec.data.label = "y";
  spec.data.split_train_file = true;
  spec.data.train_percent = 70;
  spec.data.validation_split = 0;  // as the server's command: no holdout, so no early stopping
  spec.mlp.hidden = {16, 16};
  spec.config.optimizer.learning_rate = 0.03;
  return spec;
}

// A CSV table: its two numeric columns are the plane (the text column's inputs held at their mean), points in
// the model's (standardized) units, and slices still end where one run ends.
TEST(PlaygroundSessionTest, ATablesTwoNumericColumnsAreThePlane) {
  PlaygroundSession session(TableSpec("binary"), {});
  EXPECT_EQ(session.plane().x, "a");
  EXPECT_EQ(session.plane().y, "b");
  EXPECT_EQ(session.plane().x_input, 0);
  EXPECT_EQ(session.plane().y_input, 3);  // a, city=x, city=y, b
  const nlohmann::json points = session.Points();
  EXPECT_EQ(points["classes"], 2);
  EXPECT_EQ(points["class_names"], nlohmann::json({"no", "yes"}));
  EXPECT_EQ(points["rows"]["train"], 280);
  EXPECT_EQ(points["train"].size(), 280u);
  EXPECT_LT(points["x"]["min"].get<double>(), -1.7);  // standardized a: about -1.73..1.73, widened
  EXPECT_GT(points["x"]["max"].get<double>(), 1.7);
  for (int slice : {300, 700, 1000}) session.Advance(slice);
  const nlohmann::json frame = session.Frame();
  EXPECT_GT(frame["test_accuracy"].get<double>(), 0.85);
  TrainingRunSpec spec = TableSpec("binary");
  spec.config.max_steps = 2000;
  TrainingRun run(spec);
  const TrainingOutcome outcome = run.Run();
  EXPECT_EQ(frame["test_loss"].get<double>(), outcome.result.validation->loss);

  TrainingRunSpec bad = TableSpec("binary");
  EXPECT_NE(ErrorOf<ConfigError>([&] {
              PlaygroundSession(bad, {}, {.x = "city=x", .y = "b"});
            }).find("x axis \"city=x\": not a numeric input column of the table (they are: a, b)"),
            std::string::npos);
  EXPECT_NE(ErrorOf<ConfigError>([&] { PlaygroundSession(bad, {}, {.x = "b", .y = "b"}); }).find("the same column"),
            std::string::npos);
  bad.data.label = "y,a";
  EXPECT_NE(ErrorOf<ConfigError>([&] { PlaygroundSession(bad, {}); }).find("multi-label"), std::string::npos);
}

// Three classes: the boundary holds each cell's class and its probability; the plane's axes can be swapped.
TEST(PlaygroundSessionTest, AMultiClassBoundaryHoldsEachCellsClass) {
  PlaygroundSession session(TableSpec("classes"), {}, {.x = "b", .y = "a"});
  EXPECT_EQ(session.Points()["classes"], 3);
  session.Advance(3000);
  const nlohmann::json frame = session.Frame();
  EXPECT_GT(frame["test_accuracy"].get<double>(), 0.85);
  const std::string classes = frame["boundary"]["classes"].get<std::string>();
  ASSERT_EQ(DecodedBytes(classes), 10000u);
  // Decoded: every class appears somewhere on the plane, and nothing else.
  std::vector<int> seen(256, 0);
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  int decoded = 0;
  for (size_t i = 0; i + 3 < classes.size(); i += 4) {
    uint32_t triple = 0;
    for (size_t k = 0; k < 4; ++k) {
      const size_t digit = kAlphabet.find(classes[i + k]);
      triple = (triple << 6) | static_cast<uint32_t>(digit == std::string::npos ? 0 : digit);
    }
    for (int shift : {16, 8, 0}) {
      if (decoded++ < 10000) ++seen[(triple >> shift) & 255];
    }
  }
  EXPECT_GT(seen[0], 0);
  EXPECT_GT(seen[1], 0);
  EXPECT_GT(seen[2], 0);
  EXPECT_EQ(seen[0] + seen[1] + seen[2], 10000);
}

// A multi-class Playground dataset: three classes with their ids as names, and a boundary by class.
TEST(PlaygroundSessionTest, AMultiClassDatasetIsDrawnByClass) {
  TrainingRunSpec spec = SpiralSpec();
  spec.data.dataset = "spiral3";
  spec.data.features = {"x1", "x2", "sin_x1", "sin_x2"};
  spec.mlp.hidden = {16, 16};
  spec.config.optimizer.learning_rate = 0.03;
  PlaygroundSession session(spec, {});
  EXPECT_EQ(session.Findings()["summary"], "not trained yet: press play");
  const nlohmann::json points = session.Points();
  EXPECT_EQ(points["classes"], 3);
  EXPECT_EQ(points["class_names"], nlohmann::json({"0", "1", "2"}));
  EXPECT_EQ(points["x"]["min"], -PlaygroundSession::kDomain);
  session.Advance(3000);
  const nlohmann::json frame = session.Frame();
  EXPECT_GT(frame["test_accuracy"].get<double>(), 0.8);
  EXPECT_EQ(DecodedBytes(frame["boundary"]["classes"].get<std::string>()), 10000u);
  // The doctor reads the run (which findings depends on the compiler's rounding over 3,000 steps).
  EXPECT_NE(session.Findings()["summary"], "not trained yet: press play");
}

// A regression table: the colour scale is the training labels' range.
TEST(PlaygroundSessionTest, ARegressionTableScalesColoursToItsLabels) {
  PlaygroundSession session(TableSpec("regression"), {});
  const nlohmann::json points = session.Points();
  EXPECT_EQ(points["classes"], 0);
  EXPECT_LT(points["label_range"][0].get<double>(), -140);
  EXPECT_GT(points["label_range"][1].get<double>(), 140);
  session.Advance(2000);
  const nlohmann::json frame = session.Frame();
  EXPECT_LT(frame["test_loss"].get<double>(), 0.05 * 50 * 50);
  const std::string values = frame["boundary"]["values"].get<std::string>();
  EXPECT_NE(values.find_first_not_of(values[0]), std::string::npos);
}

}  // namespace
}  // namespace lever
