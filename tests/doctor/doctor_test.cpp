// The doctor's rules on records built by hand: each planted symptom gives its finding first, with the
// numbers in the evidence and the knob's value worked out; a healthy record gives none.
#include "lever/doctor/doctor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "lever/doctor/record_file.h"
#include "lever/error.h"
#include "lever/io/state.h"
#include "testing/files.h"

namespace lever {
namespace {

using testing::ErrorOf;

// A loss falling from 0.7 towards `floor` over `steps` steps, evaluated ten times.
DoctorRecord Falling(int steps, double floor) {
  DoctorRecord r;
  r.facts.optimizer = "adam";
  r.facts.learning_rate = 0.01;
  r.facts.batch_size = 10;
  r.facts.max_steps = steps;
  r.facts.activation = "tanh";
  r.facts.hidden = {8, 8};
  for (int i = 0; i < steps; ++i)
    r.step_losses.push_back(static_cast<float>(floor + (0.7 - floor) * std::exp(-i / 100.0)));
  for (int e = 1; e <= 10; ++e) {
    const double loss = floor + (0.7 - floor) * std::exp(-e * steps / 1000.0);
    r.evaluations.push_back({.step = e * steps / 10,
                             .train_loss = loss,
                             .validation_loss = loss * 1.05,
                             .train_accuracy = 0.99,
                             .validation_accuracy = 0.98});
  }
  return r;
}

// A statistics sample with two tanh layers, the kernels' gradient norms and update ratios given.
TrainingStatistics Sample(int64_t step, double first_gradient, double last_gradient, double update_ratio) {
  TrainingStatistics s;
  s.step = step;
  s.data_loss = 0.3;
  s.gradient_global_norm = last_gradient;
  s.kernel_weights = 88;
  s.nonzero_weights = 88;
  s.parameters = {{.name = "dense/kernel",
                   .weight_norm = 2,
                   .gradient_norm = first_gradient,
                   .update_ratio = update_ratio,
                   .size = 16},
                  {.name = "dense_1/kernel",
                   .weight_norm = 2,
                   .gradient_norm = last_gradient,
                   .update_ratio = update_ratio,
                   .size = 64},
                  {.name = "dense_2/kernel",
                   .weight_norm = 1,
                   .gradient_norm = last_gradient,
                   .update_ratio = update_ratio,
                   .size = 8}};
  s.activations = {{.layer = "dense", .activation = "tanh", .saturates = true},
                   {.layer = "dense_1", .activation = "tanh", .saturates = true}};
  return s;
}

// Samples at `steps` whose two tanh layers have `saturated_fraction` of their outputs saturated.
std::vector<TrainingStatistics> SaturatedSamples(std::initializer_list<int64_t> steps, double saturated_fraction) {
  std::vector<TrainingStatistics> out;
  for (const int64_t step : steps) {
    out.push_back(Sample(step, 0.1, 0.2, 1e-3));
    for (ActivationStatistics& a : out.back().activations) a.saturated_fraction = saturated_fraction;
  }
  return out;
}

std::vector<Finding> Diagnose(const DoctorRecord& record) {
  Doctor doctor(record.facts);
  // Replay the record through the hook interface, as training would.
  class NoLearner : public Learner {
   public:
    int64_t global_step() const override { return 0; }
    ParameterList Variables() const override { return {}; }
  } learner;
  for (size_t i = 0; i < record.step_losses.size(); ++i) {
    doctor.AfterStep(learner, {.step = static_cast<int64_t>(i + 1), .loss = record.step_losses[i]});
  }
  for (const TrainingStatistics& s : record.statistics) doctor.AfterStatistics(learner, s);
  for (const DoctorEvaluation& e : record.evaluations) {
    doctor.AfterEvaluation(learner, {.step = e.step,
                                     .name = "evaluation",
                                     .metrics = {{"train_loss", e.train_loss},
                                                 {"validation_loss", e.validation_loss},
                                                 {"train_accuracy", e.train_accuracy},
                                                 {"validation_accuracy", e.validation_accuracy}}});
  }
  if (record.diverged) doctor.Diverged(record.diverged_at);
  doctor.SetConverged(record.converged);
  return doctor.Diagnose();
}

TEST(DoctorTest, AHealthyRunHasNoFinding) {
  DoctorRecord r = Falling(3000, 0.01);
  for (int64_t step = 150; step <= 3000; step += 150) r.statistics.push_back(Sample(step, 0.1, 0.2, 1e-3));
  EXPECT_TRUE(Diagnose(r).empty());
  Doctor doctor(r.facts);
  EXPECT_NE(doctor.HealthySummary().find("look healthy"), std::string::npos);
}

TEST(DoctorTest, DivergenceIsTheLearningRateAndTheKnobIsATenthOfIt) {
  DoctorRecord r = Falling(40, 0.1);
  r.facts.optimizer = "sgd";
  r.facts.learning_rate = 3;
  r.diverged = true;
  r.diverged_at = 41;
  const std::vector<Finding> f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "learning_rate_too_high");
  // A tenth of 3 is still above SGD's high mark of 0.5: a fifth of the mark, SGD's usual range, instead.
  EXPECT_EQ(f[0].knob, "--learning-rate 0.1");
  EXPECT_EQ(f[0].alternatives, "--clip-norm 1");
  EXPECT_NE(f[0].evidence.find("step 41 (sgd at 3)"), std::string::npos) << f[0].evidence;
  EXPECT_EQ(f[0].step, 41);
  // A rate that is not high for its optimizer is divided by 10.
  r.facts.learning_rate = 0.4;
  const std::vector<Finding> g = Diagnose(r);
  ASSERT_FALSE(g.empty());
  EXPECT_EQ(g[0].knob, "--learning-rate 0.04");
  r.facts.optimizer = "adam";
  r.facts.learning_rate = 0.3;
  const std::vector<Finding> h = Diagnose(r);
  ASSERT_FALSE(h.empty());
  EXPECT_EQ(h[0].knob, "--learning-rate 0.01");
}

TEST(DoctorTest, ARisingLossIsTheLearningRate) {
  DoctorRecord r = Falling(1000, 0.1);
  for (size_t i = 0; i < r.step_losses.size(); ++i) r.step_losses[i] = 0.5f + 0.001f * static_cast<float>(i);
  const std::vector<Finding> f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "learning_rate_too_high");
  EXPECT_EQ(f[0].knob, "--learning-rate 0.001");
}

