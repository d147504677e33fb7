#include "lever/checkpoint/checkpoint_manager.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <set>

#include "lever/error.h"
#include "lever/io/atomic_file.h"
#include "lever/io/crc32c.h"
#include "lever/io/excerpt.h"
#include "lever/io/text_file.h"
#include "lever/registry.h"

namespace lever {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFormat = "lever.checkpoint";
constexpr int kVersion = 1;
// A commit record is a small JSON object (the model config and the caller's extra fields).
constexpr uintmax_t kMaxRecordBytes = uintmax_t{64} << 20;

enum class FileKind { kTensors, kRecord, kTemporary };

// ckpt-<step>.safetensors, ckpt-<step>.json, or a temporary file of either (<name>.tmp.<pid>).
bool ParseFileName(const std::string& name, int64_t* step, FileKind* kind) {
  if (name.compare(0, 5, "ckpt-") != 0) return false;
  size_t i = 5;
  int64_t value = 0;
  while (i < name.size() && name[i] >= '0' && name[i] <= '9' && i < 5 + 18) value = value * 10 + (name[i++] - '0');
  if (i == 5) return false;
  const std::string rest = name.substr(i);
  if (rest == ".safetensors") {
    *kind = FileKind::kTensors;
  } else if (rest == ".json") {
    *kind = FileKind::kRecord;
  } else if (rest.compare(0, 17, ".safetensors.tmp.") == 0 || rest.compare(0, 10, ".json.tmp.") == 0) {
    *kind = FileKind::kTemporary;
  } else {
    return false;
  }
  *step = value;
  return true;
}

std::string Hex(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%08x", value);
  return text;
}

double Now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

const std::string kRecovery =
    ". Restore the file from a copy, or delete this checkpoint's files to resume from the previous one";

}  // namespace

CheckpointManager::CheckpointManager(std::string directory, int keep_max)
    : directory_(std::move(directory)), keep_max_(keep_max) {
  if (keep_max_ < 1) {
    throw ConfigError("keep_max is " + std::to_string(keep_max_) + " but at least 1 checkpoint must be kept");
  }
  std::error_code error;
  fs::create_directories(directory_, error);
  if (error || !fs::is_directory(directory_)) {
    throw IoError("cannot create the model directory '" + directory_ +
                  "': " + (error ? error.message() : std::string("a file of that name exists")) +
                  "; choose another path or fix its permissions");
  }
}

std::string CheckpointManager::TensorsPath(int64_t step) const {
  return (fs::path(directory_) / ("ckpt-" + std::to_string(step) + ".safetensors")).string();
}
std::string CheckpointManager::RecordPath(int64_t step) const {
  return (fs::path(directory_) / ("ckpt-" + std::to_string(step) + ".json")).string();
}
std::string CheckpointManager::IndexPath() const { return (fs::path(directory_) / "checkpoint").string(); }

