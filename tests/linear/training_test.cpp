#include "lever/linear/training.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "lever/error.h"
#include "lever/tensor/rng.h"
#include "testing/files.h"

namespace lever {
namespace {

using lever::testing::TempPath;

constexpr Index kFeatures = 40;

// A planted logistic problem in LIBSVM form: 40 features, the first 20 carry weight +-1.5 (alternating),
// each is on (value 1) with probability 0.15, labels +1/-1 drawn from sigmoid(sum of weights - 0.3).
std::string PlantedFile(const std::string& name, int64_t rows, uint64_t seed) {
  Rng rng(seed);
  std::string text;
  for (int64_t i = 0; i < rows; ++i) {
    std::string entries;
    double z = -0.3;
    for (Index j = 0; j < kFeatures; ++j) {
      if (rng.Uniform() >= 0.15) continue;
      entries += " " + std::to_string(j + 1) + ":1";
      if (j < 20) z += j % 2 == 0 ? 1.5 : -1.5;
    }
    const bool positive = rng.Uniform() < 1.0 / (1.0 + std::exp(-z));
    text += (positive ? "+1" : "-1") + entries + "\n";
  }
  const std::string path = TempPath(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// The log loss of always predicting the base rate: what a model must beat.
double ConstantLogLoss(const std::vector<float>& labels) {
  double p = 0.0;
  for (float y : labels) p += y;
  p /= static_cast<double>(labels.size());
  return -(p * std::log(p) + (1.0 - p) * std::log(1.0 - p));
}

// A file's rows in memory with the labels the loss needs.
struct Loaded {
  SparseRows x;
  std::vector<float> y;
};

Loaded Load(const std::string& path, const std::string& loss = "sigmoid_cross_entropy") {
  LibsvmData data = ReadLibsvmFile(path, {}, {}, kFeatures);
  Loaded out{std::move(data.features), {}};
  for (float v : data.labels) out.y.push_back(PrepareLabel(loss, v));
  return out;
}

LinearTrainOptions Options(Index batch, int64_t steps, double passes) {
  LinearTrainOptions o;
  o.batch_size = batch;
  o.steps = steps;
  o.passes = passes;
  return o;
}

StreamOptions InOrder() {
  StreamOptions s;
  s.shuffle_buffer = 0;
  s.repeat = true;
  return s;
}

TEST(PrepareLabelTest, LogisticMapsPositiveToOneElseZero) {
  EXPECT_EQ(PrepareLabel("sigmoid_cross_entropy", 1.0f), 1.0f);
  EXPECT_EQ(PrepareLabel("sigmoid_cross_entropy", -1.0f), 0.0f);
  EXPECT_EQ(PrepareLabel("sigmoid_cross_entropy", 0.0f), 0.0f);
  EXPECT_EQ(PrepareLabel("sigmoid_cross_entropy", 2.0f), 1.0f);
  EXPECT_EQ(PrepareLabel("logistic", -1.0f), 0.0f);  // aliases count
  EXPECT_EQ(PrepareLabel("logistic", 1.0f), 1.0f);
}

TEST(PrepareLabelTest, OtherLossesKeepTheLabel) {
  EXPECT_EQ(PrepareLabel("mean_squared_error", -1.0f), -1.0f);
  EXPECT_EQ(PrepareLabel("mean_squared_error", 2.5f), 2.5f);
  EXPECT_EQ(PrepareLabel("sparse_softmax_cross_entropy", 3.0f), 3.0f);
  EXPECT_EQ(PrepareLabel("sparse_softmax_cross_entropy", 0.0f), 0.0f);
  EXPECT_THROW(PrepareLabel("hinge", 1.0f), ConfigError);
}

TEST(TrainLinearTest, FromMemoryBeatsTheConstantPredictor) {
  const Loaded train = Load(PlantedFile("train.svm", 4000, 1));
  const std::string test_path = PlantedFile("test.svm", 2000, 2);
  const Loaded test = Load(test_path);
  LinearModel model(kFeatures, {});
  const int64_t steps = TrainLinear(model, train.x, train.y, Options(32, 0, 3));
  EXPECT_EQ(steps, 375);  // ceil(3 x 4000 / 32)
  EXPECT_EQ(model.steps(), 375);
  const LinearEvaluation e = EvaluateLinear(model, test.x, test.y);
  const double baseline = ConstantLogLoss(test.y);
  EXPECT_EQ(e.examples, 2000);
  EXPECT_LT(e.log_loss, 0.8 * baseline) << "constant predictor: " << baseline;
  EXPECT_GT(e.auc, 0.8);
  EXPECT_GT(e.accuracy, 0.7);
  // The planted signs are learned: odd features (1-based) positive, even ones negative.
  EXPECT_GT(model.Weight(0), 0.3f);
  EXPECT_LT(model.Weight(1), -0.3f);
}

TEST(TrainLinearTest, FromStreamBeatsTheConstantPredictor) {
  const std::string train_path = PlantedFile("train.svm", 4000, 1);
  const std::string test_path = PlantedFile("test.svm", 2000, 2);
  LinearModel model(kFeatures, {});
  StreamOptions shuffled;
  shuffled.shuffle_buffer = 256;
  shuffled.seed = 5;
  LibsvmStream stream(train_path, kFeatures, {}, {}, shuffled);
  const int64_t steps = TrainLinear(model, stream, Options(32, 0, 3));
  EXPECT_EQ(steps, 375);  // 3 x 4000 / 32: whole passes, the shuffle buffer's examples included
  EXPECT_EQ(stream.passes(), 3);
  const LinearEvaluation e = EvaluateLinear(model, test_path);
  const double baseline = ConstantLogLoss(Load(test_path).y);
  EXPECT_EQ(e.examples, 2000);
  EXPECT_LT(e.log_loss, 0.8 * baseline) << "constant predictor: " << baseline;
  EXPECT_GT(e.auc, 0.8);
}

TEST(TrainLinearTest, StreamLabelsAreConvertedForLogisticLoss) {
  // Labels +1/-1 in the file: training must see 1/0, or the loss (and its gradient) would be wrong.
  const std::string path = TempPath("pm.svm");
  std::ofstream(path) << "-1 1:1\n-1 1:1\n-1 1:1\n-1 1:1\n";
  LinearModel model(2, {});
  LibsvmStream stream(path, 2, {}, {}, InOrder());
  LinearTrainOptions o = Options(4, 200, 1);
  o.report_every = 1;
  double lowest = 1.0;  // unconverted, a label of -1 drives the cross entropy below zero
  TrainLinear(model, stream, o, [&lowest](const LinearProgress& p) { lowest = std::min(lowest, p.loss); });
  EXPECT_GE(lowest, 0.0);
  SparseRows x;
  x.cols = 2;
  x.Add(0, 1.0f);
  x.EndRow();
  EXPECT_LT(model.Predict(x)(0, 0), 0.2f);
}

TEST(TrainLinearTest, MemoryStepsFollowPassesOrSteps) {
  const Loaded data = Load(PlantedFile("train.svm", 1000, 3));
  {
    LinearModel model(kFeatures, {});
    EXPECT_EQ(TrainLinear(model, data.x, data.y, Options(64, 0, 2)), 32);  // ceil(2 x 1000 / 64)
    EXPECT_EQ(model.steps(), 32);
  }
  {
    LinearModel model(kFeatures, {});
    EXPECT_EQ(TrainLinear(model, data.x, data.y, Options(64, 0, 0.5)), 8);  // ceil(500 / 64)
  }
  {
    LinearModel model(kFeatures, {});
    EXPECT_EQ(TrainLinear(model, data.x, data.y, Options(100, 0, 2)), 20);
  }
  {  // Steps win over passes.
    LinearModel model(kFeatures, {});
    EXPECT_EQ(TrainLinear(model, data.x, data.y, Options(64, 5, 2)), 5);
    EXPECT_EQ(model.steps(), 5);
  }
}

TEST(TrainLinearTest, StreamStepsFollowStepsOrWholePasses) {
  const std::string path = PlantedFile("train.svm", 1000, 3);
  {  // Batches run across the pass boundary; training stops once two passes are complete.
    LinearModel model(kFeatures, {});
    LibsvmStream stream(path, kFeatures, {}, {}, InOrder());
    EXPECT_EQ(TrainLinear(model, stream, Options(64, 0, 2)), 32);  // ceil(2 x 1000 / 64)
    EXPECT_EQ(stream.passes(), 2);
    EXPECT_EQ(stream.examples(), 32 * 64);
  }
  {  // A fraction of a pass rounds up to a whole pass.
    LinearModel model(kFeatures, {});
    LibsvmStream stream(path, kFeatures, {}, {}, InOrder());
    EXPECT_EQ(TrainLinear(model, stream, Options(64, 0, 1.5)), 32);
    EXPECT_EQ(stream.passes(), 2);
  }
  {  // Steps win over passes.
    LinearModel model(kFeatures, {});
    LibsvmStream stream(path, kFeatures, {}, {}, InOrder());
    EXPECT_EQ(TrainLinear(model, stream, Options(64, 40, 1)), 40);
    EXPECT_EQ(stream.examples(), 40 * 64);
    EXPECT_EQ(model.steps(), 40);
  }
  {  // A stream without repeat ends after one pass, whatever was asked.
    LinearModel model(kFeatures, {});
    StreamOptions once = InOrder();
    once.repeat = false;
    LibsvmStream stream(path, kFeatures, {}, {}, once);
    EXPECT_EQ(TrainLinear(model, stream, Options(64, 100, 1)), 16);  // 15 full batches and one of 40
    EXPECT_EQ(stream.examples(), 1000);
  }
}

// Two passes of 1000 rows in batches of 100 are 20 steps, as in memory: the end of the file right after
// a batch's last row counts at once, not one batch (into the third pass) later.
TEST(TrainLinearTest, StreamStopsAtThePassEndWhenTheBatchDividesTheRows) {
  const std::string path = PlantedFile("train.svm", 1000, 3);
  LinearModel model(kFeatures, {});
  LibsvmStream stream(path, kFeatures, {}, {}, InOrder());
  EXPECT_EQ(TrainLinear(model, stream, Options(100, 0, 2)), 20);
  EXPECT_EQ(stream.examples(), 2000);
  EXPECT_EQ(stream.passes(), 2);
}

// With a shuffle buffer a pass counts once as many examples were handed out, not when the buffer reads
// the end of the file (which, with a buffer larger than the file, happens before the first step).
TEST(TrainLinearTest, StreamWithShuffleBufferTrainsWholePasses) {
  const std::string path = PlantedFile("train.svm", 1000, 3);
  LinearModel model(kFeatures, {});
  StreamOptions shuffled = InOrder();
  shuffled.shuffle_buffer = 2000;
  LibsvmStream stream(path, kFeatures, {}, {}, shuffled);
  EXPECT_EQ(TrainLinear(model, stream, Options(100, 0, 1)), 10);
  EXPECT_EQ(stream.examples(), 1000);
  EXPECT_EQ(stream.passes(), 1);
}

TEST(TrainLinearTest, ProgressEveryReportEverySteps) {
  const std::string path = PlantedFile("train.svm", 1000, 3);
  const Loaded data = Load(path);
  std::vector<LinearProgress> calls;
  const auto record = [&calls](const LinearProgress& p) { calls.push_back(p); };
  {
    LinearModel model(kFeatures, {});
    LinearTrainOptions o = Options(50, 10, 1);
    o.report_every = 3;
    TrainLinear(model, data.x, data.y, o, record);
    ASSERT_EQ(calls.size(), 3u);
    for (size_t k = 0; k < calls.size(); ++k) {
      const int64_t step = 3 * static_cast<int64_t>(k + 1);
      EXPECT_EQ(calls[k].step, step);
      EXPECT_EQ(calls[k].examples, step * 50);
      EXPECT_DOUBLE_EQ(calls[k].passes, static_cast<double>(step * 50) / 1000.0);
      EXPECT_GT(calls[k].loss, 0.0);
      EXPECT_TRUE(std::isfinite(calls[k].loss));
      EXPECT_GE(calls[k].seconds, 0.0);
    }
  }
  calls.clear();
  {
    LinearModel model(kFeatures, {});
    LibsvmStream stream(path, kFeatures, {}, {}, InOrder());
    LinearTrainOptions o = Options(300, 9, 1);
    o.report_every = 4;
    TrainLinear(model, stream, o, record);
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0].step, 4);
    EXPECT_EQ(calls[0].examples, 1200);
    EXPECT_EQ(calls[0].passes, 1.0);  // whole passes only
    EXPECT_EQ(calls[1].step, 8);
    EXPECT_EQ(calls[1].examples, 2400);
    EXPECT_EQ(calls[1].passes, 2.0);
  }
  calls.clear();
  {  // report_every 0: never called.
    LinearModel model(kFeatures, {});
    TrainLinear(model, data.x, data.y, Options(50, 10, 1), record);
    EXPECT_TRUE(calls.empty());
  }
}

TEST(TrainLinearTest, InvalidOptionsAreConfigErrors) {
  const std::string path = PlantedFile("train.svm", 100, 3);
  const Loaded data = Load(path);
  LinearModel model(kFeatures, {});
  LibsvmStream stream(path, kFeatures, {}, {}, InOrder());
  for (const LinearTrainOptions& bad :
       {Options(-1, 10, 1), Options(-5, 10, 1), Options(32, -1, 1), Options(32, 0, -1), Options(32, 0, std::nan("")),
        Options(32, 0, std::numeric_limits<double>::infinity())}) {
    EXPECT_THROW(TrainLinear(model, data.x, data.y, bad), ConfigError) << bad.batch_size << " " << bad.steps;
    EXPECT_THROW(TrainLinear(model, stream, bad), ConfigError) << bad.batch_size << " " << bad.steps;
  }
  EXPECT_EQ(model.steps(), 0);
  try {
    TrainLinear(model, data.x, data.y, Options(-1, 10, 1));
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("batch size must be a positive number"), std::string::npos) << e.what();
  }
}

TEST(TrainLinearTest, MemoryDataMismatchesAreDataErrors) {
  const Loaded data = Load(PlantedFile("train.svm", 100, 3));
  LinearModel model(kFeatures, {});
  std::vector<float> short_labels(data.y.begin(), data.y.end() - 1);
  EXPECT_THROW(TrainLinear(model, data.x, short_labels, Options(10, 5, 1)), DataError);
  SparseRows empty;
  empty.cols = kFeatures;
  EXPECT_THROW(TrainLinear(model, empty, {}, Options(10, 5, 1)), DataError);
}

TEST(EvaluateLinearTest, FromMemoryAndFromFileAgree) {
  const Loaded train = Load(PlantedFile("train.svm", 2000, 1));
  const std::string test_path = PlantedFile("test.svm", 5000, 2);  // more than one 4096-row chunk
  LinearModel model(kFeatures, {});
  TrainLinear(model, train.x, train.y, Options(32, 0, 1));
  const Loaded test = Load(test_path);
  const LinearEvaluation memory = EvaluateLinear(model, test.x, test.y);
  const LinearEvaluation file = EvaluateLinear(model, test_path);
  EXPECT_EQ(memory.examples, 5000);
  EXPECT_EQ(file.examples, memory.examples);
  EXPECT_DOUBLE_EQ(file.loss, memory.loss);
  EXPECT_DOUBLE_EQ(file.log_loss, memory.log_loss);
  EXPECT_DOUBLE_EQ(file.auc, memory.auc);
  EXPECT_DOUBLE_EQ(file.accuracy, memory.accuracy);
  EXPECT_GT(memory.auc, 0.75);
}

TEST(EvaluateLinearTest, FileWithIdsBeyondTheModelIsDataError) {
  const std::string path = TempPath("wide.svm");
  std::ofstream(path) << "1 1:1\n-1 50:1\n";
  LinearModel model(kFeatures, {});
  try {
    EvaluateLinear(model, path);
    ADD_FAILURE() << "no DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":1-2"), std::string::npos) << e.what();
  }
}

TEST(EvaluateLinearTest, FileReportsTheRowsItSkipped) {
  const std::string path = TempPath("bad.svm");
  std::ofstream(path) << "1 1:1\n-1 0:1\n1 2:1 2:1\n-1 3:1\n";  // lines 2 and 3 are malformed
  LinearModel model(kFeatures, {});
  BadRowReport skipped;
  const LinearEvaluation e = EvaluateLinear(model, path, {}, BadRowPolicy{true, 10}, &skipped);
  EXPECT_EQ(e.examples, 2);
  EXPECT_EQ(skipped.skipped(), 2);
  ASSERT_EQ(skipped.messages().size(), 2u);
  EXPECT_NE(skipped.messages()[0].find(path + ":2:"), std::string::npos) << skipped.messages()[0];
}

TEST(TrainLinearTest, MemoryTrainingIsDeterministicForASeed) {
  const Loaded data = Load(PlantedFile("train.svm", 1000, 4));
  const auto train = [&](uint64_t seed, bool allow_fused) {
    LinearModelConfig config;
    config.allow_fused = allow_fused;
    auto model = std::make_unique<LinearModel>(kFeatures, config);
    LinearTrainOptions o = Options(16, 0, 2);
    o.seed = seed;
    TrainLinear(*model, data.x, data.y, o);
    std::vector<uint32_t> bits;
    for (Index j = 0; j < kFeatures; ++j) bits.push_back(std::bit_cast<uint32_t>(model->Weight(j)));
    bits.push_back(std::bit_cast<uint32_t>(model->Bias()));
    return bits;
  };
  for (bool fused : {true, false}) {
    const std::vector<uint32_t> a = train(11, fused);
    EXPECT_EQ(a, train(11, fused)) << "fused " << fused;
    EXPECT_NE(a, train(12, fused)) << "fused " << fused;  // another seed, another batch order
  }
}

// Squared loss on targets around 150 (the planted file's features, y = 150 + 20 * (feature 1 - feature 2)
// + noise): in memory the model trains on standardized targets, so the default FTRL rate fits it in a few
// passes, and predicts, weighs and reports its loss in the targets' units.
TEST(TrainLinearTest, SquaredLossOnRawTargetsTrainsOnStandardizedOnes) {
  Loaded data = Load(PlantedFile("regression.svm", 2000, 7));
  Rng rng(8);
  for (Index i = 0; i < data.x.rows(); ++i) {
    double t = 150.0 + 5.0 * rng.Normal();
    for (int64_t k = data.x.row_ptr[static_cast<size_t>(i)]; k < data.x.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
      const int32_t id = data.x.ids[static_cast<size_t>(k)];
      if (id == 0) t += 20.0;
      if (id == 1) t -= 20.0;
    }
    data.y[static_cast<size_t>(i)] = static_cast<float>(t);
  }
  LinearModelConfig config;
  config.loss = "mean_squared_error";
  LinearModel model(kFeatures, config);
  Convergence convergence;
  TrainLinear(model, data.x, data.y, Options(32, 0, 20), {}, &convergence);
  const LinearEvaluation e = EvaluateLinear(model, data.x, data.y);
  EXPECT_LT(e.rmse, 7.0);  // the noise: 5; the targets' own spread: about 10
  EXPECT_NEAR(model.Bias(), 150.0, 3.0);
  EXPECT_NEAR(model.Weight(0), 20.0, 3.0);
  EXPECT_NEAR(model.Weight(1), -20.0, 3.0);
  EXPECT_TRUE(convergence.converged) << convergence.reason;
  EXPECT_EQ(convergence.iterations, model.steps());
}

TEST(TrainLinearTest, OnlineConvergenceWatchesTheLastTenthOfTheSteps) {
  std::vector<float> falling(100), flat(100, 1.0f);
  for (size_t i = 0; i < falling.size(); ++i) falling[i] = 1.0f / static_cast<float>(i + 1);
  const Convergence still_falling = OnlineConvergence(falling);
  EXPECT_FALSE(still_falling.converged);
  EXPECT_EQ(still_falling.iterations, 100);
  EXPECT_GT(still_falling.change, 0.03);
  EXPECT_NE(still_falling.reason.find("of 100 steps (steps or passes)"), std::string::npos) << still_falling.reason;
  EXPECT_TRUE(OnlineConvergence(flat).converged);
  EXPECT_TRUE(OnlineConvergence({2.0f}).converged);  // one step: nothing to compare
}

// Passes 0 (the default): pass after pass until the mean loss of a pass stops falling. Batch 0 (the
// default): rows / 16 in memory, so a small table gets 16 steps a pass.
TEST(TrainLinearTest, MemoryTrainsUntilConvergedByDefault) {
  const Loaded data = Load(PlantedFile("train.svm", 1000, 3));
  LinearTrainOptions o;
  EXPECT_EQ(LinearBatchSize(o, 1000), 63);  // ceil(1000 / 16)
  EXPECT_EQ(LinearBatchSize(o, 100000), 256);
  EXPECT_EQ(LinearBatchSize(o, 3), 1);
  EXPECT_EQ(LinearBatchSize(o, -1), 256);  // a stream
  LinearModel model(kFeatures, {});
  Convergence c;
  const int64_t steps = TrainLinear(model, data.x, data.y, o, {}, &c);
  const int64_t per_pass = 16;  // ceil(1000 / 63)
  EXPECT_EQ(steps % per_pass, 0) << "stops at a pass boundary";
  EXPECT_GE(steps, (o.patience + 1) * per_pass);  // the patience passes after the best one at least
  EXPECT_LT(steps, o.max_passes * per_pass);
  EXPECT_TRUE(c.converged) << c.reason;
  EXPECT_EQ(c.iterations, steps);

  // Capped at max_passes: not converged, and the reason says what to change.
  LinearModel capped(kFeatures, {});
  o.max_passes = 2;
  EXPECT_EQ(TrainLinear(capped, data.x, data.y, o, {}, &c), 2 * per_pass);
  EXPECT_FALSE(c.converged);
  EXPECT_NE(c.reason.find("2 passes"), std::string::npos) << c.reason;

  // A stream takes one pass.
  LibsvmStream stream(PlantedFile("stream.svm", 1000, 3), kFeatures, {}, {}, InOrder());
  LinearModel streamed(kFeatures, {});
  EXPECT_EQ(TrainLinear(streamed, stream, LinearTrainOptions{}), 4);  // ceil(1000 / 256)
}

// A constant target is fitted at once (centred), and a loss at about zero converges instead of running
// out of passes on relative changes that mean nothing.
TEST(TrainLinearTest, ConstantTargetsConvergeAtOnce) {
  SparseRows x;
  x.cols = 1;
  std::vector<float> y;
  for (int i = 0; i < 4; ++i) {
    x.ids.push_back(0);
    x.values.push_back(static_cast<float>(i));
    x.EndRow();
    y.push_back(3.0f);
  }
  LinearModelConfig config;
  config.loss = "mean_squared_error";
  LinearModel model(1, config);
  Convergence c;
  const int64_t steps = TrainLinear(model, x, y, LinearTrainOptions{}, {}, &c);
  EXPECT_TRUE(c.converged) << c.reason;
  EXPECT_LT(steps, 100 * 4);
  EXPECT_NEAR(model.Predict(x)(2, 0), 3.0f, 1e-4f);
}

}  // namespace
}  // namespace lever
