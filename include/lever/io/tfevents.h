#pragma once
// TensorBoard event files, written without TensorFlow or a protobuf library.
//
// A file is a sequence of TFRecords:
//   uint64 length (little-endian) | uint32 masked CRC-32C of the 8 length bytes | data | uint32 masked
//   CRC-32C of data
// with mask(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8 (lever/io/crc32c.h). Each record's data is
// a tensorflow.Event protobuf (tensorflow/core/util/event.proto, summary.proto):
//   Event      { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5;
//                SessionLog session_log = 6; }
//   Summary    { repeated Value value = 1; }   Value { string tag = 1; float simple_value = 2; }
//   SessionLog { SessionStatus status = 1; }   SessionStatus { STATUS_UNSPECIFIED = 0; START = 1; ... }
// The first record carries file_version "brain.Event:2"; the others a summary of scalars, or a
// SessionLog START: TensorBoard treats the first START of a run as its beginning and every later one as a
// restart, dropping the events it read before whose step is at or after the START's step.
// `tensorboard --logdir <run directory>` shows them (docs/checkpoints.md).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lever {

/// One record's bytes: length, masked CRC of the length, data, masked CRC of the data.
std::string EncodeTfRecord(std::string_view data);
/// The Event protobuf that opens a file: wall_time and file_version "brain.Event:2".
std::string EncodeFileVersionEvent(double wall_time);
/// An Event protobuf holding one Summary.Value (tag, simple_value) per scalar, in the map's order.
std::string EncodeScalarEvent(double wall_time, int64_t step, const std::map<std::string, float>& values);
/// An Event protobuf holding a SessionLog with status START at `step`.
std::string EncodeSessionStartEvent(double wall_time, int64_t step);

/// The data of every record in a TFRecord file, verifying both CRCs of each. Throws IoError naming the
/// file, the record number and its byte offset when a record is truncated or fails its check.
std::vector<std::string> ReadTfRecords(const std::string& path);

class TfEventsWriter {
 public:
  /// Creates `directory` when missing and the file events.out.tfevents.<unix seconds, 10 digits>.<host>
  /// in it (TensorBoard's naming; ".1", ".2", ... is appended when a file of that name exists), then
  /// writes the file_version event. `wall_time` 0 means now. Throws IoError naming the file.
  explicit TfEventsWriter(const std::string& directory, double wall_time = 0.0);
  ~TfEventsWriter();
  TfEventsWriter(const TfEventsWriter&) = delete;
  TfEventsWriter& operator=(const TfEventsWriter&) = delete;

  /// Appends one Event with these scalars (as float, TensorBoard's simple_value) in one write().
  /// `wall_time` 0 means now. Throws IoError when the write fails.
  void AddScalars(int64_t step, const std::map<std::string, double>& values, double wall_time = 0.0);
  void AddScalar(int64_t step, const std::string& tag, double value, double wall_time = 0.0) {
    AddScalars(step, {{tag, value}}, wall_time);
  }
  /// Appends a SessionLog START event at `step`: a (re)start of training whose first logged step is
  /// `step`; TensorBoard then discards events of steps >= `step` from earlier files of the directory.
  void AddSessionStart(int64_t step, double wall_time = 0.0);
  /// Makes what was written durable (fsync); writes already reach the file (and readers) at once.
  void Sync();
  /// Closes the file; throws IoError with the reason when close() fails. The destructor closes quietly.
  void Close();
  const std::string& path() const { return path_; }

 private:
  void Append(const std::string& record);
  std::string path_;
  int fd_ = -1;
};

}  // namespace lever
