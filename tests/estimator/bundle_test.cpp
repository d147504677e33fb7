#include "lever/estimator/bundle.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "lever/checkpoint/checkpoint_manager.h"
#include "lever/error.h"
#include "lever/estimator/job.h"
#include "lever/io/crc32c.h"
#include "testing/files.h"

namespace lever {
namespace {

namespace fs = std::filesystem;
using testing::Contains;
using testing::ErrorOf;

// A directory of its own per test: click-style data with the label between the feature columns, a
// vocabulary file and a wide-and-deep run config that uses it.
class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("lever_bundle_" + std::to_string(getpid()) + "_" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
    std::mt19937 rng(5);
    std::normal_distribution<double> noise(0.0, 1.0);
    const char* devices[] = {"mobile", "desktop", "tablet"};
    for (const auto& [name, rows] : {std::pair<std::string, int>{"train", 3000}, {"test", 600}}) {
      std::ofstream out(dir_ / "data" / (name + ".csv"));
      out << "city,clicked,device,price\n";
      for (int i = 0; i < rows; ++i) {
        const int city = static_cast<int>(rng() % 12), device = static_cast<int>(rng() % 3);
        const double price = 20 + 5 * noise(rng);
        const double logit = (city % 3 == device ? 1.5 : -0.5) - 0.1 * (price - 20) + 0.5 * noise(rng);
        out << "c" << city << "," << (logit > 0 ? 1 : 0) << "," << devices[device] << "," << price << "\n";
      }
    }
    std::ofstream(dir_ / "data" / "devices.txt") << "mobile\ndesktop\ntablet\n";
    std::ofstream(dir_ / "run.yaml") << R"(data: {train: data/train.csv, eval: data/test.csv, label: clicked}
estimator: {type: wide_and_deep, hidden_units: [8], optimizer: adam, learning_rate: 0.01}
wide_columns:
  - categorical: {key: city, hash_buckets: 32}
  - crossed: {keys: [city, device], hash_buckets: 256}
deep_columns:
  - numeric: price
  - embedding: {categorical: {key: device, vocabulary_file: data/devices.txt}, dimension: 2}
  - embedding: {categorical: {key: city, hash_buckets: 32}, dimension: 3}
train: {max_steps: 300, batch_size: 64}
eval: {every_steps: 100}
run: {model_dir: model, save_checkpoints_steps: 100}
)";
  }
  void TearDown() override { fs::remove_all(dir_); }

  Job TrainedJob() {
    Job job = PrepareJob(LoadJobConfig((dir_ / "run.yaml").string()));
    TrainAndEvaluate(*job.estimator, job.TrainExamples(), job.Read(job.config.eval, true), job.config.train_spec,
                     job.config.eval_spec);
    return job;
  }

  fs::path dir_;
};

TEST_F(BundleTest, PredictsAsTheTrainedModelDoesWithoutTheTrainingFiles) {
  Job job = TrainedJob();
  const Tensor expected = job.estimator->Predict(job.Read((dir_ / "data" / "test.csv").string(), false));
  ExportBundle(job, (dir_ / "bundle").string(), {{"auc", 0.75}});
  // Moved away, with the training data, the vocabulary file and the model directory gone.
  fs::copy(dir_ / "data" / "test.csv", dir_ / "new.csv");
  fs::rename(dir_ / "bundle", dir_ / "moved");
  fs::remove_all(dir_ / "data");
  fs::remove_all(dir_ / "model");
  const Job served = LoadBundle((dir_ / "moved").string());
  EXPECT_EQ(served.HeadKind(), "binary");
  EXPECT_EQ(served.train.num_rows, 0);
  const Tensor p = served.estimator->Predict(served.Read((dir_ / "new.csv").string(), false));
  ASSERT_EQ(p.rows(), expected.rows());
  EXPECT_EQ((p - expected).cwiseAbs().maxCoeff(), 0.0f);  // bit for bit: the same variables and statistics
  EXPECT_EQ(served.estimator->global_step(), 300);

  const nlohmann::json m = ReadBundleManifest((dir_ / "moved").string());
  EXPECT_EQ(m["global_step"], 300);
  EXPECT_EQ(m["head"], "binary");
  EXPECT_EQ(m["metrics"]["auc"], 0.75);
  EXPECT_EQ(m["outputs"], nlohmann::json({"probability", "class"}));
  ASSERT_EQ(m["inputs"].size(), 3u);  // every column but the label
  EXPECT_EQ(m["inputs"][1]["name"], "device");
  EXPECT_TRUE(m["files"].contains("assets/devices.txt"));
}

