#include "lever/estimator/estimator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "lever/checkpoint/checkpoint_manager.h"
#include "lever/error.h"
#include "lever/estimator/canned.h"
#include "lever/estimator/head.h"
#include "lever/io/events_jsonl.h"
#include "lever/io/tfevents.h"
#include "lever/ops/elementwise.h"
#include "lever/ops/matmul.h"
#include "testing/files.h"

namespace lever {
namespace {

// Two Gaussian blobs per class around points on a circle: k classes, separable up to a little overlap.
Dataset Blobs(Index n, Index classes, uint64_t seed, double spread = 0.35) {
  Dataset d;
  d.features.resize(n, 2);
  d.labels.resize(n, 1);
  Rng rng(seed);
  for (Index i = 0; i < n; ++i) {
    const Index c = i % classes;
    const double angle = 2.0 * M_PI * static_cast<double>(c) / static_cast<double>(classes);
    d.features(i, 0) = static_cast<float>(2.0 * std::cos(angle) + spread * rng.Normal());
    d.features(i, 1) = static_cast<float>(2.0 * std::sin(angle) + spread * rng.Normal());
    d.labels(i, 0) = static_cast<float>(c);
  }
  return d;
}

// y = 3 x0 - 2 x1 + 0.5 + noise.
Dataset LinearRegressionData(Index n, uint64_t seed) {
  Dataset d;
  d.features.resize(n, 2);
  d.labels.resize(n, 1);
  Rng rng(seed);
  for (Index i = 0; i < n; ++i) {
    d.features(i, 0) = static_cast<float>(rng.Normal());
    d.features(i, 1) = static_cast<float>(rng.Normal());
    d.labels(i, 0) = 3.0f * d.features(i, 0) - 2.0f * d.features(i, 1) + 0.5f + static_cast<float>(0.1 * rng.Normal());
  }
  return d;
}

// A custom model function: logistic regression written by hand.
EstimatorSpec HandWrittenLogistic(ModelFnContext& ctx) {
  Var w = ctx.Variable("custom/w", ctx.features.dense.cols(), 1, "zeros");
  Var b = ctx.Variable("custom/b", 1, 1, "zeros");
  Var logits = BiasAdd(MatMul(ctx.features.dense, w), b);
  return MakeBinaryClassHead()->CreateSpec(ctx, logits, {TrainOp{{.name = "adam", .learning_rate = 0.05}, {}}});
}

TEST(EstimatorTest, ACustomModelFunctionTrainsEvaluatesAndPredicts) {
  const Dataset train = Blobs(400, 2, 1), test = Blobs(200, 2, 2);
  Estimator estimator(HandWrittenLogistic, RunConfig{.seed = 3});
  const TrainOutcome out = estimator.Train(train, TrainSpec{.max_steps = 300, .batch_size = 20});
  EXPECT_EQ(out.global_step, 300);
  const auto metrics = estimator.Evaluate(test);
  EXPECT_GT(metrics.at("accuracy"), 0.97);
  EXPECT_GT(metrics.at("auc"), 0.99);
  EXPECT_LT(metrics.at("loss"), 0.15);
  EXPECT_EQ(metrics.at("global_step"), 300.0);
  const Tensor p = estimator.Predict(test.features);
  ASSERT_EQ(p.rows(), 200);
  ASSERT_EQ(p.cols(), 1);
  EXPECT_GE(p.minCoeff(), 0.0f);
  EXPECT_LE(p.maxCoeff(), 1.0f);
  ASSERT_EQ(estimator.Variables().size(), 2u);
  EXPECT_EQ(estimator.Variables()[0]->name, "custom/w");
}

TEST(EstimatorTest, SameSeedSameVariablesAndTrainingInTwoCallsEqualsOne) {
  const Dataset train = Blobs(300, 3, 1);
  auto make = [] {
    return MakeDnnEstimator(MakeMultiClassHead(3), DnnOptions{.hidden_units = {8}, .dropout = 0.2},
                            RunConfig{.seed = 11});
  };
  auto a = make(), b = make();
  a->Train(train, TrainSpec{.max_steps = 170, .batch_size = 16});  // 170 * 16 crosses epoch boundaries
  b->Train(train, TrainSpec{.max_steps = 70, .batch_size = 16});
  b->Train(train, TrainSpec{.max_steps = 170, .batch_size = 16});
  ASSERT_EQ(a->Variables().size(), b->Variables().size());
  for (size_t i = 0; i < a->Variables().size(); ++i) {
    EXPECT_TRUE((a->Variables()[i]->value.array() == b->Variables()[i]->value.array()).all())
        << a->Variables()[i]->name;
  }
  auto c =
      MakeDnnEstimator(MakeMultiClassHead(3), DnnOptions{.hidden_units = {8}, .dropout = 0.2}, RunConfig{.seed = 12});
  c->Train(train, TrainSpec{.max_steps = 170, .batch_size = 16});
  EXPECT_FALSE((a->Variables()[0]->value.array() == c->Variables()[0]->value.array()).all());
}

TEST(EstimatorTest, CannedLinearUsesFtrlWithTensorFlowsDefaultLearningRate) {
  const Dataset train = Blobs(400, 2, 1), test = Blobs(200, 2, 2);
  auto estimator = MakeLinearEstimator(MakeBinaryClassHead());
  estimator->Train(train, TrainSpec{.max_steps = 200, .batch_size = 32});
  ASSERT_EQ(estimator->optimizers().size(), 1u);
  // Two features: min(0.2, 1 / sqrt(2)) = 0.2.
  EXPECT_NE(estimator->optimizers()[0]->Describe().find("Ftrl(learning_rate=0.2"), std::string::npos)
      << estimator->optimizers()[0]->Describe();
  EXPECT_GT(estimator->Evaluate(test).at("accuracy"), 0.97);
}

TEST(EstimatorTest, HeadsForRegressionMultiClassSoftLabelsAndMultiLabel) {
  {
    const Dataset train = LinearRegressionData(500, 1), test = LinearRegressionData(200, 2);
    auto e =
        MakeLinearEstimator(MakeRegressionHead(), LinearOptions{.optimizer = {.name = "adam", .learning_rate = 0.05}});
    e->Train(train, TrainSpec{.max_steps = 1500, .batch_size = 32});
    const auto m = e->Evaluate(test);
    EXPECT_LT(m.at("rmse"), 0.15);
    EXPECT_GT(m.at("r_squared"), 0.99);
    EXPECT_NEAR(e->Variables()[0]->value(0, 0), 3.0, 0.05);
    EXPECT_NEAR(e->Variables()[0]->value(1, 0), -2.0, 0.05);
  }
  {
    // Soft labels: one probability per class (here one-hot with label smoothing 0.1).
    Dataset train = Blobs(300, 3, 1), test = Blobs(150, 3, 2);
    auto soften = [](Dataset& d) {
      Tensor soft = Tensor::Constant(d.size(), 3, 0.05f);
      for (Index i = 0; i < d.size(); ++i) soft(i, static_cast<Index>(d.labels(i, 0))) = 0.9f;
      d.labels = soft;
    };
    soften(train);
    soften(test);
    auto e = MakeDnnEstimator(MakeMultiClassHead(3, ClassLabels::kProbabilities), DnnOptions{.hidden_units = {8}});
    e->Train(train, TrainSpec{.max_steps = 600, .batch_size = 16});
    EXPECT_GT(e->Evaluate(test).at("accuracy"), 0.95);
  }
  {
    // Two labels per example: x0 > 0 and x1 > 0.
    Dataset train = LinearRegressionData(600, 1), test = LinearRegressionData(200, 2);
    for (Dataset* d : {&train, &test}) {
      Tensor y(d->size(), 2);
      for (Index i = 0; i < d->size(); ++i) {
        y(i, 0) = d->features(i, 0) > 0.0f ? 1.0f : 0.0f;
        y(i, 1) = d->features(i, 1) > 0.0f ? 1.0f : 0.0f;
      }
      d->labels = y;
    }
    auto e = MakeDnnEstimator(MakeMultiLabelHead(2), DnnOptions{.hidden_units = {16}});
    e->Train(train, TrainSpec{.max_steps = 800, .batch_size = 32});
    const auto m = e->Evaluate(test);
    EXPECT_GT(m.at("per_label_accuracy"), 0.95);
    EXPECT_GT(m.at("accuracy"), 0.9);
    EXPECT_GT(m.at("auc"), 0.98);
  }
}

TEST(EstimatorTest, AKerasLikeModelTurnsIntoAnEstimatorWithOneCall) {
  const Dataset train = Blobs(300, 3, 1), test = Blobs(150, 3, 2);
  auto model = std::make_shared<Sequential>();
  model->Add(layers::Dense(16, "relu")).Add(layers::Dense(3));
  auto e = ModelToEstimator(model, MakeMultiClassHead(3), {.name = "adam", .learning_rate = 0.01});
  e->Train(train, TrainSpec{.max_steps = 400, .batch_size = 16});
  EXPECT_TRUE(model->built());
  EXPECT_EQ(e->Variables().size(), model->parameters().All().size());
  EXPECT_GT(e->Evaluate(test).at("accuracy"), 0.95);
}

TEST(EstimatorTest, TwoTrainOpsSplitTheVariablesByPrefix) {
  const Dataset train = Blobs(200, 2, 1);
  auto fn = [](ModelFnContext& ctx) {
    Var w = ctx.Variable("wide/w", 2, 1, "zeros");
    Var v = ctx.Variable("deep/w", 2, 1, "glorot_uniform");
    Var logits = Add(MatMul(ctx.features.dense, w), MatMul(ctx.features.dense, v));
    return MakeBinaryClassHead()->CreateSpec(ctx, logits,
                                             {TrainOp{{.name = "ftrl", .learning_rate = 0.1}, {"wide/"}},
                                              TrainOp{{.name = "adagrad", .learning_rate = 0.05}, {}}});
  };
  Estimator e(fn);
  e.Train(train, TrainSpec{.max_steps = 10, .batch_size = 8});
  ASSERT_EQ(e.optimizers().size(), 2u);
  EXPECT_EQ(e.optimizers()[0]->Name(), "ftrl");
  EXPECT_EQ(e.optimizers()[1]->Name(), "adagrad");
  // A variable no train op claims is an error that names it.
  auto unclaimed = [](ModelFnContext& ctx) {
    Var w = ctx.Variable("wide/w", 2, 1, "zeros");
    Var v = ctx.Variable("deep/w", 2, 1, "zeros");
    Var logits = Add(MatMul(ctx.features.dense, w), MatMul(ctx.features.dense, v));
    return MakeBinaryClassHead()->CreateSpec(ctx, logits, {TrainOp{{.name = "ftrl", .learning_rate = 0.1}, {"wide/"}}});
  };
  Estimator bad(unclaimed);
  try {
    bad.Train(train, TrainSpec{.max_steps = 1, .batch_size = 8});
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("deep/w"), std::string::npos) << error.what();
  }
}

TEST(EstimatorTest, ClearErrorsForAMismatchedHeadOrData) {
  const Dataset train = Blobs(100, 3, 1);
  auto e =
      MakeLinearEstimator(MakeMultiClassHead(3), LinearOptions{.optimizer = {.name = "sgd", .learning_rate = 0.1}});
  Dataset two_columns = train;
  two_columns.labels = Tensor::Zero(train.size(), 2);
  try {
    e->Train(two_columns, TrainSpec{.max_steps = 1, .batch_size = 8});
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("1 label column(s) per example, the input gives 2"), std::string::npos)
        << error.what();
  }
  Dataset with_nan = train;
  with_nan.features(5, 1) = std::nanf("");
  auto f = MakeLinearEstimator(MakeMultiClassHead(3));
  EXPECT_THROW(f->Train(with_nan, TrainSpec{.max_steps = 1, .batch_size = 8}), DataError);
  EXPECT_THROW(MakeMultiClassHead(1), ConfigError);
  EXPECT_THROW(f->Train(train, TrainSpec{.max_steps = 1, .batch_size = 0}), ConfigError);
}