TEST(DoctorTest, TinyUpdatesAndAFlatLossAreATooLowRate) {
  DoctorRecord r = Falling(3000, 0.65);  // fell only 7%
  r.facts.learning_rate = 1e-5;
  for (int64_t step = 150; step <= 3000; step += 150) r.statistics.push_back(Sample(step, 0.1, 0.2, 5e-5));
  const std::vector<Finding> f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "learning_rate_too_low");
  EXPECT_EQ(f[0].knob, "--learning-rate 0.001");  // 1e-3 / 5e-5 = 20: a hundredfold
  EXPECT_NE(f[0].evidence.find("5.0e-05 of the weights per step"), std::string::npos) << f[0].evidence;
  // Updates of 1e-6 of the weights: still a hundredfold rate in one round, no more.
  for (TrainingStatistics& s : r.statistics) {
    for (ParameterStatistics& p : s.parameters) p.update_ratio = 1e-6;
  }
  const std::vector<Finding> g = Diagnose(r);
  ASSERT_FALSE(g.empty());
  EXPECT_EQ(g[0].knob, "--learning-rate 0.001");
  // Updates of 2e-4 are not tiny: a loss that fell 7% and creeps is a rate ten times too low.
  for (TrainingStatistics& s : r.statistics) {
    for (ParameterStatistics& p : s.parameters) p.update_ratio = 2e-4;
  }
  const std::vector<Finding> h = Diagnose(r);
  ASSERT_FALSE(h.empty());
  EXPECT_EQ(h[0].id, "learning_rate_too_low");
  EXPECT_EQ(h[0].knob, "--learning-rate 0.0001");
}