std::string CheckpointManager::Save(const CheckpointContents& contents) {
  const int64_t step = contents.step;
  if (step < 0) throw IoError("cannot save a checkpoint of step " + std::to_string(step) + "; steps start at 0");

  SafetensorsContents file;
  file.tensors = contents.tensors;
  if (!file.tensors.emplace("global_step", RawTensor{DType::kI64, {}, {}}).second) {
    throw IoError("cannot save checkpoint " + std::to_string(step) +
                  ": the tensor name 'global_step' is reserved for the step; set CheckpointContents::step");
  }
  file.tensors["global_step"].bytes.assign(reinterpret_cast<const char*>(&step), sizeof(step));
  file.metadata = {{"format", kFormat}, {"step", std::to_string(step)}};
  const std::string bytes = EncodeSafetensors(file);
  // Replacing a checkpoint of the same step: uncommit the old one first, so that a crash between the two
  // renames below cannot leave the old record beside the new tensors.
  std::error_code error;
  if (fs::remove(RecordPath(step), error)) SyncDirectory(directory_);
  if (error) {
    throw IoError("cannot replace checkpoint " + std::to_string(step) + ": deleting '" + RecordPath(step) +
                  "' failed: " + error.message() + "; check the model directory's permissions");
  }
  WriteFileAtomically(TensorsPath(step), bytes);

  // The commit record goes last: until it exists the tensors file is an uncommitted leftover.
  const nlohmann::json record = {{"format", kFormat},
                                 {"version", kVersion},
                                 {"step", step},
                                 {"wall_time", contents.wall_time != 0.0 ? contents.wall_time : Now()},
                                 {"tensors_file", fs::path(TensorsPath(step)).filename().string()},
                                 {"tensors_bytes", bytes.size()},
                                 {"tensors_crc32c", Crc32c(bytes)},
                                 {"config", contents.config},
                                 {"extra", contents.extra}};
  WriteFileAtomically(RecordPath(step), record.dump(2) + "\n");

  std::vector<int64_t> kept;
  for (int64_t s : Steps()) {
    if (s <= step) kept.push_back(s);
  }
  if (kept.size() > static_cast<size_t>(keep_max_)) kept.erase(kept.begin(), kept.end() - keep_max_);
  const nlohmann::json index = {{"format", "lever.checkpoint_index"},
                                {"latest_step", step},
                                {"latest_record", fs::path(RecordPath(step)).filename().string()},
                                {"steps", kept}};
  WriteFileAtomically(IndexPath(), index.dump(2) + "\n");

  // Records first, so that a crash in between leaves uncommitted tensors files (ignored, removed by the
  // next Save), never a record without its tensors.
  const std::set<int64_t> keep(kept.begin(), kept.end());
  std::vector<fs::path> records, others;
  for (const auto& entry : fs::directory_iterator(directory_)) {
    int64_t s = 0;
    FileKind kind{};
    if (!ParseFileName(entry.path().filename().string(), &s, &kind)) continue;
    if (kind == FileKind::kRecord && keep.count(s) == 0) records.push_back(entry.path());
    if (kind == FileKind::kTensors && keep.count(s) == 0) others.push_back(entry.path());
    if (kind == FileKind::kTemporary) others.push_back(entry.path());
  }
  for (const auto* group : {&records, &others}) {
    for (const fs::path& path : *group) {
      fs::remove(path, error);
      if (error) {
        throw IoError("checkpoint " + std::to_string(step) + " was saved, but deleting '" + path.string() +
                      "' failed: " + error.message() + "; delete it by hand");
      }
    }
    if (!group->empty()) SyncDirectory(directory_);
  }
  return RecordPath(step);
}