TEST(HooksTest, NanGuardNamesTheStepAndTheKnobs) {
  Dataset train = LinearRegressionData(100, 1);
  train.labels *= 1e18f;
  auto e =
      MakeLinearEstimator(MakeRegressionHead(), LinearOptions{.optimizer = {.name = "sgd", .learning_rate = 10.0}});
  TrainSpec spec{.max_steps = 200, .batch_size = 10, .clip_norm = 0.0, .hooks = {std::make_shared<NanGuardHook>()}};
  try {
    e->Train(train, spec);
    FAIL() << "expected a DivergenceError";
  } catch (const DivergenceError& error) {
    EXPECT_NE(std::string(error.what()).find("lower the learning rate"), std::string::npos) << error.what();
    EXPECT_LT(error.step(), 200);
  }
}

TEST(HooksTest, EarlyStoppingStopsAfterPatienceAndRestoresTheBestVariables) {
  const Dataset train = Blobs(400, 2, 1), test = Blobs(200, 2, 2);
  auto e =
      MakeLinearEstimator(MakeBinaryClassHead(), LinearOptions{.optimizer = {.name = "sgd", .learning_rate = 0.05}});
  // min_delta larger than any change: the first evaluation stays the best, so training stops `patience`
  // steps after it, and the final evaluation is of the variables at that first evaluation.
  auto stopper = std::make_shared<EarlyStoppingHook>("loss", EarlyStoppingHook::Goal::kMinimize, 30, 1e9);
  std::vector<int64_t> logged;
  auto logger = std::make_shared<LoggingHook>(10, [&](const StepReport& r) { logged.push_back(r.step); });
  const auto result =
      TrainAndEvaluate(*e, train, test, TrainSpec{.max_steps = 1000, .batch_size = 16, .hooks = {stopper, logger}},
                       EvalSpec{.every_steps = 10});
  EXPECT_TRUE(stopper->stopped());
  EXPECT_EQ(stopper->best_step(), 10);
  EXPECT_EQ(result.train.global_step, 40);
  EXPECT_TRUE(result.train.stopped_by_hook);
  ASSERT_EQ(result.evaluations.size(), 5u);  // steps 10, 20, 30, 40, and the final one of the restored model
  EXPECT_EQ(result.final_evaluation().metrics.at("loss"), result.evaluations[0].metrics.at("loss"));
  EXPECT_EQ(logged, (std::vector<int64_t>{10, 20, 30, 40}));
  // A metric the evaluation does not report is a ConfigError listing the ones it does.
  auto wrong = std::make_shared<EarlyStoppingHook>("acuracy", EarlyStoppingHook::Goal::kMaximize, 10);
  auto f = MakeLinearEstimator(MakeBinaryClassHead());
  try {
    TrainAndEvaluate(*f, train, test, TrainSpec{.max_steps = 50, .batch_size = 16, .hooks = {wrong}},
                     EvalSpec{.every_steps = 10});
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("accuracy"), std::string::npos) << error.what();
  }
}