TEST(DoctorTest, AStillFallingLossIsNotConverged) {
  DoctorRecord r = Falling(300, 0.01);  // the loss has fallen to about 0.04 of 0.7: 94%
  for (auto& e : r.evaluations) e.train_accuracy = 0.9;
  r.converged = false;
  const std::vector<Finding> f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "not_converged");
  EXPECT_EQ(f[0].knob, "--steps 900");
  // Near a loss of 0 (it fell 95% or more), or fitting every training example, more steps do not matter.
  r.evaluations.back().train_accuracy = 1.0;
  EXPECT_TRUE(Diagnose(r).empty());
}

// A 2-8-8-1 net (88 kernel weights) on 250 examples still creeping down at train accuracy 0.88.
DoctorRecord SmallNetwork() {
  DoctorRecord r = Falling(3000, 0.25);
  for (auto& e : r.evaluations) e.train_accuracy = 0.88;
  r.facts.train_rows = 250;
  for (size_t i = 2000; i < r.step_losses.size(); ++i) r.step_losses[i] -= 1e-4f * static_cast<float>(i - 2000);
  for (int64_t step = 300; step <= 3000; step += 300) r.statistics.push_back(Sample(step, 0.1, 0.2, 1e-3));
  r.converged = false;
  return r;
}

TEST(DoctorTest, ASmallNetworkThatStillCreepsIsWidened) {
  DoctorRecord r = SmallNetwork();
  const std::vector<Finding> f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "not_converged");
  EXPECT_EQ(f[0].knob, "--hidden 16,16");
  EXPECT_EQ(f[0].alternatives, "--steps 9000");
  EXPECT_NE(f[0].evidence.find("with 88 weights for 250 training examples"), std::string::npos) << f[0].evidence;
  // As many weights as examples, or a network that fits 95% of them: more steps.
  r.facts.train_rows = 80;
  EXPECT_EQ(Diagnose(r).at(0).knob, "--steps 9000");
  r.facts.train_rows = 250;
  for (auto& e : r.evaluations) e.train_accuracy = 0.96;
  EXPECT_EQ(Diagnose(r).at(0).knob, "--steps 9000");
}

TEST(DoctorTest, BatchesOfOneExampleAreTheFirstThingToGrow) {
  DoctorRecord r = SmallNetwork();
  r.facts.batch_size = 1;
  const std::vector<Finding> f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "not_converged");
  EXPECT_EQ(f[0].knob, "--batch-size 10");
  EXPECT_NE(f[0].evidence.find("the run saw 3000 examples, 12 passes over the data"), std::string::npos)
      << f[0].evidence;
  r.facts.batch_size = 8;
  EXPECT_EQ(Diagnose(r).at(0).knob, "--hidden 16,16");
}

TEST(DoctorTest, VanishingGradientsInADeepSigmoidStack) {
  DoctorRecord r = Falling(3000, 0.6);
  r.facts.activation = "sigmoid";
  r.facts.optimizer = "sgd";
  r.facts.learning_rate = 0.1;
  r.facts.hidden = {8, 8, 8, 8, 8, 8};
  for (int64_t step = 150; step <= 3000; step += 150) r.statistics.push_back(Sample(step, 1e-6, 0.1, 1e-3));
  const std::vector<Finding> f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "vanishing_gradients");
  EXPECT_EQ(f[0].knob, "--activation relu");
  EXPECT_NE(f[0].evidence.find("1.0e-05 of the last layer's"), std::string::npos) << f[0].evidence;
}