TEST_F(BundleTest, ExportFromTheNewestCheckpointEqualsTheLiveExport) {
  Job job = TrainedJob();
  ExportBundle(job, (dir_ / "live").string());
  Job fresh = PrepareJob(LoadJobConfig((dir_ / "run.yaml").string()));  // never ran: no variables yet
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { ExportBundle(fresh, (dir_ / "x").string()); }), "no variables yet"));
  EXPECT_EQ(ExportBundleFromCheckpoint(fresh, (dir_ / "from_checkpoint").string()), 300);
  const std::string test = (dir_ / "data" / "test.csv").string();
  const Job a = LoadBundle((dir_ / "live").string()), b = LoadBundle((dir_ / "from_checkpoint").string());
  const Tensor pa = a.estimator->Predict(a.Read(test, false)), pb = b.estimator->Predict(b.Read(test, false));
  EXPECT_EQ((pa - pb).cwiseAbs().maxCoeff(), 0.0f);
  // Evaluation through a bundle reads labels as training did.
  const auto metrics = b.estimator->Evaluate(b.Read(test, true));
  EXPECT_GT(metrics.at("auc"), 0.8);
}

TEST_F(BundleTest, DamageIsFoundAndNamed) {
  Job job = TrainedJob();
  const fs::path bundle = dir_ / "bundle";
  ExportBundle(job, bundle.string());
  {
    std::fstream f(bundle / "config.yaml", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.put('#');
  }
  std::string message = ErrorOf<IoError>([&] { LoadBundle(bundle.string()); });
  EXPECT_TRUE(Contains(message, "config.yaml"));
  EXPECT_TRUE(Contains(message, "damaged"));

  ExportBundle(job, bundle.string());  // a fresh copy replaces the damaged one
  EXPECT_NO_THROW(LoadBundle(bundle.string()));
  const fs::path tensors = bundle / "variables" / "ckpt-300.safetensors";
  fs::resize_file(tensors, fs::file_size(tensors) - 8);
  message = ErrorOf<IoError>([&] { LoadBundle(bundle.string()); });
  EXPECT_TRUE(Contains(message, "ckpt-300"));

  ExportBundle(job, bundle.string());
  std::string text;
  {
    std::ifstream in(bundle / "bundle.json");
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  text.replace(text.find("\"format_version\": 1"), 19, "\"format_version\": 9");
  std::ofstream(bundle / "bundle.json") << text;
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { LoadBundle(bundle.string()); }), "reads version 1"));

  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { LoadBundle((dir_ / "model").string()); }), "not a lever bundle"));
}

