// ReadLibsvmFile: a LIBSVM file into memory, parsed on several threads while it is read.
//
// The calling thread reads blocks of whole lines and counts their lines (so every block knows the number
// of its first line before anyone parses it); workers parse blocks as they arrive, each into its own
// scratch rows, and append them to the result in file order. Blocks are appended in order and an error
// stops the appending, so the rows, the skipped-row count and the first error reported are those of a
// sequential read.
#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

#include "lever/data/libsvm_file.h"
#include "lever/data/text_input.h"
#include "lever/error.h"

namespace lever {
namespace {

constexpr size_t kBlockBytes = size_t{8} << 20;  // text per parsed block
constexpr size_t kBlocksInFlight = 4;            // read but not yet parsed, per worker

struct Block {
  std::vector<char> text;  // whole lines
  int64_t first_line = 1;
};

// Reads whole-line blocks; the partial last line of one read is carried into the next block.
class BlockSource {
 public:
  explicit BlockSource(const std::string& path) : input_(path) {}

  // The next block of whole lines, or false at the end of the input.
  bool Next(Block& block) {
    block.text.swap(carry_);
    carry_.clear();
    block.first_line = next_line_;
    while (!at_end_) {
      const size_t old = block.text.size();
      block.text.resize(old + kBlockBytes);
      const size_t got = input_.Read(block.text.data() + old, kBlockBytes);
      block.text.resize(old + got);
      if (got == 0) {
        at_end_ = true;
        break;
      }
      const auto last_newline =
          std::find(block.text.rbegin(), block.text.rend() - static_cast<std::ptrdiff_t>(old), '\n');
      if (last_newline == block.text.rend() - static_cast<std::ptrdiff_t>(old)) continue;  // a line longer than a block
      const size_t complete = static_cast<size_t>(block.text.rend() - last_newline);
      carry_.assign(block.text.begin() + static_cast<std::ptrdiff_t>(complete), block.text.end());
      block.text.resize(complete);
      break;
    }
    next_line_ += std::count(block.text.begin(), block.text.end(), '\n');
    if (!block.text.empty() && block.text.back() != '\n') ++next_line_;  // the last line has no '\n'
    return !block.text.empty();
  }
  int64_t lines() const { return next_line_ - 1; }
  bool is_gzip() const { return input_.is_gzip(); }

 private:
  TextInput input_;
  std::vector<char> carry_;
  bool at_end_ = false;
  int64_t next_line_ = 1;
};

// Parses the file's blocks on `workers` threads while the calling thread reads them, and appends each
// block's rows to `data` in file order. A worker parses into its own scratch rows (reused from block to
// block), then waits for its block's turn and appends: the joined arrays are written once, in order,
// and (for a plain file, whose size bounds them) never reallocated.
void ParseInto(const std::string& path, const LibsvmOptions& options, const BadRowPolicy& policy, int workers,
               LibsvmData& data) {
  BlockSource source(path);
  std::error_code ec;
  const auto file_bytes = std::filesystem::file_size(path, ec);
  std::deque<Block> blocks;  // read, not yet taken by a worker
  std::mutex mutex;
  std::condition_variable ready, space, turn;
  size_t read = 0, taken = 0, appended = 0;
  bool done_reading = false;
  std::exception_ptr error;  // the first in file order
  BadRowReport& total = data.bad_rows;

  auto append = [&](const LibsvmData& part, size_t index, size_t text_bytes) {
    if (index == 0 && !ec && !source.is_gzip() && text_bytes > 0) {
      // Reserve for the whole file, extrapolated from its first block (with 10% to spare), so that the
      // joined arrays are written once and not copied as they grow. Only touched pages cost memory.
      const double scale = 1.1 * static_cast<double>(file_bytes) / static_cast<double>(text_bytes);
      const auto rows = static_cast<size_t>(scale * static_cast<double>(part.features.rows())) + 1024;
      const auto nnz = static_cast<size_t>(scale * static_cast<double>(part.features.nnz())) + 1024;
      data.features.ids.reserve(nnz);
      data.features.values.reserve(nnz);
      data.features.row_ptr.reserve(rows + 1);
      data.labels.reserve(rows);
    }
    total.Merge(part.bad_rows, policy);  // the policy's limit applies to the file's total, in file order
    SparseRows& x = data.features;
    const int64_t base = static_cast<int64_t>(x.ids.size());
    x.ids.insert(x.ids.end(), part.features.ids.begin(), part.features.ids.end());
    x.values.insert(x.values.end(), part.features.values.begin(), part.features.values.end());
    for (size_t r = 1; r < part.features.row_ptr.size(); ++r) x.row_ptr.push_back(base + part.features.row_ptr[r]);
    data.labels.insert(data.labels.end(), part.labels.begin(), part.labels.end());
    x.cols = std::max(x.cols, part.features.cols);
  };

  auto work = [&] {
    LibsvmData scratch;
    while (true) {
      Block block;
      size_t index = 0;
      {
        std::unique_lock<std::mutex> lock(mutex);
        ready.wait(lock, [&] { return !blocks.empty() || done_reading; });
        if (blocks.empty()) return;
        block = std::move(blocks.front());
        blocks.pop_front();
        index = taken++;
      }
      space.notify_one();
      scratch.labels.clear();
      scratch.features.Clear();
      scratch.features.cols = 0;
      scratch.bad_rows = BadRowReport();
      std::exception_ptr failure;
      const size_t text_bytes = block.text.size();
      try {
        // Without a limit here: the limit applies to the sum, in file order.
        BadRowPolicy unlimited = policy;
        unlimited.max_skipped = 0;
        ParseLibsvmChunk(block.text.data(), block.text.data() + block.text.size(), path, block.first_line, options,
                         unlimited, scratch.bad_rows, scratch.labels, scratch.features);
      } catch (...) {
        failure = std::current_exception();
      }
      std::unique_lock<std::mutex> lock(mutex);
      turn.wait(lock, [&] { return appended == index; });
      if (!error) {
        if (failure) {
          error = failure;
        } else {
          try {
            append(scratch, index, text_bytes);
          } catch (...) {
            error = std::current_exception();
          }
        }
      }
      ++appended;
      lock.unlock();
      turn.notify_all();
      space.notify_one();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(workers));
  for (int t = 0; t < workers; ++t) threads.emplace_back(work);
  auto finish = [&] {
    {
      std::lock_guard<std::mutex> lock(mutex);
      done_reading = true;
    }
    ready.notify_all();
    for (auto& t : threads) t.join();
  };
  try {
    while (true) {
      Block block;
      if (!source.Next(block)) break;
      std::unique_lock<std::mutex> lock(mutex);
      space.wait(lock, [&] { return read - appended < kBlocksInFlight * static_cast<size_t>(workers) || error; });
      if (error) break;  // reading on is wasted work
      blocks.push_back(std::move(block));
      ++read;
      lock.unlock();
      ready.notify_one();
    }
  } catch (...) {
    finish();
    throw;
  }
  finish();
  if (error) std::rethrow_exception(error);
  data.lines = source.lines();
}

}  // namespace

LibsvmData ReadLibsvmFile(const std::string& path, const LibsvmOptions& options, const BadRowPolicy& policy,
                          Index num_features, int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  LibsvmData data;
  ParseInto(path, options, policy, threads, data);
  data.features.cols = std::max(data.features.cols, num_features);
  return data;
}

}  // namespace lever