TEST(DoctorTest, DeadReluNamesTheLayerAndTheShareOfUnits) {
  DoctorRecord r = Falling(3000, 0.6);
  r.facts.activation = "relu";
  r.facts.optimizer = "sgd";
  r.facts.learning_rate = 3;
  for (int64_t step = 150; step <= 3000; step += 150) {
    TrainingStatistics s = Sample(step, 0.1, 0.2, 1e-3);
    s.activations = {{.layer = "dense", .activation = "relu", .dead_fraction = 0.25},
                     {.layer = "dense_1", .activation = "relu", .dead_fraction = step >= 2700 ? 0.875 : 0.5}};
    r.statistics.push_back(s);
  }
  const std::vector<Finding> f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "dead_relu");
  EXPECT_EQ(f[0].knob, "--learning-rate 0.1");  // sgd at 3 is a high rate: lower it first, to SGD's range
  EXPECT_NE(f[0].evidence.find("layer dense_1: 88% of units"), std::string::npos) << f[0].evidence;
  EXPECT_EQ(f[0].step, 2700);
}

TEST(DoctorTest, ReluUnitsDeadWithWeightsThatStartedAllEqualBlameTheInitializer) {
  DoctorRecord r = Falling(3000, 0.6);
  r.facts.activation = "relu";
  r.facts.initializer = "zeros";
  for (int64_t step : {1, 300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700, 3000}) {
    TrainingStatistics s = Sample(step, 0.1, 0.2, 1e-3);
    s.activations = {{.layer = "dense", .activation = "relu", .dead_fraction = 1.0},
                     {.layer = "dense_1", .activation = "relu", .dead_fraction = 1.0}};
    r.statistics.push_back(s);
  }
  const std::vector<Finding> f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "dead_relu");
  EXPECT_EQ(f[0].knob, "--initializer he_uniform");
  EXPECT_NE(f[0].evidence.find("from step 1 on, with weights that started all 0 (initializer zeros)"),
            std::string::npos)
      << f[0].evidence;
  // Glorot's weights: the activation, as before.
  r.facts.initializer = "glorot_uniform";
  EXPECT_EQ(Diagnose(r).at(0).knob, "--activation leaky_relu");
}

TEST(DoctorTest, GradientsExplodingFromWeightsOfOneBlameTheInitializer) {
  DoctorRecord r = Falling(3000, 0.6);
  r.facts.activation = "relu";
  r.facts.optimizer = "sgd";
  r.facts.hidden = {32, 32, 32, 32};
  r.facts.initializer = "ones";
  r.diverged = true;
  r.diverged_at = 3;
  const std::vector<Finding> f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "exploding_gradients");
  EXPECT_EQ(f[0].knob, "--initializer he_uniform");
  EXPECT_EQ(f[0].alternatives, "--clip-norm 1, --batch-norm, --learning-rate 0.001");
  r.facts.initializer = "he_uniform";
  EXPECT_EQ(Diagnose(r).at(0).knob, "--clip-norm 1");
}

TEST(DoctorTest, OverfittingNeedsTheTestLossToTurnUpAndTheGapToMatter) {
  DoctorRecord r = Falling(3000, 0.01);
  for (size_t i = 0; i < r.evaluations.size(); ++i) {
    DoctorEvaluation& e = r.evaluations[i];
    e.train_loss = 0.5 / static_cast<double>(i + 1);
    e.validation_loss = i < 3 ? 0.6 - 0.1 * static_cast<double>(i) : 0.4 + 0.1 * static_cast<double>(i - 2);
    e.train_accuracy = 1.0;
    e.validation_accuracy = 0.8;
  }
  std::vector<Finding> f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "overfitting");
  EXPECT_EQ(f[0].knob, "--l2 0.001");
  EXPECT_EQ(f[0].step, 900);  // the best test loss: where to stop
  // The same accuracy and a test loss that turns up but stays within 5 times the training loss: no alarm.
  for (DoctorEvaluation& e : r.evaluations) {
    e.validation_accuracy = 0.99;
    e.validation_loss *= 0.15;
  }
  EXPECT_TRUE(Diagnose(r).empty());
  // A test loss 22 times the training loss is one, whatever the accuracy: confidently wrong.
  for (DoctorEvaluation& e : r.evaluations) e.validation_loss /= 0.15;
  f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "overfitting");
  EXPECT_NE(f[0].evidence.find("is 22 times the training loss"), std::string::npos) << f[0].evidence;
}