// A bundle comes from whoever sent it: its manifest and config name only its own files, and nothing it
// lists is read from outside it, from a device or a FIFO (which would never end), or beyond a size limit.
TEST_F(BundleTest, ReadsNothingOutsideItself) {
  Job job = TrainedJob();
  const fs::path good = dir_ / "good";
  ExportBundle(job, good.string());
  std::ofstream(dir_ / "outside.txt") << "mobile\ndesktop\ntablet\n";
  int copies = 0;
  const auto copy = [&] {
    const fs::path bundle = dir_ / ("tampered" + std::to_string(++copies));
    fs::copy(good, bundle, fs::copy_options::recursive);
    return bundle;
  };
  const auto read_manifest = [](const fs::path& bundle) {
    std::ifstream in(bundle / "bundle.json");
    return nlohmann::json::parse(in);
  };
  const auto write_manifest = [](const fs::path& bundle, const nlohmann::json& m) {
    std::ofstream(bundle / "bundle.json") << m.dump(2);
  };
  const auto refused = [&](const fs::path& bundle, const std::string& expected) {
    const std::string message = ErrorOf<IoError>([&] { LoadBundle(bundle.string()); });
    EXPECT_TRUE(Contains(message, expected)) << message;
  };

  // Manifest entries: absolute, "..", through a symbolic link, a device.
  for (const std::string& name : {std::string("/dev/zero"), std::string("../outside.txt"),
                                  std::string("assets/../../outside.txt"), std::string("./config.yaml")}) {
    const fs::path bundle = copy();
    nlohmann::json m = read_manifest(bundle);
    m["files"][name] = {{"bytes", 22}, {"crc32c", Crc32c("mobile\ndesktop\ntablet\n")}};
    write_manifest(bundle, m);
    refused(bundle, "'" + name + "' is not a plain path inside the bundle (no absolute paths, no . or .. parts)");
  }
  fs::path bundle = copy();
  fs::remove(bundle / "assets" / "devices.txt");
  fs::create_symlink(dir_ / "outside.txt", bundle / "assets" / "devices.txt");
  refused(bundle, "assets/devices.txt: leads outside the bundle (a symbolic link?)");
  bundle = copy();
  fs::remove(bundle / "schema.yaml");
  fs::create_symlink("/dev/zero", bundle / "schema.yaml");
  refused(bundle, "schema.yaml: leads outside the bundle");
  bundle = copy();
  fs::remove(bundle / "schema.yaml");
  ASSERT_EQ(mkfifo((bundle / "schema.yaml").c_str(), 0600), 0);
  refused(bundle, "schema.yaml: not a regular file");
  // A symbolic link inside the bundle is still a link: the file itself must be there.
  bundle = copy();
  fs::remove(bundle / "schema.yaml");
  fs::create_symlink("config.yaml", bundle / "schema.yaml");
  refused(bundle, "schema.yaml: cannot read: Too many levels of symbolic links (a symbolic link");
  // The manifest itself, and the checkpoint in variables/.
  bundle = copy();
  fs::remove(bundle / "bundle.json");
  fs::create_symlink("/dev/zero", bundle / "bundle.json");
  refused(bundle, "bundle.json: cannot read");
  bundle = copy();
  fs::remove(bundle / "variables" / "ckpt-300.json");
  fs::create_symlink("/dev/zero", bundle / "variables" / "ckpt-300.json");
  refused(bundle, "ckpt-300.json: not a regular file");
  bundle = copy();
  fs::remove_all(bundle / "variables");
  fs::create_directory_symlink(dir_ / "model", bundle / "variables");
  refused(bundle, "variables: leads outside the bundle");
  // A size beyond the manifest's is found before the file is read.
  bundle = copy();
  fs::resize_file(bundle / "config.yaml", 3 << 20);
  refused(bundle, "config.yaml: is 3145728 bytes, more than the " +
                      std::to_string(read_manifest(good)["files"]["config.yaml"]["bytes"].get<int>()) +
                      " bytes bundle.json lists for it");

  // vocabulary_file in config.yaml: only the bundle's own verified files (even with a matching checksum).
  for (const std::string& vocabulary :
       {(dir_ / "outside.txt").string(), std::string("../outside.txt"), std::string("assets/missing.txt")}) {
    bundle = copy();
    std::string config;
    {
      std::ifstream in(bundle / "config.yaml");
      config.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const size_t at = config.find("assets/devices.txt");
    ASSERT_NE(at, std::string::npos) << config;
    config.replace(at, std::string("assets/devices.txt").size(), vocabulary);
    std::ofstream(bundle / "config.yaml") << config;
    nlohmann::json m = read_manifest(bundle);
    m["files"]["config.yaml"] = {{"bytes", config.size()}, {"crc32c", Crc32c(config)}};
    write_manifest(bundle, m);
    refused(bundle, vocabulary[0] == '/' || vocabulary[0] == '.'
                        ? "'" + vocabulary + "' is not a plain path inside the bundle"
                        : "vocabulary_file 'assets/missing.txt' is not one of the files bundle.json lists");
  }
  EXPECT_NO_THROW(LoadBundle(good.string()));
}

TEST_F(BundleTest, RefusesToOverwriteWhatIsNotABundleAndLeavesNoTemporaries) {
  Job job = TrainedJob();
  fs::create_directories(dir_ / "out");
  std::ofstream(dir_ / "out" / "notes.txt") << "keep me";
  EXPECT_TRUE(
      Contains(ErrorOf<ConfigError>([&] { ExportBundle(job, (dir_ / "out").string()); }), "is not a lever bundle"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "notes.txt"));
  ExportBundle(job, (dir_ / "b").string());
  ExportBundle(job, (dir_ / "b").string());                 // replaced in place
  std::ofstream(dir_ / "b" / "predictions.csv") << "mine";  // a user's file inside a bundle: not replaced
  EXPECT_THROW(ExportBundle(job, (dir_ / "b").string()), ConfigError);
  EXPECT_TRUE(fs::exists(dir_ / "b" / "predictions.csv"));
  EXPECT_THROW(ExportBundle(job, "."), ConfigError);
  fs::remove(dir_ / "b" / "predictions.csv");
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename().string().find(".b."), std::string::npos) << entry.path();
  }
  EXPECT_NO_THROW(LoadBundle((dir_ / "b").string()));
}