bool SameValues(const ParameterList& a, const ParameterList& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i]->name != b[i]->name || a[i]->value.rows() != b[i]->value.rows() ||
        a[i]->value.cols() != b[i]->value.cols() || !(a[i]->value.array() == b[i]->value.array()).all()) {
      return false;
    }
  }
  return true;
}

TEST(HooksTest, EarlyStoppingGivenItsSavedStateContinuesItsPatience) {
  const Dataset test = Blobs(50, 2, 2);
  auto e = MakeLinearEstimator(MakeBinaryClassHead());
  e->Evaluate(test);  // builds the variables
  const std::vector<Tensor> at_best = e->SnapshotVariables();
  auto eval_at = [](int64_t step, double loss) { return EvalReport{step, "eval", {{"loss", loss}}}; };
  using Goal = EarlyStoppingHook::Goal;
  EarlyStoppingHook before("loss", Goal::kMinimize, 30);
  EXPECT_FALSE(before.AfterEvaluation(*e, eval_at(10, 0.5)));  // the best, with these variables
  std::vector<Tensor> later = at_best;
  for (Tensor& t : later) t.array() += 1.0f;
  e->RestoreVariables(later);  // training goes on
  EXPECT_FALSE(before.AfterEvaluation(*e, eval_at(20, 0.75)));
  MemoryState state;
  before.SaveState(*e, state);
  const std::string prefix = "hooks/early_stopping/loss/";
  EXPECT_EQ(before.state_prefix(), prefix);
  EXPECT_EQ(state.ReadScalar(prefix + "best_value"), 0.5);
  EXPECT_EQ(state.ReadScalar(prefix + "best_step"), 10.0);
  EXPECT_EQ(state.ReadScalar(prefix + "stopped"), 0.0);
  ASSERT_EQ(state.tensors().size(), e->Variables().size());
  for (size_t i = 0; i < at_best.size(); ++i) {
    EXPECT_TRUE((state.ReadTensor(prefix + "best/" + e->Variables()[i]->name).array() == at_best[i].array()).all());
  }

  // A new hook given that state stops 30 steps after step 10, as `before` would, and puts back step 10's
  // variables.
  EarlyStoppingHook after("loss", Goal::kMinimize, 30);
  after.LoadState(*e, state);
  EXPECT_EQ(after.best_step(), 10);
  EXPECT_EQ(after.best_value(), 0.5);
  EXPECT_FALSE(after.AfterEvaluation(*e, eval_at(30, 0.75)));
  EXPECT_TRUE(after.AfterEvaluation(*e, eval_at(40, 0.75)));
  EXPECT_TRUE(after.HasStopped());
  after.End(*e);
  for (size_t i = 0; i < at_best.size(); ++i)
    EXPECT_TRUE((e->Variables()[i]->value.array() == at_best[i].array()).all());
  // Without it, patience starts again: step 30 is a new best and step 40 does not stop.
  EarlyStoppingHook fresh("loss", Goal::kMinimize, 30);
  EXPECT_FALSE(fresh.AfterEvaluation(*e, eval_at(30, 0.75)));
  EXPECT_FALSE(fresh.AfterEvaluation(*e, eval_at(40, 0.75)));
  EXPECT_EQ(fresh.best_step(), 30);

  // A stopped hook's state keeps the next one stopped; state without the hook's keys (another metric's,
  // or none) leaves it fresh.
  MemoryState stopped_state;
  after.SaveState(*e, stopped_state);
  EarlyStoppingHook again("loss", Goal::kMinimize, 30);
  again.LoadState(*e, stopped_state);
  EXPECT_TRUE(again.HasStopped());
  EarlyStoppingHook other("accuracy", Goal::kMaximize, 30);
  other.LoadState(*e, stopped_state);
  EXPECT_FALSE(other.HasStopped());
  EXPECT_EQ(other.best_step(), -1);
  // A best variable of another shape is named.
  MemoryState wrong = state;
  wrong.WriteTensor(prefix + "best/" + e->Variables()[0]->name, Tensor::Zero(7, 7));
  EarlyStoppingHook mismatched("loss", Goal::kMinimize, 30);
  EXPECT_TRUE(testing::Contains(testing::ErrorOf<IoError>([&] { mismatched.LoadState(*e, wrong); }),
                                "'" + e->Variables()[0]->name + "'"));
}