TEST(DoctorTest, L1ThatZeroedEveryWeightAndL2ThatFlattenedThem) {
  DoctorRecord r = Falling(3000, 0.69);
  r.facts.l1 = 1;
  for (int64_t step = 150; step <= 3000; step += 150) {
    TrainingStatistics s = Sample(step, 0.0, 0.0, 0.0);
    s.nonzero_weights = 0;
    r.statistics.push_back(s);
  }
  std::vector<Finding> f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "l1_removed_everything");
  EXPECT_EQ(f[0].knob, "--l1 0.1");

  r.facts.l1 = 0;
  r.facts.l2 = 0.5;
  for (TrainingStatistics& s : r.statistics) {
    s.nonzero_weights = 88;
    for (ParameterStatistics& p : s.parameters) p.weight_norm = 1e-4;
  }
  f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "regularization_too_strong");
  EXPECT_EQ(f[0].knob, "--l2 0.05");
}

// A loss that levels off at train accuracy 0.66: a model too weak, or, when regularized, held back by it.
TEST(DoctorTest, UnderfittingLoosensTheRegularizationBeforeGrowingTheModel) {
  DoctorRecord r = Falling(3000, 0.6);
  for (DoctorEvaluation& e : r.evaluations) e.train_accuracy = 0.66, e.validation_accuracy = 0.56;
  r.facts.classification = true;
  std::vector<Finding> f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "underfitting");
  EXPECT_EQ(f[0].knob, "--hidden 16,16,16");
  r.facts.l2 = 0.01;
  f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "underfitting");
  EXPECT_EQ(f[0].knob, "--l2 0.001");
  EXPECT_EQ(f[0].alternatives, "--hidden 16,16,16");
  EXPECT_NE(f[0].evidence.find("underfits while regularized (L1 0, L2 0.01, dropout 0)"), std::string::npos);
  r.facts.l2 = 0, r.facts.dropout = 0.4;
  f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].knob, "--dropout 0.2");
}

TEST(DoctorTest, RawInputsComeBeforeTheUnitsTheySaturate) {
  DoctorRecord r = Falling(3000, 0.6);
  r.facts.standardized = false;
  r.facts.largest_input_stddev = 551;
  r.facts.largest_input_mean = 863;
  r.statistics = SaturatedSamples({150, 600, 1200, 1800, 2400, 2700, 3000}, 0.95);
  const std::vector<Finding> f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "inputs_not_normalized");
  EXPECT_EQ(f[0].knob, "--standardize");
}

TEST(DoctorTest, UnitsSaturatedFromTheFirstStepBlameTheInitializer) {
  DoctorRecord r = Falling(3000, 0.65);
  r.facts.optimizer = "sgd";
  r.facts.initializer = "ones";
  r.statistics = SaturatedSamples({1, 300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700, 3000}, 0.97);
  const std::vector<Finding> f = Diagnose(r);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].id, "saturated_units");
  EXPECT_EQ(f[0].knob, "--initializer glorot_uniform");
  EXPECT_EQ(f[0].alternatives, "--batch-norm, --activation relu");
  EXPECT_NE(f[0].evidence.find("from the first step on (initializer ones)"), std::string::npos) << f[0].evidence;
  // Glorot's weights, or units that saturated later: the activation.
  r.facts.initializer = "glorot_uniform";
  EXPECT_EQ(Diagnose(r).at(0).knob, "--activation relu");
  r.facts.initializer = "ones";
  for (ActivationStatistics& a : r.statistics.front().activations) a.saturated_fraction = 0.1;
  EXPECT_EQ(Diagnose(r).at(0).knob, "--activation relu");
}