TEST_F(BundleTest, ExporterStrategiesAndResumedComparison) {
  Job job = TrainedJob();
  const std::string base = (dir_ / "export" / "best").string();
  auto steps = [&] {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(base)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  };
  BundleExporter best(job, base, BundleExporter::Strategy::kBest, "loss", false, 2);
  Estimator& estimator = *job.estimator;
  best.Export(estimator, {100, "eval", {{"loss", 0.5}}}, false);
  best.Export(estimator, {200, "eval", {{"loss", 0.6}}}, false);  // worse: not exported
  best.Export(estimator, {300, "eval", {{"loss", 0.4}}}, false);
  best.Export(estimator, {400, "eval", {{"loss", 0.3}}}, true);
  EXPECT_EQ(steps(), (std::vector<std::string>{"300", "400"}));  // keep 2
  // A resumed run compares with what the earlier exports reached.
  BundleExporter resumed(job, base, BundleExporter::Strategy::kBest, "loss", false, 2);
  resumed.Export(estimator, {500, "eval", {{"loss", 0.35}}}, false);
  EXPECT_TRUE(resumed.exported().empty());
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] {
                         BundleExporter(job, (dir_ / "export" / "auc").string(), BundleExporter::Strategy::kBest, "auc")
                             .Export(estimator, {600, "eval", {{"loss", 0.1}}}, false);
                       }),
                       "'auc' is not one of this head's metrics: loss"));

  BundleExporter final_only(job, (dir_ / "export" / "final").string(), BundleExporter::Strategy::kFinal);
  final_only.Export(estimator, {100, "eval", {{"loss", 0.5}}}, false);
  final_only.Export(estimator, {300, "eval", {{"loss", 0.5}}}, true);
  ASSERT_EQ(final_only.exported().size(), 1u);
  EXPECT_EQ(fs::path(final_only.exported()[0]).filename(), "300");
  EXPECT_THROW(ParseExportStrategy("sometimes"), ConfigError);
}

