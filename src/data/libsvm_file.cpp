#include "lever/data/libsvm_file.h"

#include <algorithm>
#include <cstring>

#include "lever/error.h"

namespace lever {

LibsvmFileReader::LibsvmFileReader(std::string path, LibsvmOptions options, BadRowPolicy policy, size_t block_bytes)
    : path_(std::move(path)),
      options_(options),
      policy_(policy),
      block_bytes_(std::max<size_t>(block_bytes, 4096)),
      input_(path_) {}

bool LibsvmFileReader::Next(SparseBlock& block) {
  block.Clear();
  block.first_line = next_line_;
  while (!at_end_) {
    if (buffer_.size() < carried_ + block_bytes_) buffer_.resize(carried_ + block_bytes_);
    const size_t got = input_.Read(buffer_.data() + carried_, block_bytes_);
    const size_t total = carried_ + got;
    size_t complete = 0;  // bytes of complete lines at the front
    if (got == 0) {
      at_end_ = true;
      complete = total;  // a last line without '\n' is complete at the end of the file
    } else {
      const void* nl = nullptr;
      for (size_t i = total; i > carried_ && nl == nullptr; --i) {
        if (buffer_[i - 1] == '\n') nl = &buffer_[i - 1];
      }
      if (nl == nullptr) {  // a line longer than the block: read more
        carried_ = total;
        continue;
      }
      complete = static_cast<size_t>(static_cast<const char*>(nl) - buffer_.data()) + 1;
    }
    if (complete > 0) {
      next_line_ += ParseLibsvmChunk(buffer_.data(), buffer_.data() + complete, path_, next_line_, options_, policy_,
                                     bad_rows_, block.labels, block.features);
    }
    carried_ = total - complete;
    if (carried_ > 0) std::memmove(buffer_.data(), buffer_.data() + complete, carried_);
    if (block.features.rows() > 0) break;
  }
  block.end_line = next_line_;
  return block.features.rows() > 0;
}

// ---- LibsvmStream ---------------------------------------------------------------------------------------

LibsvmStream::LibsvmStream(std::string path, Index num_features, LibsvmOptions options, BadRowPolicy policy,
                           StreamOptions stream)
    : path_(std::move(path)),
      num_features_(num_features),
      options_(options),
      policy_(policy),
      stream_(stream),
      rng_(Rng::Stream(stream.seed, 0x5B0FF1E5ULL)) {
  if (num_features_ <= 0) throw ConfigError("streaming '" + path_ + "' needs the number of features (e.g. 1048576)");
  if (stream_.shuffle_buffer < 0) throw ConfigError("shuffle buffer must be >= 0");
  if (stream_.prefetch_blocks < 1) stream_.prefetch_blocks = 1;
  { TextInput probe(path_); }  // fail here, not on the thread, when the file cannot be opened
  producer_ = std::thread([this] { Produce(); });
}

LibsvmStream::~LibsvmStream() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  space_.notify_all();
  if (producer_.joinable()) producer_.join();
}

BadRowReport LibsvmStream::bad_rows() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bad_rows_;
}

int64_t LibsvmStream::skipped_rows() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bad_rows_.skipped();
}

int64_t LibsvmStream::examples_per_pass() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return examples_per_pass_;
}

namespace {

// Why a pass over `path` gave no example.
std::string NoExamplesMessage(const std::string& path, const BadRowReport& bad_rows) {
  if (bad_rows.skipped() == 0) {
    return "no examples in " + path +
           ": the file holds no data lines (it is empty, or has only blank and "
           "comment lines)";
  }
  return "no examples in " + path + ": all " + std::to_string(bad_rows.skipped()) +
         " of its data lines are malformed and were skipped; the first: " + bad_rows.messages().front();
}

}  // namespace