TEST(DoctorTest, FindingsPrintWithTheirKnobAndAsJson) {
  const Finding f{.id = "dead_relu",
                  .confidence = 0.9,
                  .evidence = "layer dense_1: 94% of units",
                  .knob = "--learning-rate 0.3",
                  .alternatives = "--activation leaky_relu, elu",
                  .step = 400};
  EXPECT_EQ(f.Text(),
            "doctor: dead_relu  layer dense_1: 94% of units\n"
            "        try: --learning-rate 0.3   (or --activation leaky_relu, elu)\n");
  EXPECT_EQ(
      f.ToJson().dump(),
      R"({"id":"dead_relu","confidence":0.9,"evidence":"layer dense_1: 94% of units","knob":"--learning-rate 0.3",)"
      R"("alternatives":"--activation leaky_relu, elu","step":400})");
  EXPECT_EQ(FindingsText({}, "fine"), "doctor: healthy  fine\n");
}

TEST(DoctorTest, KnobsBecomeRunConfigOverrides) {
  EXPECT_EQ(AsConfigOverride("--learning-rate 0.3"), "--estimator.learning_rate=0.3");
  EXPECT_EQ(AsConfigOverride("--hidden 16,16,16"), "--estimator.hidden_units=[16,16,16]");
  EXPECT_EQ(AsConfigOverride("--steps 900"), "--train.max_steps=900");
  EXPECT_EQ(AsConfigOverride("--dropout 0.3, --steps 700"), "--estimator.dropout=0.3, --train.max_steps=700");
  EXPECT_EQ(AsConfigOverride("--standardize"), "--standardize");  // no config key: kept
  EXPECT_EQ(AsConfigOverride("--activation leaky_relu, elu"), "--estimator.activation=leaky_relu, elu");
}

TEST(DoctorTest, StatisticsAreSampledTenTimesARun) {
  EXPECT_EQ(Doctor::StatisticsEvery(3000), 300);
  EXPECT_EQ(Doctor::StatisticsEvery(10), 1);
}

// doctor_record.json holds what the rules read: the diagnosis from the file equals the one from memory, and
// NaN (a diverged figure) survives as null.
TEST(DoctorTest, TheRecordFileGivesTheSameDiagnosis) {
  DoctorRecord r = Falling(3000, 0.6);
  r.facts.activation = "relu";
  r.facts.optimizer = "sgd";
  r.facts.learning_rate = 3;
  for (int64_t step = 300; step <= 3000; step += 300) {
    TrainingStatistics s = Sample(step, 0.1, 0.2, 1e-3);
    s.activations = {{.layer = "dense", .activation = "relu", .dead_fraction = 0.25},
                     {.layer = "dense_1", .activation = "relu", .dead_fraction = 0.875}};
    r.statistics.push_back(s);
  }
  r.evaluations.back().validation_accuracy = std::nan("");
  const std::string path = testing::TempPath("doctor_record.json");
  std::ofstream(path) << DoctorRecordToJson(r, true).dump();
  bool running = false;
  const DoctorRecord back = ReadDoctorRecord(path, &running);
  EXPECT_TRUE(running);
  EXPECT_EQ(back.step_losses, r.step_losses);
  EXPECT_TRUE(std::isnan(back.evaluations.back().validation_accuracy));
  const std::vector<Finding> want = DiagnoseRecord(r), got = DiagnoseRecord(back);
  ASSERT_EQ(got.size(), want.size());
  EXPECT_EQ(got[0].id, "dead_relu");
  EXPECT_EQ(got[0].evidence, want[0].evidence);

  // A long run keeps the means of runs of steps: the losses' fractions, and so the diagnosis, stay.
  DoctorRecord long_run = Falling(50000, 0.6);
  long_run.statistics = r.statistics;
  long_run.facts = r.facts;
  std::ofstream(path) << DoctorRecordToJson(long_run, false).dump();
  const DoctorRecord long_back = ReadDoctorRecord(path);
  EXPECT_EQ(long_back.step_losses.size(), 50000u);
  EXPECT_EQ(DiagnoseRecord(long_back)[0].id, DiagnoseRecord(long_run)[0].id);

  std::ofstream(path) << R"({"format": "lever.doctor_record", "format_version": 1, "facts": {"optimizer": 3}})";
  EXPECT_TRUE(testing::Contains(ErrorOf<DataError>([&] { ReadDoctorRecord(path); }),
                                "doctor_record.json: facts: \"optimizer\" is missing or not a text"));
  EXPECT_TRUE(testing::Contains(ErrorOf<IoError>([] { ReadDoctorRecord("/nonexistent/doctor_record.json"); }),
                                "no doctor record there"));
}

