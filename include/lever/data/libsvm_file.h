#pragma once
// LIBSVM files: read block by block (any size, gzip or not), whole into memory, or as a stream of
// shuffled batches prepared on a background thread while the model trains.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lever/data/libsvm.h"
#include "lever/data/text_input.h"
#include "lever/tensor/rng.h"

namespace lever {

/// Consecutive examples of a file.
struct SparseBlock {
  SparseRows features;
  std::vector<float> labels;
  int64_t first_line = 0;    // 1-based line of the block's first line
  int64_t end_line = 0;      // one past its last line
  bool end_of_pass = false;  // a marker after a file's last block (no examples)
  void Clear() {
    features.Clear();
    labels.clear();
    end_of_pass = false;
  }
};

/// Reads a LIBSVM file in blocks of complete lines (about `block_bytes` of text each).
class LibsvmFileReader {
 public:
  LibsvmFileReader(std::string path, LibsvmOptions options = {}, BadRowPolicy policy = {},
                   size_t block_bytes = size_t{4} << 20);
  /// Replaces `block`'s contents with the next lines' examples; false at the end of the file.
  bool Next(SparseBlock& block);
  const BadRowReport& bad_rows() const { return bad_rows_; }
  const std::string& path() const { return path_; }
  int64_t lines() const { return next_line_ - 1; }

 private:
  std::string path_;
  LibsvmOptions options_;
  BadRowPolicy policy_;
  size_t block_bytes_;
  TextInput input_;
  std::vector<char> buffer_;  // carried partial line + new bytes
  size_t carried_ = 0;
  bool at_end_ = false;
  int64_t next_line_ = 1;
  BadRowReport bad_rows_;
};

/// The whole file in memory; `features.cols` is at least max id + 1 (and `num_features` if larger).
/// Blocks of the file are parsed on `threads` threads (0 = one per core) while it is read, and joined in
/// file order: the result, the line numbers in messages and the first error reported are those of a
/// sequential read.
LibsvmData ReadLibsvmFile(const std::string& path, const LibsvmOptions& options = {}, const BadRowPolicy& policy = {},
                          Index num_features = 0, int threads = 0);

struct StreamOptions {
  /// Examples held for shuffling: each batch row is drawn at random from the next `shuffle_buffer`
  /// examples of the file (TensorFlow's shuffle). 0 keeps the file order.
  int64_t shuffle_buffer = 0;
  uint64_t seed = 1;
  /// Read the file again after its end; the number of passes then follows from steps x batch size.
  bool repeat = true;
  /// Blocks read ahead of training.
  int prefetch_blocks = 4;
};

/// Batches of examples from a LIBSVM file, parsed on a background thread ahead of training.
///
/// Malformed rows follow `policy` over the whole run: with repeat, every pass reads the same lines, so a
/// bad line is counted (and held to policy.max_skipped) once, in the first pass. A pass without a single
/// example (an empty file, or every row skipped) is a DataError "no examples in <file>" from Next().
class LibsvmStream {
 public:
  /// `num_features` fixes the feature space (ids beyond it are a DataError naming the file and line).
  LibsvmStream(std::string path, Index num_features, LibsvmOptions options = {}, BadRowPolicy policy = {},
               StreamOptions stream = {});
  ~LibsvmStream();
  LibsvmStream(const LibsvmStream&) = delete;
  LibsvmStream& operator=(const LibsvmStream&) = delete;

  /// Replaces x and y with the next batch of up to `batch` examples (fewer only at the very end without
  /// repeat); false when there is nothing left. Rethrows a reading error from the background thread.
  bool Next(Index batch, SparseRows& x, std::vector<float>& y);
  /// Completed passes over the file (a pass counts once all of its examples were handed out, shuffle
  /// buffer included), and examples handed out.
  int64_t passes() const;
  int64_t examples() const { return examples_; }
  /// Malformed rows skipped so far (each line once, however many passes), with the first messages.
  BadRowReport bad_rows() const;
  int64_t skipped_rows() const;
  /// Examples in one pass over the file, once the background thread has read it to the end; -1 before.
  int64_t examples_per_pass() const;

 private:
  void Produce();
  bool NextBlock();  // moves the next parsed block into current_; false at the end
  bool ReadExample(SparseRows& x, std::vector<float>& y);  // appends the next example in file order
  void CheckFeatures(const SparseBlock& block) const;

  std::string path_;
  Index num_features_;
  LibsvmOptions options_;
  BadRowPolicy policy_;
  StreamOptions stream_;
  Rng rng_;

  // Producer side.
  std::thread producer_;
  mutable std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::deque<std::unique_ptr<SparseBlock>> full_, free_;
  bool producer_done_ = false;
  bool stop_ = false;
  std::exception_ptr error_;
  BadRowReport bad_rows_;  // the first pass's
  int64_t examples_per_pass_ = -1;

  // Consumer side.
  std::unique_ptr<SparseBlock> current_;
  Index next_row_ = 0;
  int64_t read_ = 0;                // examples taken from blocks
  std::vector<int64_t> pass_ends_;  // read_ at each end of the file
  int64_t examples_ = 0;            // examples handed out
  // Shuffle buffer: examples stored back to back.
  struct Slot {
    std::vector<int32_t> ids;
    std::vector<float> values;
    float label = 0;
  };
  std::vector<Slot> pool_;
  SparseRows one_;  // one example on its way into the pool (reused)
  std::vector<float> one_label_;
  bool input_exhausted_ = false;
};

}  // namespace lever
