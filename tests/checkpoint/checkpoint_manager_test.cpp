// The model directory: what Save writes, how many checkpoints it keeps, and how each kind of damage
// (truncation, a flipped byte, a missing commit record, broken JSON) is named in a clear error while
// LatestGood walks back to the previous good checkpoint.
#include "lever/checkpoint/checkpoint_manager.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "lever/error.h"
#include "lever/io/crc32c.h"
#include "lever/io/text_file.h"
#include "testing/files.h"

namespace lever {
namespace {

namespace fs = std::filesystem;
using testing::Contains;
using testing::ErrorOf;

std::string ModelDir() {
  const std::string dir = testing::TempPath("model_dir");
  fs::remove_all(dir);
  return dir;
}

// A checkpoint whose values identify its step.
CheckpointContents ContentsFor(int64_t step) {
  CheckpointContents c;
  c.step = step;
  c.wall_time = 1.7e9 + static_cast<double>(step);
  Tensor w(2, 3);
  w.setConstant(static_cast<float>(step));
  c.Add("model/w", RawTensor::FromTensor(w));
  c.Add("optimizer/iterations", RawTensor::FromScalar(static_cast<double>(step)));
  c.config = {{"hidden", {8, 8}}, {"activation", "tanh"}};
  c.extra = {{"epoch", step / 10}};
  return c;
}

std::vector<std::string> FileNames(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

void Overwrite(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

TEST(CheckpointManagerTest, SaveWritesTensorsCommitRecordAndIndex) {
  const std::string dir = ModelDir();
  CheckpointManager manager(dir, 5);
  EXPECT_EQ(manager.Save(ContentsFor(100)), dir + "/ckpt-100.json");
  EXPECT_EQ(FileNames(dir), (std::vector<std::string>{"checkpoint", "ckpt-100.json", "ckpt-100.safetensors"}));

  const std::string bytes = ReadTextFile(manager.TensorsPath(100), "tensors");
  const auto record = nlohmann::json::parse(ReadTextFile(manager.RecordPath(100), "record"));
  EXPECT_EQ(record["format"], "lever.checkpoint");
  EXPECT_EQ(record["version"], 1);
  EXPECT_EQ(record["step"], 100);
  EXPECT_EQ(record["wall_time"], 1.7e9 + 100);
  EXPECT_EQ(record["tensors_file"], "ckpt-100.safetensors");
  EXPECT_EQ(record["tensors_bytes"], bytes.size());
  EXPECT_EQ(record["tensors_crc32c"], Crc32c(bytes));
  EXPECT_EQ(record["config"]["hidden"], nlohmann::json({8, 8}));
  EXPECT_EQ(record["extra"]["epoch"], 10);
  const auto index = nlohmann::json::parse(ReadTextFile(manager.IndexPath(), "index"));
  EXPECT_EQ(index["latest_step"], 100);
  EXPECT_EQ(index["latest_record"], "ckpt-100.json");

  const SafetensorsContents file = DecodeSafetensors(bytes, "ckpt-100.safetensors");
  EXPECT_EQ(file.metadata.at("format"), "lever.checkpoint");
  EXPECT_EQ(file.metadata.at("step"), "100");
  EXPECT_EQ(file.tensors.at("global_step").dtype, DType::kI64);
  EXPECT_EQ(file.tensors.at("model/w").shape, (std::vector<int64_t>{2, 3}));

  const CheckpointContents loaded = manager.Load(100);
  EXPECT_EQ(loaded.step, 100);
  EXPECT_EQ(loaded.wall_time, 1.7e9 + 100);
  EXPECT_EQ(loaded.source, manager.TensorsPath(100));
  EXPECT_EQ(loaded.config, ContentsFor(100).config);
  EXPECT_EQ(loaded.Get("model/w").ToTensor("w"), Tensor::Constant(2, 3, 100.0f));
  EXPECT_FALSE(loaded.Has("global_step"));
  EXPECT_EQ(loaded.State().ReadScalar("optimizer/iterations"), 100.0);
}

TEST(CheckpointManagerTest, KeepsTheNewestKeepMaxCheckpoints) {
  const std::string dir = ModelDir();
  CheckpointManager manager(dir, 3);
  for (int64_t step = 10; step <= 60; step += 10) manager.Save(ContentsFor(step));
  EXPECT_EQ(manager.Steps(), (std::vector<int64_t>{40, 50, 60}));
  EXPECT_EQ(FileNames(dir).size(), 1u + 2u * 3u) << "older tensors files must be gone too";
  const auto index = nlohmann::json::parse(ReadTextFile(manager.IndexPath(), "index"));
  EXPECT_EQ(index["steps"], nlohmann::json({40, 50, 60}));
}

TEST(CheckpointManagerTest, SavingAnEarlierStepDropsTheAbandonedLaterOnes) {
  const std::string dir = ModelDir();
  CheckpointManager manager(dir, 5);
  for (int64_t step : {10, 20, 30}) manager.Save(ContentsFor(step));
  manager.Save(ContentsFor(25));  // resumed from 20, saved again at 25: 30 belongs to the abandoned run
  EXPECT_EQ(manager.Steps(), (std::vector<int64_t>{10, 20, 25}));
  EXPECT_EQ(manager.LatestGood().checkpoint->step, 25);
}

TEST(CheckpointManagerTest, SavingTheSameStepAgainReplacesIt) {
  const std::string dir = ModelDir();
  CheckpointManager manager(dir, 5);
  manager.Save(ContentsFor(10));
  CheckpointContents again = ContentsFor(10);
  again.tensors.at("model/w") = RawTensor::FromTensor(Tensor::Constant(2, 3, -1.0f));
  manager.Save(again);
  EXPECT_EQ(manager.Steps(), (std::vector<int64_t>{10}));
  EXPECT_EQ(manager.Load(10).Get("model/w").ToTensor("w"), Tensor::Constant(2, 3, -1.0f));
}

TEST(CheckpointManagerTest, TruncatedTensorsFileIsNamedAndSkipped) {
  const std::string dir = ModelDir();
  CheckpointManager manager(dir, 5);
  manager.Save(ContentsFor(10));
  manager.Save(ContentsFor(20));
  const std::string bytes = ReadTextFile(manager.TensorsPath(20), "tensors");
  Overwrite(manager.TensorsPath(20), bytes.substr(0, bytes.size() / 2));

  const std::string message = ErrorOf<IoError>([&] { manager.Load(20); });
  EXPECT_TRUE(Contains(message, manager.TensorsPath(20) + ": " + std::to_string(bytes.size() / 2) +
                                    " bytes, but its commit record says " + std::to_string(bytes.size()) +
                                    ": the file is truncated"));
  EXPECT_TRUE(Contains(message, "resume from the previous one"));
  const LatestCheckpoint latest = manager.LatestGood();
  ASSERT_TRUE(latest.checkpoint.has_value());
  EXPECT_EQ(latest.checkpoint->step, 10);
  EXPECT_EQ(latest.checkpoint->Get("model/w").ToTensor("w")(0, 0), 10.0f);
  ASSERT_EQ(latest.problems.size(), 1u);
  EXPECT_TRUE(Contains(latest.problems[0], "ckpt-20.safetensors"));
  EXPECT_TRUE(Contains(latest.problems[0], "truncated"));
}

TEST(CheckpointManagerTest, FlippedByteIsAChecksumMismatch) {
  const std::string dir = ModelDir();
  CheckpointManager manager(dir, 5);
  manager.Save(ContentsFor(10));
  manager.Save(ContentsFor(20));
  std::string bytes = ReadTextFile(manager.TensorsPath(20), "tensors");
  bytes[bytes.size() - 5] ^= 0x10;  // inside a weight: the file still parses
  ASSERT_NO_THROW(DecodeSafetensors(bytes, "flipped"));
  Overwrite(manager.TensorsPath(20), bytes);

  const std::string message = ErrorOf<IoError>([&] { manager.Load(20); });
  EXPECT_TRUE(Contains(message, manager.TensorsPath(20) + ": checksum mismatch: the file's CRC-32C is 0x"));
  EXPECT_TRUE(Contains(message, "so the file is corrupt"));
  const LatestCheckpoint latest = manager.LatestGood();
  EXPECT_EQ(latest.checkpoint->step, 10);
  ASSERT_EQ(latest.problems.size(), 1u);
  EXPECT_TRUE(Contains(latest.problems[0], "checksum mismatch"));
}

TEST(CheckpointManagerTest, TensorsWithoutCommitRecordAreUncommittedAndSkipped) {
  const std::string dir = ModelDir();
  CheckpointManager manager(dir, 5);
  manager.Save(ContentsFor(10));
  manager.Save(ContentsFor(20));
  fs::remove(manager.RecordPath(20));  // the crash came between the tensors file and its record

  EXPECT_EQ(manager.Steps(), (std::vector<int64_t>{10}));
  const std::string message = ErrorOf<IoError>([&] { manager.Load(20); });
  EXPECT_TRUE(Contains(message, manager.TensorsPath(20) + ": never committed: its record ckpt-20.json is missing"));
  const LatestCheckpoint latest = manager.LatestGood();
  EXPECT_EQ(latest.checkpoint->step, 10);
  ASSERT_EQ(latest.problems.size(), 1u);
  EXPECT_TRUE(Contains(latest.problems[0], "never committed"));

  // The next save removes the leftover along with stale temporary files.
  Overwrite(dir + "/ckpt-30.safetensors.tmp.12345", "partial");
  manager.Save(ContentsFor(30));
  EXPECT_EQ(FileNames(dir), (std::vector<std::string>{"checkpoint", "ckpt-10.json", "ckpt-10.safetensors",
                                                      "ckpt-30.json", "ckpt-30.safetensors"}));
}

TEST(CheckpointManagerTest, BrokenCommitRecordIsNamed) {
  const std::string dir = ModelDir();
  CheckpointManager manager(dir, 5);
  manager.Save(ContentsFor(10));
  manager.Save(ContentsFor(20));
  const std::string record = ReadTextFile(manager.RecordPath(20), "record");
  Overwrite(manager.RecordPath(20), record.substr(0, record.size() / 2));
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { manager.Load(20); }),
                       manager.RecordPath(20) + ": the commit record is not valid JSON"));