// A record file lever did not write is refused with the field, never converted: a format of the wrong
// type, a whole number beyond int64, sizes the rules would overflow.
TEST(DoctorTest, AForeignRecordFileIsRefusedWithTheField) {
  const std::string path = testing::TempPath("doctor_record.json");
  std::ofstream(path) << R"({"format": 1})";
  EXPECT_TRUE(testing::Contains(ErrorOf<DataError>([&] { ReadDoctorRecord(path); }), "not a lever doctor record"));
  nlohmann::ordered_json j = DoctorRecordToJson(Falling(100, 0.1), false);
  j["steps"] = 18446744073709551615ULL;
  std::ofstream(path) << j.dump();
  EXPECT_TRUE(testing::Contains(ErrorOf<DataError>([&] { ReadDoctorRecord(path); }),
                                "\"steps\" is 18446744073709551615, not a whole number of a sensible size"));
  j = DoctorRecordToJson(Falling(100, 0.1), false);
  j["facts"]["hidden"] = {8, 4611686018427387904LL};
  std::ofstream(path) << j.dump();
  EXPECT_TRUE(testing::Contains(ErrorOf<DataError>([&] { ReadDoctorRecord(path); }), "a layer of 4611686018427387904"));
  j = DoctorRecordToJson(Falling(100, 0.1), false);
  j["facts"]["batch_size"] = 0;
  std::ofstream(path) << j.dump();
  EXPECT_TRUE(
      testing::Contains(ErrorOf<DataError>([&] { ReadDoctorRecord(path); }), "\"batch_size\" is 0, outside 1.."));
  j = DoctorRecordToJson(Falling(100, 0.1), false);
  j["interrupted"] = true;
  std::ofstream(path) << j.dump();
  EXPECT_TRUE(ReadDoctorRecord(path).interrupted);
}

// An estimator's evaluations (named "eval"): the training loss is the mean batch loss since the last one.
// Evaluated again at the same step, or before any step, there is no new batch: the last training loss holds
// (none before the first step), never a 0 that would read as a huge train/test gap.
TEST(DoctorTest, AnEstimatorEvaluationWithoutNewStepsKeepsTheLastTrainingLoss) {
  DoctorFacts facts;
  facts.config_job = true;
  Doctor doctor(facts);
  class NoLearner : public Learner {
   public:
    int64_t global_step() const override { return 0; }
    ParameterList Variables() const override { return {}; }
  } learner;
  doctor.AfterEvaluation(learner, {.step = 0, .name = "eval", .metrics = {{"loss", 0.7}}});
  EXPECT_TRUE(std::isnan(doctor.record().evaluations.back().train_loss));
  for (int step = 1; step <= 100; ++step) doctor.AfterStep(learner, {.step = step, .loss = step <= 50 ? 0.6 : 0.4});
  doctor.AfterEvaluation(learner, {.step = 100, .name = "eval", .metrics = {{"loss", 0.45}}});
  EXPECT_NEAR(doctor.record().evaluations.back().train_loss, 0.5, 1e-6);
  doctor.AfterEvaluation(learner, {.step = 100, .name = "eval", .metrics = {{"loss", 0.45}}});
  EXPECT_NEAR(doctor.record().evaluations.back().train_loss, 0.5, 1e-6);
  for (const Finding& f : doctor.Diagnose()) EXPECT_NE(f.id, "overfitting") << f.evidence;
}