std::vector<int64_t> CheckpointManager::Steps() const {
  std::vector<int64_t> steps;
  for (const auto& entry : fs::directory_iterator(directory_)) {
    int64_t s = 0;
    FileKind kind{};
    if (ParseFileName(entry.path().filename().string(), &s, &kind) && kind == FileKind::kRecord) steps.push_back(s);
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

CheckpointContents CheckpointManager::Load(int64_t step) const {
  const std::string record_path = RecordPath(step);
  const std::string tensors_path = TensorsPath(step);
  if (!fs::exists(record_path)) {
    if (fs::exists(tensors_path)) {
      throw IoError(tensors_path + ": never committed: its record " + fs::path(record_path).filename().string() +
                    " is missing, so its write was interrupted. It is ignored, and removed by the next save");
    }
    throw IoError(record_path + ": no checkpoint of step " + std::to_string(step) + " in '" + directory_ +
                  "'; the model directory has steps " + [&] {
                    const std::string list = JoinNames(Steps(), [](int64_t s) { return std::to_string(s); });
                    return list.empty() ? std::string("(none)") : list;
                  }());
  }

  // Sizes before reading: a record or tensors file that is a device or a FIFO (a symbolic link to
  // /dev/zero, say) would never end.
  std::error_code error;
  if (!fs::is_regular_file(record_path, error)) {
    throw IoError(record_path + ": not a regular file (a device, a FIFO or a directory)" + kRecovery);
  }
  if (const uintmax_t size = fs::file_size(record_path, error); error || size > kMaxRecordBytes) {
    throw IoError(record_path + ": " +
                  (error ? "cannot read its size: " + error.message()
                         : std::to_string(size) + " bytes, more than the " + std::to_string(kMaxRecordBytes) +
                               " a commit record may hold") +
                  kRecovery);
  }
  nlohmann::json record;
  try {
    record = nlohmann::json::parse(ReadTextFile(record_path, "checkpoint record"));
  } catch (const nlohmann::json::exception& e) {
    throw IoError(record_path + ": the commit record is not valid JSON (" + QuoteExcerpt(e.what(), 200) + ")" +
                  kRecovery);
  }
  auto field = [&](const char* name, bool (nlohmann::json::*is_type)() const noexcept,
                   const char* expected) -> const nlohmann::json& {
    if (!record.is_object() || !record.contains(name) || !(record[name].*is_type)()) {
      throw IoError(record_path + ": the commit record's field \"" + name + "\" is " +
                    (record.is_object() && record.contains(name) ? record[name].dump() : std::string("missing")) +
                    " but " + expected + " was expected" + kRecovery);
    }
    return record[name];
  };
  if (field("format", &nlohmann::json::is_string, "\"lever.checkpoint\"") != kFormat) {
    throw IoError(record_path + ": \"format\" is " + record["format"].dump() +
                  ", not \"lever.checkpoint\"; this is not a lever checkpoint record");
  }
  const auto version = field("version", &nlohmann::json::is_number_integer, "an integer").get<int64_t>();
  if (version != kVersion) {
    throw IoError(record_path + ": checkpoint format version " + std::to_string(version) + ", but this lever reads " +
                  "version " + std::to_string(kVersion) + "; use the lever that wrote it");
  }
  const auto recorded_step = field("step", &nlohmann::json::is_number_integer, "an integer").get<int64_t>();
  if (recorded_step != step) {
    throw IoError(record_path + ": the record says step " + std::to_string(recorded_step) + " but its name says " +
                  std::to_string(step) + kRecovery);
  }
  const std::string tensors_file = field("tensors_file", &nlohmann::json::is_string, "a file name").get<std::string>();
  const auto tensors_bytes =
      field("tensors_bytes", &nlohmann::json::is_number_unsigned, "a byte count").get<uint64_t>();
  const auto crc = field("tensors_crc32c", &nlohmann::json::is_number_unsigned, "a CRC-32C").get<uint64_t>();
  const double wall_time = field("wall_time", &nlohmann::json::is_number, "seconds since 1970").get<double>();
  if (tensors_file != fs::path(tensors_path).filename().string()) {
    throw IoError(record_path + ": \"tensors_file\" is \"" + tensors_file + "\" but step " + std::to_string(step) +
                  "'s tensors are in " + fs::path(tensors_path).filename().string() + kRecovery);
  }

  if (!fs::exists(tensors_path)) {
    throw IoError(tensors_path + ": missing, but its commit record " + fs::path(record_path).filename().string() +
                  " names it" + kRecovery);
  }
  if (!fs::is_regular_file(tensors_path, error)) {
    throw IoError(tensors_path + ": not a regular file (a device, a FIFO or a directory)" + kRecovery);
  }
  if (const uintmax_t size = fs::file_size(tensors_path, error); !error && size != tensors_bytes) {
    throw IoError(tensors_path + ": " + std::to_string(size) + " bytes, but its commit record says " +
                  std::to_string(tensors_bytes) + (size < tensors_bytes ? ": the file is truncated" : "") + kRecovery);
  }
  const std::string bytes = ReadTextFile(tensors_path, "checkpoint tensors file");
  if (bytes.size() != tensors_bytes) {
    throw IoError(tensors_path + ": " + std::to_string(bytes.size()) + " bytes, but its commit record says " +
                  std::to_string(tensors_bytes) + (bytes.size() < tensors_bytes ? ": the file is truncated" : "") +
                  kRecovery);
  }
  const uint32_t actual = Crc32c(bytes);
  if (actual != crc) {
    throw IoError(tensors_path + ": checksum mismatch: the file's CRC-32C is " + Hex(actual) +
                  " but its commit record says " + Hex(static_cast<uint32_t>(crc)) + ", so the file is corrupt" +
                  kRecovery);
  }
  SafetensorsContents file = DecodeSafetensors(bytes, tensors_path);

  CheckpointContents contents;
  contents.source = tensors_path;
  contents.step = step;
  contents.wall_time = wall_time;
  auto global_step = file.tensors.find("global_step");
  if (global_step == file.tensors.end() || global_step->second.dtype != DType::kI64 ||
      !global_step->second.shape.empty()) {
    throw IoError(tensors_path + ": no I64 scalar 'global_step'; this is not a lever checkpoint" + kRecovery);
  }
  int64_t stored_step = 0;
  std::memcpy(&stored_step, global_step->second.bytes.data(), sizeof(stored_step));
  if (stored_step != step) {
    throw IoError(tensors_path + ": 'global_step' is " + std::to_string(stored_step) + " but the checkpoint is step " +
                  std::to_string(step) + kRecovery);
  }
  file.tensors.erase(global_step);
  contents.tensors = std::move(file.tensors);
  if (record.contains("config")) contents.config = record["config"];
  if (record.contains("extra")) contents.extra = record["extra"];
  return contents;
}

LatestCheckpoint CheckpointManager::LatestGood() const {
  std::set<int64_t, std::greater<>> steps;
  for (const auto& entry : fs::directory_iterator(directory_)) {
    int64_t s = 0;
    FileKind kind{};
    if (ParseFileName(entry.path().filename().string(), &s, &kind) && kind != FileKind::kTemporary) steps.insert(s);
  }
  LatestCheckpoint result;
  for (int64_t s : steps) {
    try {
      result.checkpoint = Load(s);
      break;
    } catch (const IoError& e) {
      result.problems.push_back(e.message());
    }
  }
  return result;
}

}  // namespace lever
