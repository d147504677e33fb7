#pragma once
// A model directory of checkpoints: atomic, checksummed, the last N kept, resumable from the newest
// good one. Layout (docs/checkpoints.md):
//
//   <dir>/ckpt-<step>.safetensors   the tensors (lever/io/safetensors.h) and an I64 "global_step"
//   <dir>/ckpt-<step>.json          the commit record: step, wall time, the tensors file's size and
//                                   CRC-32C, the model config and the caller's extra JSON
//   <dir>/checkpoint                index: the latest step and the steps kept (for people and tools)
//
// A checkpoint exists once its commit record does. Save writes the tensors file, then the record, each
// to a temporary file that is fsynced and renamed into place (then the directory is fsynced), so a crash
// leaves either no record or a record whose tensors file is complete. Older checkpoints are deleted
// only after the new one is durable. One process writes a directory at a time.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lever/checkpoint/checkpoint.h"

namespace lever {

/// Where LatestGood found a good checkpoint, and what it skipped on the way.
struct LatestCheckpoint {
  /// The newest checkpoint that verified; empty when there is none.
  std::optional<CheckpointContents> checkpoint;
  /// One message per newer checkpoint skipped (uncommitted, truncated, checksum mismatch, unreadable),
  /// newest first, each naming the file. The library does not print; callers report these.
  std::vector<std::string> problems;
  /// The problems as "; <first>; <second>" ("" when none), to append to a message.
  std::string ProblemsText() const {
    std::string text;
    for (const std::string& problem : problems) text += "; " + problem;
    return text;
  }
};

class CheckpointManager {
 public:
  /// Manages `directory` (created when missing), keeping the newest `keep_max` >= 1 checkpoints.
  /// Throws ConfigError for keep_max < 1 and IoError when the directory cannot be created.
  CheckpointManager(std::string directory, int keep_max = 5);

  /// Writes and commits checkpoint `contents.step` (replacing one of the same step, whose record is
  /// deleted first so a crash cannot pair it with the new tensors), updates the index,
  /// then deletes what is no longer kept: checkpoints beyond the newest keep_max, those of later steps
  /// (left by a run that resumed from an earlier checkpoint; they are not its future), uncommitted
  /// tensors files and stale temporary files. Returns the commit record's path. Throws IoError.
  std::string Save(const CheckpointContents& contents);

  /// Steps with a commit record, ascending (not verified; see Load and LatestGood).
  std::vector<int64_t> Steps() const;
  /// Reads and verifies checkpoint `step`: the record, the tensors file's size and CRC-32C, the
  /// safetensors structure and the step. Throws IoError naming the file and what is wrong.
  CheckpointContents Load(int64_t step) const;
  /// Walks back from the newest checkpoint (committed or not) to the first that loads and verifies.
  LatestCheckpoint LatestGood() const;

  std::string TensorsPath(int64_t step) const;
  std::string RecordPath(int64_t step) const;
  std::string IndexPath() const;
  const std::string& directory() const { return directory_; }
  int keep_max() const { return keep_max_; }

 private:
  std::string directory_;
  int keep_max_;
};

}  // namespace lever