TEST_F(BundleTest, AYamlAnchorSharedByTwoColumnsGivesOneAsset) {
  std::ofstream(dir_ / "run.yaml") << R"(data: {train: data/train.csv, eval: data/test.csv, label: clicked}
estimator: {type: wide_and_deep, hidden_units: [8], optimizer: adam, learning_rate: 0.01}
wide_columns:
  - indicator: {categorical: &device {key: device, vocabulary_file: data/devices.txt}}
  - crossed: {keys: [city, device], hash_buckets: 256}
deep_columns:
  - numeric: price
  - embedding: {categorical: *device, dimension: 2}
train: {max_steps: 50, batch_size: 64}
eval: {every_steps: 0}
run: {model_dir: model}
)";
  Job job = TrainedJob();
  ExportBundle(job, (dir_ / "bundle").string());
  std::vector<std::string> assets;
  for (const auto& e : fs::directory_iterator(dir_ / "bundle" / "assets"))
    assets.push_back(e.path().filename().string());
  EXPECT_EQ(assets, std::vector<std::string>{"devices.txt"});
  const std::string test = (dir_ / "data" / "test.csv").string();
  const Tensor expected = job.estimator->Predict(job.Read(test, false));
  const Job served = LoadBundle((dir_ / "bundle").string());
  EXPECT_EQ((served.estimator->Predict(served.Read(test, false)) - expected).cwiseAbs().maxCoeff(), 0.0f);
}

TEST_F(BundleTest, ACheckpointRemembersTheFeatureStateItWasTrainedWith) {
  Job job = TrainedJob();  // its hooks did not include the job-state hook: train once more with it
  TrainSpec spec = job.config.train_spec;
  spec.max_steps = 350;
  spec.hooks.push_back(MakeJobStateHook(job));
  job.estimator->Train(job.TrainExamples(), spec);
  const auto latest = CheckpointManager((dir_ / "model").string()).LatestGood();
  ASSERT_TRUE(latest.checkpoint);
  EXPECT_NO_THROW(CheckJobState(job, latest.checkpoint->State(), "ckpt"));
  // The training file changes: the refitted statistics no longer match the checkpoint's.
  {
    std::ofstream out(dir_ / "data" / "train.csv", std::ios::app);
    out << "c1,1,mobile,95.5\n";
  }
  Job changed = PrepareJob(LoadJobConfig((dir_ / "run.yaml").string()));
  std::string message = ErrorOf<ConfigError>([&] { CheckJobState(changed, latest.checkpoint->State(), "ckpt"); });
  EXPECT_TRUE(Contains(message, "ckpt was trained with other feature statistics than"));
  EXPECT_TRUE(Contains(message, "deep/features/price/mean"));
  // So does resuming training on it.
  TrainSpec more = changed.config.train_spec;
  more.max_steps = 400;
  more.hooks.push_back(MakeJobStateHook(changed));
  EXPECT_THROW(changed.estimator->Train(changed.TrainExamples(), more), ConfigError);
  // A vocabulary file that changed is caught by the fingerprint.
  Job same = PrepareJob(LoadJobConfig((dir_ / "run.yaml").string()));
  MemoryState state;
  MakeJobStateHook(same)->SaveState(*same.estimator, state);  // what a checkpoint of `same` holds
  std::ofstream(dir_ / "data" / "devices.txt") << "desktop\nmobile\ntablet\n";
  Job reordered = PrepareJob(LoadJobConfig((dir_ / "run.yaml").string()));
  message = ErrorOf<ConfigError>([&] { CheckJobState(reordered, state, "ckpt"); });
  EXPECT_TRUE(Contains(message, "other feature columns, vocabulary files or training-file columns"));
}