// A checkpoint holds what the doctor watched: a doctor given it back continues the same record.
TEST(DoctorTest, TheRecordTravelsInTheCheckpoint) {
  class NoLearner : public Learner {
   public:
    int64_t global_step() const override { return 0; }
    ParameterList Variables() const override { return {}; }
  } learner;
  DoctorFacts facts;
  Doctor first(facts);
  for (int step = 1; step <= 30; ++step) first.AfterStep(learner, {.step = step, .loss = 1.0 / step});
  first.AfterEvaluation(learner, {.step = (int64_t{1} << 24) + 3, .name = "eval", .metrics = {{"loss", 0.2}}});
  TrainingStatistics sample = Sample(30, 0.5, 0.25, 1e-3);
  sample.parameters[0].name = "dnn/dense/kernel \"quoted\" é";  // any text survives the byte encoding
  first.AfterStatistics(learner, sample);
  MemoryState state;
  first.SaveState(learner, state);
  Doctor resumed(facts);
  resumed.LoadState(learner, state);
  EXPECT_EQ(resumed.record().step_losses, first.record().step_losses);
  ASSERT_EQ(resumed.record().evaluations.size(), 1u);
  EXPECT_EQ(resumed.record().evaluations[0].step, (int64_t{1} << 24) + 3);  // exact beyond float's 2^24
  EXPECT_NEAR(resumed.record().evaluations[0].validation_loss, 0.2, 1e-7);
  EXPECT_TRUE(std::isnan(resumed.record().evaluations[0].train_accuracy));
  ASSERT_EQ(resumed.record().statistics.size(), 1u);  // an estimator samples statistics too
  EXPECT_EQ(resumed.record().statistics[0].step, 30);
  EXPECT_EQ(resumed.record().statistics[0].parameters[0].name, sample.parameters[0].name);
  EXPECT_EQ(resumed.record().statistics[0].parameters[1].gradient_norm, 0.25);
  EXPECT_EQ(resumed.record().statistics[0].activations.size(), 2u);
  // A damaged byte is a damaged checkpoint.
  Tensor bytes = state.ReadTensor("hooks/doctor/statistics_json");
  bytes(0, 0) = 300;
  state.WriteTensor("hooks/doctor/statistics_json", bytes);
  EXPECT_THROW(Doctor(facts).LoadState(learner, state), IoError);
  // A checkpoint saved without the doctor leaves it as it is.
  Doctor fresh(facts);
  fresh.LoadState(learner, MemoryState());
  EXPECT_TRUE(fresh.record().step_losses.empty());
}

// The doctor does not suggest a knob the run already has.
TEST(DoctorTest, AKnobThatIsOnIsNotSuggested) {
  DoctorRecord r = Falling(1000, 0.6);
  r.facts.standardized = false;
  r.facts.largest_input_stddev = 500;
  r.facts.batch_norm = true;
  const std::vector<Finding> findings = DiagnoseRecord(r);
  ASSERT_FALSE(findings.empty());
  for (const Finding& f : findings) {
    EXPECT_EQ(f.knob.find("--batch-norm"), std::string::npos) << f.id;
    EXPECT_EQ(f.alternatives.find("--batch-norm"), std::string::npos) << f.id;
  }
}

}  // namespace
}  // namespace lever