TEST(HooksTest, EarlyStoppingResumedFromACheckpointEndsAsAnUninterruptedRun) {
  const Dataset train = Blobs(400, 2, 1), test = Blobs(200, 2, 2);
  const std::string dir = testing::TempPath("model_dir");
  std::filesystem::remove_all(dir);
  auto make = [](const RunConfig& config) {
    const LinearOptions sgd{.optimizer = {.name = "sgd", .learning_rate = 0.05}};
    return MakeLinearEstimator(MakeBinaryClassHead(), sgd, config);
  };
  // As in the test above: the first evaluation (step 10) stays the best, and training stops at step 40.
  auto hook = [] { return std::make_shared<EarlyStoppingHook>("loss", EarlyStoppingHook::Goal::kMinimize, 30, 1e9); };
  const EvalSpec eval{.every_steps = 10};
  auto spec = [](std::shared_ptr<EarlyStoppingHook> h) {
    return TrainSpec{.max_steps = 1000, .batch_size = 16, .hooks = {h}};
  };
  auto straight = make(RunConfig{.seed = 6});
  const auto expected = TrainAndEvaluate(*straight, train, test, spec(hook()), eval);
  ASSERT_EQ(expected.train.global_step, 40);

  // Stopped at step 25 (checkpointed) after the evaluations of steps 10 and 20.
  const RunConfig config{.model_dir = dir, .seed = 6, .save_checkpoints_steps = 5};
  auto first = make(config);
  TrainSpec interrupted_spec = spec(hook());
  interrupted_spec.stop_requested = [&first] { return first->global_step() >= 25; };
  ASSERT_TRUE(TrainAndEvaluate(*first, train, test, interrupted_spec, eval).train.interrupted);

  // A new estimator and hook on the directory (evaluating first, which restores the checkpoint) go on with
  // the saved patience: stop at step 40 and put back step 10's variables.
  auto second = make(config);
  second->Evaluate(test);
  auto resumed_hook = hook();
  const auto resumed = TrainAndEvaluate(*second, train, test, spec(resumed_hook), eval);
  EXPECT_EQ(resumed.train.resumed_from_step, 25);
  EXPECT_TRUE(resumed.train.stopped_by_hook);
  EXPECT_EQ(resumed.train.global_step, 40);
  EXPECT_EQ(resumed_hook->best_step(), 10);
  EXPECT_EQ(resumed.final_evaluation().metrics.at("loss"), expected.final_evaluation().metrics.at("loss"));
  EXPECT_TRUE(SameValues(second->Variables(), straight->Variables()));

  // The last checkpoint holds the hook's state, so running the finished job again takes no step.
  const LatestCheckpoint latest = CheckpointManager(dir).LatestGood();
  ASSERT_TRUE(latest.checkpoint);
  EXPECT_EQ(latest.checkpoint->step, 40);
  const std::string prefix = "hooks/early_stopping/loss/";
  EXPECT_EQ(latest.checkpoint->Get(prefix + "stopped").ToScalar("stopped"), 1.0);
  EXPECT_EQ(latest.checkpoint->Get(prefix + "best_step").ToScalar("best_step"), 10.0);
  EXPECT_TRUE(latest.checkpoint->Has(prefix + "best/" + second->Variables()[0]->name));
  auto third = make(config);
  const auto again = TrainAndEvaluate(*third, train, test, spec(hook()), eval);
  EXPECT_EQ(again.train.steps, 0);
  EXPECT_TRUE(again.train.stopped_by_hook);
  EXPECT_EQ(again.train.global_step, 40);
  EXPECT_TRUE(SameValues(third->Variables(), straight->Variables()));
  // Without the hook, the same directory trains on.
  auto fourth = make(config);
  EXPECT_EQ(fourth->Train(train, TrainSpec{.max_steps = 45, .batch_size = 16}).steps, 5);
  std::filesystem::remove_all(dir);
}

