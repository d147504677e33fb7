// A playground session (lever/playground/session.h): trained in slices it ends where `lever train` with the
// same flags and --steps ends, bit for bit; its frames hold the grids the page draws; a diverging run is
// stopped with the doctor's finding; the limits hold.
#include "lever/playground/session.h"

#include <gtest/gtest.h>

#include "lever/error.h"
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
  TrainingRunSpec table = SpiralSpec();
  table.data.train_file = "train.csv";
  EXPECT_NE(ErrorOf<ConfigError>([&] { PlaygroundSession(table, {}); }).find("not a CSV table"), std::string::npos);
  PlaygroundSession session(SpiralSpec(), {.max_steps = 150});
  EXPECT_EQ(session.Advance(100), 100);
  EXPECT_EQ(session.Advance(100), 50);
  EXPECT_TRUE(session.at_limit());
  EXPECT_EQ(session.Advance(100), 0);
  EXPECT_TRUE(session.Frame()["at_limit"].get<bool>());
}

}  // namespace
}  // namespace lever