  auto fields = nlohmann::json::parse(record);
  fields.erase("tensors_crc32c");
  Overwrite(manager.RecordPath(20), fields.dump());
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { manager.Load(20); }),
                       manager.RecordPath(20) + ": the commit record's field \"tensors_crc32c\" is missing"));
  EXPECT_EQ(manager.LatestGood().checkpoint->step, 10);
}

TEST(CheckpointManagerTest, BrokenSafetensorsHeaderIsNamedEvenWhenTheChecksumMatches) {
  // A writer bug rather than disk damage: the record's CRC matches bytes that are not a valid file.
  const std::string dir = ModelDir();
  CheckpointManager manager(dir, 5);
  manager.Save(ContentsFor(10));
  std::string bytes = ReadTextFile(manager.TensorsPath(10), "tensors");
  bytes[9] = '!';  // the header's second character: {"... becomes {!...
  Overwrite(manager.TensorsPath(10), bytes);
  auto record = nlohmann::json::parse(ReadTextFile(manager.RecordPath(10), "record"));
  record["tensors_crc32c"] = Crc32c(bytes);
  Overwrite(manager.RecordPath(10), record.dump());

  const std::string message = ErrorOf<IoError>([&] { manager.Load(10); });
  EXPECT_TRUE(Contains(message, manager.TensorsPath(10) + ": the header is not valid JSON"));
  const LatestCheckpoint latest = manager.LatestGood();
  EXPECT_FALSE(latest.checkpoint.has_value());
  ASSERT_EQ(latest.problems.size(), 1u);
}

TEST(CheckpointManagerTest, EmptyDirectoryHasNoCheckpointAndNoProblems) {
  CheckpointManager manager(ModelDir(), 5);
  const LatestCheckpoint latest = manager.LatestGood();
  EXPECT_FALSE(latest.checkpoint.has_value());
  EXPECT_TRUE(latest.problems.empty());
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { manager.Load(7); }), "no checkpoint of step 7"));
}

TEST(CheckpointManagerTest, InvalidKeepMaxIsAConfigError) {
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([] { CheckpointManager(ModelDir(), 0); }), "keep_max is 0"));
}

}  // namespace
}  // namespace lever