std::vector<int64_t> LoggedSteps(const std::string& path) {
  std::vector<int64_t> steps;
  for (const ScalarEvent& e : ReadEventsJsonl(path).events) steps.push_back(e.step);
  return steps;
}

TEST(EstimatorTest, AResumedRunLogsEachStepOnce) {
  const Dataset train = Blobs(300, 2, 1), test = Blobs(100, 2, 2);
  const std::string dir = testing::TempPath("model_dir");
  std::filesystem::remove_all(dir);
  const RunConfig config{.model_dir = dir, .seed = 2, .save_checkpoints_steps = 25, .log_step_count_steps = 10};
  const TrainSpec spec{.max_steps = 100, .batch_size = 16};
  const EvalSpec eval{.every_steps = 20};
  TrainAndEvaluate(*MakeLinearEstimator(MakeBinaryClassHead(), {}, config), train, test, spec, eval);
  const std::vector<int64_t> train_steps{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, eval_steps{20, 40, 60, 80, 100};
  ASSERT_EQ(LoggedSteps(dir + "/events.jsonl"), train_steps);
  ASSERT_EQ(LoggedSteps(dir + "/eval/events.jsonl"), eval_steps);
  // A run killed after logging step 100 but before its checkpoint: the newest one is step 75's.
  std::filesystem::remove(dir + "/ckpt-100.json");
  std::filesystem::remove(dir + "/ckpt-100.safetensors");
  std::set<std::string> event_files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) event_files.insert(entry.path().string());

  const auto resumed =
      TrainAndEvaluate(*MakeLinearEstimator(MakeBinaryClassHead(), {}, config), train, test, spec, eval);
  EXPECT_EQ(resumed.train.resumed_from_step, 75);
  EXPECT_EQ(LoggedSteps(dir + "/events.jsonl"), train_steps);
  EXPECT_EQ(LoggedSteps(dir + "/eval/events.jsonl"), eval_steps);
  // The resumed run's TensorBoard file says where it restarted: a SessionLog START at step 76.
  std::string new_file;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const bool is_new = event_files.count(entry.path().string()) == 0;
    if (name.rfind("events.out.tfevents.", 0) == 0 && is_new) new_file = entry.path().string();
  }
  ASSERT_FALSE(new_file.empty());
  const std::vector<std::string> records = ReadTfRecords(new_file);
  ASSERT_GE(records.size(), 2u);
  EXPECT_EQ(records[1].substr(9), EncodeSessionStartEvent(0.0, 76).substr(9));
  std::filesystem::remove_all(dir);
}