void LibsvmStream::Produce() {
  try {
    for (int64_t pass = 0; pass == 0 || stream_.repeat; ++pass) {
      // Later passes read the same lines again: their bad rows were counted, and held to the limit, in the
      // first pass.
      BadRowPolicy policy = policy_;
      if (pass > 0) policy.max_skipped = 0;
      LibsvmFileReader reader(path_, options_, policy);
      int64_t examples = 0;
      while (true) {
        std::unique_ptr<SparseBlock> block;
        {
          std::unique_lock<std::mutex> lock(mutex_);
          space_.wait(lock, [&] { return stop_ || static_cast<int>(full_.size()) < stream_.prefetch_blocks; });
          if (stop_) return;
          if (!free_.empty()) {
            block = std::move(free_.front());
            free_.pop_front();
          }
        }
        if (!block) block = std::make_unique<SparseBlock>();
        const bool got = reader.Next(*block);
        if (got) {
          CheckFeatures(*block);
          examples += block->features.rows();
        } else {
          if (examples == 0) throw DataError(NoExamplesMessage(path_, reader.bad_rows()));
          block->end_of_pass = true;
        }
        {
          std::lock_guard<std::mutex> lock(mutex_);
          if (pass == 0) {
            if (reader.bad_rows().skipped() != bad_rows_.skipped()) bad_rows_ = reader.bad_rows();
            if (!got) examples_per_pass_ = examples;
          }
          full_.push_back(std::move(block));
        }
        ready_.notify_one();
        if (!got) break;
      }
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = std::current_exception();
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    producer_done_ = true;
  }
  ready_.notify_all();
}

void LibsvmStream::CheckFeatures(const SparseBlock& block) const {
  if (block.features.cols <= num_features_) return;
  const auto bad = std::max_element(block.features.ids.begin(), block.features.ids.end());
  throw DataError(path_ + ":" + std::to_string(block.first_line) + "-" + std::to_string(block.end_line - 1) +
                  ": feature index " + std::to_string(static_cast<int64_t>(*bad) + (options_.zero_based ? 0 : 1)) +
                  " is beyond the " + std::to_string(num_features_) +
                  " features of the model; raise the number of features or fix the file");
}

bool LibsvmStream::NextBlock() {
  while (true) {
    std::unique_ptr<SparseBlock> block;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [&] { return !full_.empty() || producer_done_; });
      if (full_.empty()) {
        if (error_) std::rethrow_exception(error_);
        return false;
      }
      block = std::move(full_.front());
      full_.pop_front();
      if (current_) free_.push_back(std::move(current_));
    }
    space_.notify_one();
    if (block->end_of_pass) {
      pass_ends_.push_back(read_);
      std::lock_guard<std::mutex> lock(mutex_);
      free_.push_back(std::move(block));
      continue;
    }
    current_ = std::move(block);
    next_row_ = 0;
    return true;
  }
}

bool LibsvmStream::ReadExample(SparseRows& x, std::vector<float>& y) {
  while (!current_ || next_row_ >= current_->features.rows()) {
    if (!NextBlock()) return false;
  }
  const SparseRows& f = current_->features;
  const int64_t begin = f.row_ptr[static_cast<size_t>(next_row_)];
  const int64_t end = f.row_ptr[static_cast<size_t>(next_row_) + 1];
  x.ids.insert(x.ids.end(), f.ids.begin() + begin, f.ids.begin() + end);
  x.values.insert(x.values.end(), f.values.begin() + begin, f.values.begin() + end);
  x.EndRow();
  y.push_back(current_->labels[static_cast<size_t>(next_row_)]);
  ++next_row_;
  ++read_;
  // Fetch the next block now, so that an end of the file right after this example counts as a pass
  // before anyone asks for more.
  if (next_row_ >= current_->features.rows()) NextBlock();
  return true;
}

int64_t LibsvmStream::passes() const {
  int64_t n = 0;
  for (int64_t end : pass_ends_) n += end <= examples_ ? 1 : 0;
  return n;
}

bool LibsvmStream::Next(Index batch, SparseRows& x, std::vector<float>& y) {
  x.Clear();
  x.cols = num_features_;
  y.clear();
  if (stream_.shuffle_buffer == 0) {
    while (x.rows() < batch && ReadExample(x, y)) {
    }
  } else {
    // Keep the pool full, then hand out a random member and refill its slot.
    auto fill = [&](Slot& slot) {
      one_.Clear();
      one_label_.clear();
      if (input_exhausted_ || !ReadExample(one_, one_label_)) {
        input_exhausted_ = true;
        return false;
      }
      slot.ids.assign(one_.ids.begin(), one_.ids.end());
      slot.values.assign(one_.values.begin(), one_.values.end());
      slot.label = one_label_[0];
      return true;
    };
    while (static_cast<int64_t>(pool_.size()) < stream_.shuffle_buffer && !input_exhausted_) {
      pool_.emplace_back();
      if (!fill(pool_.back())) pool_.pop_back();
    }
    while (x.rows() < batch && !pool_.empty()) {
      const size_t j = static_cast<size_t>(rng_.UniformInt(pool_.size()));
      Slot& slot = pool_[j];
      x.ids.insert(x.ids.end(), slot.ids.begin(), slot.ids.end());
      x.values.insert(x.values.end(), slot.values.begin(), slot.values.end());
      x.EndRow();
      y.push_back(slot.label);
      if (!fill(slot)) {
        std::swap(slot, pool_.back());
        pool_.pop_back();
      }
    }
  }
  examples_ += x.rows();
  return x.rows() > 0;
}

}  // namespace lever