TEST_F(BundleTest, AnExporterSkipsNanAndKeepsWhatItJustWrote) {
  Job job = TrainedJob();
  const std::string base = (dir_ / "export" / "best").string();
  BundleExporter best(job, base, BundleExporter::Strategy::kBest, "loss", false, 1);
  Estimator& estimator = *job.estimator;
  best.Export(estimator, {100, "eval", {{"loss", std::nan("")}}}, false);
  EXPECT_TRUE(best.exported().empty());
  best.Export(estimator, {200, "eval", {{"loss", 0.5}}}, false);
  // An earlier run in the same directory left a later step; the new best is kept all the same.
  fs::rename(fs::path(base) / "200", fs::path(base) / "900");
  best.Export(estimator, {300, "eval", {{"loss", 0.4}}}, false);
  EXPECT_TRUE(fs::exists(fs::path(base) / "300" / "bundle.json"));
  EXPECT_FALSE(fs::exists(fs::path(base) / "900"));
}

// Regression on raw targets (around 250, spread 40): the head trains on standardized targets and the
// bundle carries their mean and standard deviation, so the served model predicts in the targets' units;
// a tampered scale is refused.
TEST_F(BundleTest, RegressionCarriesItsTargetScale) {
  std::mt19937 rng(9);
  std::normal_distribution<double> noise(0.0, 1.0);
  for (const auto& [name, rows] : {std::pair<std::string, int>{"train", 600}, {"test", 200}}) {
    std::ofstream out(dir_ / "data" / ("r_" + name + ".csv"));
    out << "x1,x2,y\n";
    for (int i = 0; i < rows; ++i) {
      const double x1 = noise(rng), x2 = noise(rng);
      out << x1 << "," << x2 << "," << std::lround(250 + 30 * x1 - 20 * x2 + 5 * noise(rng)) << "\n";
    }
  }
  std::ofstream(dir_ / "r.yaml") << R"(data: {train: data/r_train.csv, eval: data/r_test.csv, label: y}
estimator: {hidden_units: [8], optimizer: adam, learning_rate: 0.01}
train: {max_steps: 600, batch_size: 32}
run: {model_dir: rmodel}
)";
  Job job = PrepareJob(LoadJobConfig((dir_ / "r.yaml").string()));
  ASSERT_EQ(job.HeadKind(), "regression");
  EXPECT_NEAR(job.target_scale.mean, 250.0, 5.0);
  EXPECT_NEAR(job.target_scale.stddev, 36.0, 4.0);  // sqrt(30^2 + 20^2 + 5^2)
  const Examples test = job.Read(job.config.eval, true);
  const auto metrics =
      TrainAndEvaluate(*job.estimator, job.TrainExamples(), test, job.config.train_spec, job.config.eval_spec);
  EXPECT_LT(metrics.final_evaluation().metrics.at("rmse"), 8.0);  // the noise is 5; the raw targets' spread 36
  const Tensor expected = job.estimator->Predict(job.Read(job.config.eval, false));
  ExportBundle(job, (dir_ / "rb").string());
  const Job served = LoadBundle((dir_ / "rb").string());
  EXPECT_EQ(served.target_scale.mean, job.target_scale.mean);
  EXPECT_EQ(served.target_scale.stddev, job.target_scale.stddev);
  const Tensor p = served.estimator->Predict(served.Read(job.config.eval, false));
  EXPECT_EQ((p - expected).cwiseAbs().maxCoeff(), 0.0f);
  const nlohmann::json m = ReadBundleManifest((dir_ / "rb").string());
  EXPECT_EQ(m["target_scale"]["mean"], job.target_scale.mean);

  // The manifest's scale must agree with the one its variables were exported with.
  const fs::path manifest = dir_ / "rb" / "bundle.json";
  nlohmann::json changed = nlohmann::json::parse(std::ifstream(manifest));
  changed["target_scale"]["mean"] = 0.0;
  std::ofstream(manifest) << changed.dump(2);
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { LoadBundle((dir_ / "rb").string()); }), "differs from the one"));
  changed["target_scale"]["stddev"] = -1.0;
  std::ofstream(manifest) << changed.dump(2);
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { LoadBundle((dir_ / "rb").string()); }), "target_scale"));
}