TEST(EstimatorTest, TrainAndEvaluateEvaluatesOnScheduleAndAtTheEnd) {
  const Dataset train = Blobs(200, 2, 1), test = Blobs(100, 2, 2);
  auto e = MakeLinearEstimator(MakeBinaryClassHead());
  const auto result = TrainAndEvaluate(*e, train, test, TrainSpec{.max_steps = 95, .batch_size = 16},
                                       EvalSpec{.every_steps = 20, .start_delay_steps = 30});
  std::vector<int64_t> steps;
  for (const auto& r : result.evaluations) steps.push_back(r.step);
  EXPECT_EQ(steps, (std::vector<int64_t>{40, 60, 80, 95}));
  EXPECT_EQ(result.final_evaluation().name, "eval");
}

TEST(EstimatorTest, ThrottleSkipsPeriodicEvaluationsButNotTheFinalOne) {
  const Dataset train = Blobs(200, 2, 1), test = Blobs(100, 2, 2);
  auto e = MakeLinearEstimator(MakeBinaryClassHead());
  // Every 10 steps, but not within an hour of the last evaluation: the first periodic one and the final one.
  const auto result = TrainAndEvaluate(*e, train, test, TrainSpec{.max_steps = 95, .batch_size = 16},
                                       EvalSpec{.every_steps = 10, .throttle_secs = 3600});
  std::vector<int64_t> steps;
  for (const auto& r : result.evaluations) steps.push_back(r.step);
  EXPECT_EQ(steps, (std::vector<int64_t>{10, 95}));
  EXPECT_THROW(EvalSpec{.throttle_secs = -1}.Validate(), ConfigError);
}

