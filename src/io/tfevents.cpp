#include "lever/io/tfevents.h"

#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "lever/error.h"
#include "lever/io/crc32c.h"
#include "lever/io/events_jsonl.h"
#include "lever/io/text_file.h"

namespace lever {

static_assert(std::endian::native == std::endian::little, "TFRecord lengths and CRCs are little-endian");

namespace {

// Protobuf wire format: a field's key is (number << 3) | wire type; varints are 7 bits a byte, low
// first; type 1 is 8 little-endian bytes, type 5 is 4, type 2 a varint length then the bytes.
enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

void PutVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

void PutKey(std::string& out, uint32_t field, WireType type) { PutVarint(out, (field << 3) | type); }

template <class T>
void PutFixed(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(value));
}

void PutBytes(std::string& out, uint32_t field, std::string_view bytes) {
  PutKey(out, field, kLengthDelimited);
  PutVarint(out, bytes.size());
  out.append(bytes);
}

// Event field numbers (event.proto) and Summary / Summary.Value field numbers (summary.proto);
// SessionLog's too.
constexpr uint32_t kEventWallTime = 1, kEventStep = 2, kEventFileVersion = 3, kEventSummary = 5, kEventSessionLog = 6;
constexpr uint32_t kSummaryValue = 1;
constexpr uint32_t kValueTag = 1, kValueSimpleValue = 2;
constexpr uint32_t kSessionLogStatus = 1;
constexpr uint64_t kSessionLogStart = 1;

std::string EventHeader(double wall_time) {
  std::string event;
  PutKey(event, kEventWallTime, kFixed64);
  PutFixed(event, wall_time);
  return event;
}

void PutStep(std::string& event, int64_t step) {
  PutKey(event, kEventStep, kVarint);
  PutVarint(event, static_cast<uint64_t>(step));  // int64: negative steps take ten bytes, as in protobuf
}

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

std::string EncodeTfRecord(std::string_view data) {
  std::string record;
  record.reserve(data.size() + 16);
  const uint64_t length = data.size();
  PutFixed(record, length);
  PutFixed(record, MaskCrc32c(Crc32c(record.data(), 8)));
  record.append(data);
  PutFixed(record, MaskCrc32c(Crc32c(data)));
  return record;
}

std::string EncodeFileVersionEvent(double wall_time) {
  std::string event = EventHeader(wall_time);
  PutBytes(event, kEventFileVersion, "brain.Event:2");
  return event;
}

std::string EncodeScalarEvent(double wall_time, int64_t step, const std::map<std::string, float>& values) {
  std::string event = EventHeader(wall_time);
  PutStep(event, step);
  std::string summary;
  for (const auto& [tag, value] : values) {
    std::string v;
    PutBytes(v, kValueTag, tag);
    PutKey(v, kValueSimpleValue, kFixed32);
    PutFixed(v, value);
    PutBytes(summary, kSummaryValue, v);
  }
  PutBytes(event, kEventSummary, summary);
  return event;
}

std::string EncodeSessionStartEvent(double wall_time, int64_t step) {
  std::string event = EventHeader(wall_time);
  PutStep(event, step);
  std::string session_log;
  PutKey(session_log, kSessionLogStatus, kVarint);
  PutVarint(session_log, kSessionLogStart);
  PutBytes(event, kEventSessionLog, session_log);
  return event;
}

std::vector<std::string> ReadTfRecords(const std::string& path) {
  const std::string bytes = ReadTextFile(path, "event file");
  std::vector<std::string> records;
  size_t offset = 0;
  while (offset < bytes.size()) {
    const std::string where =
        path + ": record " + std::to_string(records.size() + 1) + " at byte " + std::to_string(offset);
    if (bytes.size() - offset < 12) throw IoError(where + " is truncated in its length header");
    uint64_t length = 0;
    uint32_t length_crc = 0;
    std::memcpy(&length, bytes.data() + offset, 8);
    std::memcpy(&length_crc, bytes.data() + offset + 8, 4);
    if (UnmaskCrc32c(length_crc) != Crc32c(bytes.data() + offset, 8)) {
      throw IoError(where + ": the length's CRC does not match; the file is corrupt");
    }
    if (bytes.size() - offset - 12 < length || bytes.size() - offset - 12 - length < 4) {
      throw IoError(where + " is truncated: it announces " + std::to_string(length) + " bytes of data");
    }
    const std::string_view data(bytes.data() + offset + 12, length);
    uint32_t data_crc = 0;
    std::memcpy(&data_crc, bytes.data() + offset + 12 + length, 4);
    if (UnmaskCrc32c(data_crc) != Crc32c(data))
      throw IoError(where + ": the data's CRC does not match; the file is corrupt");
    records.emplace_back(data);
    offset += 16 + length;
  }
  return records;
}

TfEventsWriter::TfEventsWriter(const std::string& directory, double wall_time) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    throw IoError("cannot create the run directory '" + directory + "': " + error.message() +
                  "; choose another path or fix its permissions");
  }
  if (wall_time == 0.0) wall_time = WallTimeNow();
  char stamp[32];
  std::snprintf(stamp, sizeof(stamp), "%010" PRId64, static_cast<int64_t>(std::floor(wall_time)));
  const std::string base =
      (std::filesystem::path(directory) / ("events.out.tfevents." + std::string(stamp) + "." + HostName())).string();
  path_ = base;
  for (int n = 1;; ++n) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ >= 0 || errno != EEXIST) break;
    path_ = base + "." + std::to_string(n);
  }
  if (fd_ < 0) {
    throw IoError("cannot create the event file '" + path_ + "': " + std::strerror(errno) +
                  "; check that the run directory is writable");
  }
  Append(EncodeTfRecord(EncodeFileVersionEvent(wall_time)));
}

TfEventsWriter::~TfEventsWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void TfEventsWriter::AddScalars(int64_t step, const std::map<std::string, double>& values, double wall_time) {
  std::map<std::string, float> floats;
  for (const auto& [tag, value] : values) floats[tag] = static_cast<float>(value);
  Append(EncodeTfRecord(EncodeScalarEvent(wall_time != 0.0 ? wall_time : WallTimeNow(), step, floats)));
}

void TfEventsWriter::AddSessionStart(int64_t step, double wall_time) {
  Append(EncodeTfRecord(EncodeSessionStartEvent(wall_time != 0.0 ? wall_time : WallTimeNow(), step)));
}

void TfEventsWriter::Close() {
  if (fd_ < 0) return;
  const int result = ::close(fd_);
  fd_ = -1;
  if (result != 0) {
    throw IoError("cannot write the event file '" + path_ + "': closing it failed: " + std::strerror(errno) +
                  "; check the disk's free space");
  }
}

void TfEventsWriter::Sync() {
  if (::fsync(fd_) != 0) throw IoError("cannot fsync the event file '" + path_ + "': " + std::strerror(errno));
}

void TfEventsWriter::Append(const std::string& record) {
  size_t written = 0;
  while (written < record.size()) {
    const ssize_t n = ::write(fd_, record.data() + written, record.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      throw IoError("cannot write the event file '" + path_ + "': " + std::strerror(errno) +
                    "; check the free space of the run directory");
    }
    written += static_cast<size_t>(n);
  }
}

}  // namespace lever
