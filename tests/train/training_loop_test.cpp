#include "lever/train/training_loop.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <vector>

#include "lever/error.h"
#include "lever/train/hooks.h"

namespace lever {
namespace {

// A learner whose "model" is one variable that records the rows it was trained on; its loss falls as
// 1 / step, and a "stream" of `stream_batches` batches when trained with rows 0.
class FakeLearner : public SteppingLearner {
 public:
  FakeLearner() {
    weight_.name = "w";
    weight_.value = Tensor::Zero(1, 1);
  }
  int64_t global_step() const override { return step_; }
  ParameterList Variables() const override { return {&weight_}; }
  double learning_rate() const override { return 0.5; }
  bool Exhausted() override { return streamed_ >= stream_batches; }
  double TrainStep(std::span<const Index> rows) override {
    if (rows.empty()) ++streamed_;
    for (const Index r : rows) seen.push_back(r);
    ++step_;
    weight_.value(0, 0) = static_cast<float>(step_);
    return 1.0 / static_cast<double>(step_);
  }
  std::vector<Index> seen;
  int64_t stream_batches = 0;

 private:
  mutable Parameter weight_;  // Variables() hands it out for hooks to change
  int64_t step_ = 0;
  int64_t streamed_ = 0;
};

class Recorder : public Hook {
 public:
  void Begin(Learner& /*learner*/) override { ++begins; }
  bool AfterStep(Learner& /*learner*/, const StepReport& r) override {
    steps.push_back(r.step);
    EXPECT_EQ(r.learning_rate, 0.5);
    return stop_after_step > 0 && r.step == stop_after_step;
  }
  bool AfterEvaluation(Learner& /*learner*/, const EvalReport& r) override {
    evaluations.push_back(r);
    return false;
  }
  void End(Learner& learner) override { ended_at = learner.global_step(); }
  int begins = 0;
  std::vector<int64_t> steps;
  std::vector<EvalReport> evaluations;
  int64_t stop_after_step = 0;
  int64_t ended_at = -1;
};

LoopEvaluation Counting(const std::string& name, int64_t every, int* runs) {
  LoopEvaluation e;
  e.name = name;
  e.every_steps = every;
  e.run = [runs](bool) {
    ++*runs;
    return std::map<std::string, double>{{"runs", *runs}};
  };
  return e;
}

TEST(EpochOrderTest, EveryEpochIsAPermutationThatDependsOnlyOnSeedAndEpoch) {
  EpochOrder a(7, 10), b(7, 10), other(8, 10);
  std::vector<Index> first, second, resumed;
  a.Batch(0, 10, first);
  a.Batch(10, 10, second);
  b.Batch(10, 10, resumed);  // straight to epoch 1, as a resumed run does
  EXPECT_EQ(second, resumed);
  EXPECT_NE(first, second);
  std::vector<Index> sorted = first;
  std::sort(sorted.begin(), sorted.end());
  std::vector<Index> identity(10);
  std::iota(identity.begin(), identity.end(), Index{0});
  EXPECT_EQ(sorted, identity);
  std::vector<Index> seeded;
  other.Batch(0, 10, seeded);
  EXPECT_NE(seeded, first);
  // A batch across an epoch's end takes the rest of one epoch and the start of the next.
  std::vector<Index> across;
  b.Batch(8, 4, across);
  EXPECT_EQ(across, (std::vector<Index>{first[8], first[9], second[0], second[1]}));
  EXPECT_THROW(EpochOrder(1, 0), DataError);
}

TEST(TrainingLoopTest, StepsEvaluatesOnCadenceAndOnceAtTheEnd) {
  FakeLearner learner;
  Recorder rec;
  int runs = 0;
  LoopSpec spec;
  spec.max_steps = 25;
  spec.batch_size = 4;
  spec.record_step_losses = true;
  spec.evaluations.push_back(Counting("eval", 10, &runs));
  const LoopOutcome out = RunTrainingLoop(learner, 10, spec, {&rec});
  EXPECT_EQ(out.steps, 25);
  EXPECT_EQ(rec.begins, 1);
  EXPECT_EQ(rec.steps.size(), 25u);
  EXPECT_EQ(rec.ended_at, 25);
  ASSERT_EQ(rec.evaluations.size(), 3u);  // steps 10 and 20, then the final one at 25
  EXPECT_EQ(rec.evaluations[0].step, 10);
  EXPECT_EQ(rec.evaluations[1].step, 20);
  EXPECT_EQ(rec.evaluations[2].step, 25);
  EXPECT_TRUE(rec.evaluations[2].is_final);
  EXPECT_FALSE(rec.evaluations[0].is_final);
  EXPECT_EQ(out.step_losses.size(), 25u);
  EXPECT_FLOAT_EQ(out.step_losses.back(), 1.0f / 25);
  // 25 steps of 4 rows over 10 rows: every epoch of 10 rows visits each row once.
  ASSERT_EQ(learner.seen.size(), 100u);
  for (size_t epoch = 0; epoch < 10; ++epoch) {
    std::set<Index> rows(learner.seen.begin() + static_cast<std::ptrdiff_t>(epoch * 10),
                         learner.seen.begin() + static_cast<std::ptrdiff_t>(epoch * 10 + 10));
    EXPECT_EQ(rows.size(), 10u);
  }
}

TEST(TrainingLoopTest, ResumingDrawsTheRowsAnUninterruptedRunDraws) {
  FakeLearner whole, split;
  LoopSpec spec;
  spec.batch_size = 3;
  spec.seed = 5;
  spec.max_steps = 17;
  RunTrainingLoop(whole, 7, spec, {});
  spec.max_steps = 6;
  RunTrainingLoop(split, 7, spec, {});
  spec.max_steps = 17;
  RunTrainingLoop(split, 7, spec, {});
  EXPECT_EQ(whole.seen, split.seen);
}

TEST(TrainingLoopTest, AHookOrAStopRequestEndsTraining) {
  FakeLearner learner;
  Recorder rec;
  rec.stop_after_step = 7;
  int runs = 0;
  LoopSpec spec;
  spec.max_steps = 100;
  spec.evaluations.push_back(Counting("eval", 5, &runs));
  LoopOutcome out = RunTrainingLoop(learner, 10, spec, {&rec});
  EXPECT_TRUE(out.stopped_by_hook);
  EXPECT_EQ(out.steps, 7);
  ASSERT_EQ(rec.evaluations.size(), 2u);  // step 5, then the final one at 7
  EXPECT_EQ(rec.evaluations.back().step, 7);

  FakeLearner other;
  int polls = 0;
  spec.stop_requested = [&polls] { return ++polls > 3; };
  out = RunTrainingLoop(other, 10, spec, {});
  EXPECT_TRUE(out.interrupted);
  EXPECT_EQ(out.steps, 3);
  ASSERT_FALSE(out.evaluations.empty());
  EXPECT_FALSE(out.evaluations.back().is_final);  // a stop request is not the end of training
}

TEST(TrainingLoopTest, EarlyStoppingOnANamedEvaluationRestoresTheBestVariables) {
  FakeLearner learner;
  LoopSpec spec;
  spec.max_steps = 40;
  // "holdout" gets worse after step 10; "other" would always improve, but is not watched.
  LoopEvaluation holdout;
  holdout.name = "holdout";
  holdout.every_steps = 5;
  holdout.at_max_steps = true;
  holdout.at_end = false;
  holdout.run = [&learner](bool) {
    const double step = static_cast<double>(learner.global_step());
    return std::map<std::string, double>{{"loss", std::abs(step - 10.0)}};
  };
  int runs = 0;
  spec.evaluations.push_back(holdout);
  spec.evaluations.push_back(Counting("other", 5, &runs));
  EarlyStoppingHook stopping("loss", EarlyStoppingHook::Goal::kMinimize, 10);
  stopping.watch_evaluation("holdout").restore_at_end(true);
  const LoopOutcome out = RunTrainingLoop(learner, 10, spec, {&stopping});
  EXPECT_TRUE(out.stopped_by_hook);
  EXPECT_EQ(learner.global_step(), 20);  // 10 steps of patience after the best at step 10
  EXPECT_EQ(stopping.best_step(), 10);
  EXPECT_FLOAT_EQ(learner.Variables()[0]->value(0, 0), 10.0f);  // the best step's variable is back
}

TEST(TrainingLoopTest, PassAlignedPassesAndStreams) {
  FakeLearner learner;
  LoopSpec spec;
  spec.batch_size = 4;
  spec.max_steps = 6;  // two passes of ceil(10 / 4) = 3 steps
  spec.pass_aligned = true;
  RunTrainingLoop(learner, 10, spec, {});
  ASSERT_EQ(learner.seen.size(), 24u);
  // Each pass's 12 rows are its epoch's 10 rows and then its first two again.
  for (size_t pass = 0; pass < 2; ++pass) {
    const auto begin = learner.seen.begin() + static_cast<std::ptrdiff_t>(pass * 12);
    EXPECT_EQ(std::set<Index>(begin, begin + 10).size(), 10u);
    EXPECT_EQ(*(begin + 10), *begin);
    EXPECT_EQ(*(begin + 11), *(begin + 1));
  }

  FakeLearner stream;
  stream.stream_batches = 9;
  spec.pass_aligned = false;
  spec.max_steps = 1000;
  const LoopOutcome out = RunTrainingLoop(stream, 0, spec, {});
  EXPECT_EQ(out.steps, 9);
  EXPECT_TRUE(stream.seen.empty());
}

TEST(TrainingLoopTest, InvalidSpecsAreConfigErrors) {
  FakeLearner learner;
  LoopSpec spec;
  spec.max_steps = 10;
  spec.batch_size = 0;
  EXPECT_THROW(RunTrainingLoop(learner, 10, spec, {}), ConfigError);
  spec.batch_size = 1;
  spec.evaluations.push_back(LoopEvaluation{.name = "empty"});
  EXPECT_THROW(RunTrainingLoop(learner, 10, spec, {}), ConfigError);
}

}  // namespace
}  // namespace lever