TEST(EstimatorTest, AModelDirectoryIsResumedByANewEstimator) {
  const Dataset train = Blobs(300, 3, 1), test = Blobs(150, 3, 2);
  const std::string dir = testing::TempPath("model_dir");
  RunConfig config{.model_dir = dir, .seed = 4, .save_checkpoints_steps = 25};
  auto first = MakeDnnEstimator(MakeMultiClassHead(3), DnnOptions{.hidden_units = {8}}, config);
  const TrainOutcome a = first->Train(train, TrainSpec{.max_steps = 100, .batch_size = 16});
  EXPECT_EQ(a.resumed_from_step, -1);
  EXPECT_NE(a.last_checkpoint.find("ckpt-100.json"), std::string::npos) << a.last_checkpoint;
  const auto before = first->Evaluate(test);
  // A fresh estimator on the same directory evaluates the saved model and continues its training.
  auto second = MakeDnnEstimator(MakeMultiClassHead(3), DnnOptions{.hidden_units = {8}}, config);
  EXPECT_EQ(second->Evaluate(test).at("loss"), before.at("loss"));
  EXPECT_EQ(second->global_step(), 100);
  const TrainOutcome b = second->Train(train, TrainSpec{.max_steps = 150, .batch_size = 16});
  EXPECT_EQ(b.steps, 50);
  first->Train(train, TrainSpec{.max_steps = 150, .batch_size = 16});
  for (size_t i = 0; i < first->Variables().size(); ++i) {
    EXPECT_TRUE((first->Variables()[i]->value.array() == second->Variables()[i]->value.array()).all());
  }
  std::filesystem::remove_all(dir);
}