// The fuzz target bundle_manifest's bundle: tests/fuzz/bundle/ (a real export's files but its manifest) and
// corpus/bundle_manifest/multi_class.json (that manifest). It must load as it is, or the fuzzer only ever
// reaches the checks that refuse it: export it again (docs/building.md, Fuzzing) when the format changes.
class FuzzBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path fuzz = fs::path(__FILE__).parent_path().parent_path() / "fuzz";
    fs::copy(fuzz / "bundle", bundle_, fs::copy_options::recursive);
    manifest_ = nlohmann::json::parse(std::ifstream(fuzz / "corpus" / "bundle_manifest" / "multi_class.json"));
  }
  // Loads the bundle with `manifest` as its bundle.json.
  Job Load(const nlohmann::json& manifest) const {
    std::ofstream(bundle_ / "bundle.json") << manifest.dump();
    return LoadBundle(bundle_.string());
  }

  testing::TempDir dir_;
  fs::path bundle_ = fs::path(dir_.path) / "bundle";
  nlohmann::json manifest_;
};

TEST_F(FuzzBundleTest, LoadsAndPredicts) {
  const Job job = Load(manifest_);
  EXPECT_EQ(job.HeadKind(), "multi_class");
  EXPECT_EQ(job.labels.classes, (std::vector<std::string>{"hi", "lo", "mid"}));
  const std::string input = testing::WriteFile("input.csv", "a,b,city\n0.2,0.7,paris\n0.9,0.4,rome\n");
  EXPECT_EQ(job.estimator->Predict(job.Read(input, false)).rows(), 2);
}

// Numbers of the wrong kind in a manifest: a float beyond an integer's range was converted (undefined
// behaviour, which UBSan stops on), a CRC-32C above 32 bits was truncated (so one 2^32 too large matched),
// a global_step of 4.0 passed as 4, and a format that is not a text escaped ReadBundleManifest as a JSON
// library exception. Each is now an IoError naming the field.
TEST_F(FuzzBundleTest, NumbersOfTheWrongKindAreRefused) {
  const auto refused = [&](const std::function<void(nlohmann::json&)>& change) {
    nlohmann::json m = manifest_;
    change(m);
    return ErrorOf<IoError>([&] { Load(m); });
  };
  EXPECT_TRUE(Contains(refused([](nlohmann::json& m) { m["files"]["config.yaml"]["bytes"] = 1e300; }),
                       "files[\"config.yaml\"]: bytes is 1e+300, not a whole number"));
  EXPECT_TRUE(Contains(refused([](nlohmann::json& m) { m["files"]["schema.yaml"]["bytes"] = -202; }),
                       "bytes is -202, not a whole number"));
  EXPECT_TRUE(Contains(refused([](nlohmann::json& m) {
                         m["files"]["schema.yaml"]["crc32c"] =
                             m["files"]["schema.yaml"]["crc32c"].get<uint64_t>() + (uint64_t{1} << 32);
                       }),
                       "crc32c is"));
  EXPECT_TRUE(
      Contains(refused([](nlohmann::json& m) { m["files"]["schema.yaml"].erase("crc32c"); }), "crc32c is missing"));
  EXPECT_TRUE(Contains(refused([](nlohmann::json& m) { m["global_step"] = 1e300; }), "global_step 1e+300 but"));
  EXPECT_TRUE(Contains(refused([](nlohmann::json& m) { m["global_step"] = 4.0; }), "global_step 4.0 but"));
  EXPECT_TRUE(Contains(refused([](nlohmann::json& m) { m["format"] = 7; }), "not a lever bundle manifest"));
  std::ofstream(bundle_ / "bundle.json") << R"({"format": 7})";
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { ReadBundleManifest(bundle_.string()); }), "not a lever bundle manifest"));
}

}  // namespace
}  // namespace lever