// A damaged newest checkpoint is skipped and said so (Evaluate and Predict report it through the estimator,
// Train in its outcome); when every checkpoint is damaged nothing trains over them or predicts without them.
TEST(EstimatorTest, DamagedCheckpointsAreReportedAndNeverSilentlyReplaced) {
  const Dataset train = Blobs(300, 3, 1), test = Blobs(150, 3, 2);
  const std::string dir = testing::TempPath("model_dir");
  RunConfig config{.model_dir = dir, .seed = 4, .save_checkpoints_steps = 25};
  const auto make = [&] { return MakeDnnEstimator(MakeMultiClassHead(3), DnnOptions{.hidden_units = {8}}, config); };
  make()->Train(train, TrainSpec{.max_steps = 100, .batch_size = 16});
  const CheckpointManager manager(dir);
  ASSERT_EQ(manager.Steps(), (std::vector<int64_t>{25, 50, 75, 100}));
  std::filesystem::resize_file(manager.TensorsPath(100), std::filesystem::file_size(manager.TensorsPath(100)) - 4);

  auto evaluated = make();
  evaluated->Evaluate(test);
  EXPECT_EQ(evaluated->restored_step(), 75);
  EXPECT_EQ(evaluated->global_step(), 75);
  ASSERT_EQ(evaluated->checkpoint_problems().size(), 1u);
  EXPECT_NE(evaluated->checkpoint_problems()[0].find("ckpt-100.safetensors"), std::string::npos);
  EXPECT_NE(evaluated->checkpoint_problems()[0].find("truncated"), std::string::npos);

  // Every checkpoint damaged: an error for training and for evaluation, and the files stay as they were.
  for (const int64_t step : manager.Steps()) {
    std::filesystem::resize_file(manager.TensorsPath(step), 10);
  }
  const std::string message =
      testing::ErrorOf<IoError>([&] { make()->Train(train, TrainSpec{.max_steps = 150, .batch_size = 16}); });
  EXPECT_NE(message.find("every checkpoint in " + dir + " is damaged; "), std::string::npos) << message;
  EXPECT_NE(message.find("move them out of the directory to start again from step 0"), std::string::npos) << message;
  EXPECT_EQ(manager.Steps(), (std::vector<int64_t>{25, 50, 75, 100}));
  for (const int64_t step : manager.Steps()) EXPECT_EQ(std::filesystem::file_size(manager.TensorsPath(step)), 10u);
  auto estimator = make();
  EXPECT_THROW(estimator->Evaluate(test), IoError);
  EXPECT_THROW(estimator->Predict(test.features), IoError);  // asked again, it is still an error

  // Tensors files without their commit records are a first save that was interrupted: training starts.
  for (const int64_t step : manager.Steps()) std::filesystem::remove(manager.RecordPath(step));
  const TrainOutcome fresh = make()->Train(train, TrainSpec{.max_steps = 30, .batch_size = 16});
  EXPECT_EQ(fresh.resumed_from_step, -1);
  EXPECT_EQ(fresh.checkpoint_problems.size(), 4u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lever

namespace lever {
namespace {

// Records each sampled step's statistics, and every variable's values after each step (to recompute the
// update ratios by hand).
class StatisticsRecorder : public Hook {
 public:
  bool AfterStep(Learner& learner, const StepReport& r) override {
    if (r.step == 9 || r.step == 10) {
      std::vector<Tensor>& into = r.step == 9 ? before_ : after_;
      into.clear();
      for (const Parameter* p : learner.Variables()) into.push_back(p->value);
    }
    return false;
  }
  void AfterStatistics(Learner& learner, const TrainingStatistics& s) override {
    samples.push_back(s);
    if (s.step == 10) names_ = learner.Variables();
  }
  std::vector<TrainingStatistics> samples;
  // ||w_10 - w_9|| / ||w_9|| of the named variable.
  double UpdateRatio(const std::string& name) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i]->name == name) return (after_[i] - before_[i]).norm() / before_[i].norm();
    }
    return -1;
  }

 private:
  std::vector<Tensor> before_, after_;
  ParameterList names_;
};

TEST(EstimatorTest, StatisticsAreSampledAfterTheFirstStepAndEveryNth) {
  const Dataset train = Blobs(300, 3, 1);
  auto e = MakeDnnEstimator(MakeMultiClassHead(3), DnnOptions{.hidden_units = {8, 4}, .activation = "relu"},
                            RunConfig{.seed = 5});
  auto recorder = std::make_shared<StatisticsRecorder>();
  TrainSpec spec{.max_steps = 30, .batch_size = 16, .clip_norm = 0.5};
  spec.statistics_every = 10;
  spec.hooks.push_back(recorder);
  e->Train(train, spec);
  const auto& s = recorder->samples;
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].step, 1);
  EXPECT_EQ(s[1].step, 10);
  EXPECT_EQ(s[3].step, 30);
  const TrainingStatistics& ten = s[1];
  ASSERT_EQ(ten.parameters.size(), 6u);  // three kernels and three biases
  EXPECT_EQ(ten.kernel_weights, 2 * 8 + 8 * 4 + 4 * 3);
  EXPECT_GT(ten.gradient_global_norm, 0.5);  // before clipping, which it then needed
  EXPECT_TRUE(ten.clipped);
  for (const ParameterStatistics& p : ten.parameters) {
    EXPECT_GT(p.gradient_norm, 0.0) << p.name;
    EXPECT_NEAR(p.update_ratio, recorder->UpdateRatio(p.name), 1e-6) << p.name;  // the step's own update
  }
  ASSERT_EQ(ten.activations.size(), 2u);  // the hidden layers' ReLUs
  EXPECT_EQ(ten.activations[0].activation, "relu");
  EXPECT_GT(ten.activations[0].zero_fraction, 0.0);
  EXPECT_LT(ten.activations[0].zero_fraction, 1.0);
  // Not sampling: no statistics reach the hooks.
  auto quiet = std::make_shared<StatisticsRecorder>();
  spec.statistics_every = 0;
  spec.hooks = {quiet};
  spec.max_steps = 40;
  e->Train(train, spec);
  EXPECT_TRUE(quiet->samples.empty());
}

}  // namespace
}  // namespace lever
