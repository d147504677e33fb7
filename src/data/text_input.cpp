#include "lever/data/text_input.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include "lever/error.h"

namespace lever {

struct TextInput::Source {
  virtual ~Source() = default;
  /// Writes up to n bytes to dst and returns how many; fewer than n only at the end, 0 = nothing left.
  virtual size_t Fill(char* dst, size_t n) = 0;
};

namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// fread with the error turned into an IoError; returns fewer than n bytes only at the end of the file.
size_t ReadFile(std::FILE* file, const std::string& path, void* dst, size_t n) {
  const size_t got = std::fread(dst, 1, n, file);
  if (got < n && std::ferror(file)) {
    throw IoError(path + ": read failed: " + std::strerror(errno) + ". Check that the path is a readable file.");
  }
  return got;
}

class PlainSource : public TextInput::Source {
 public:
  PlainSource(FilePtr file, std::string path, const unsigned char* head, size_t head_size)
      : file_(std::move(file)), path_(std::move(path)), head_size_(head_size) {
    std::memcpy(head_, head, head_size);
  }

  size_t Fill(char* dst, size_t n) override {
    size_t copied = 0;
    // The bytes read to look for the gzip magic come first.
    if (head_used_ < head_size_) {
      copied = std::min(n, head_size_ - head_used_);
      std::memcpy(dst, head_ + head_used_, copied);
      head_used_ += copied;
    }
    return copied + ReadFile(file_.get(), path_, dst + copied, n - copied);
  }

 private:
  FilePtr file_;
  std::string path_;
  unsigned char head_[2] = {0, 0};
  size_t head_size_ = 0;
  size_t head_used_ = 0;
};

class GzipSource : public TextInput::Source {
 public:
  GzipSource(FilePtr file, std::string path, const unsigned char* head, size_t head_size)
      : file_(std::move(file)), path_(std::move(path)), input_(new unsigned char[TextInput::kBufferSize]) {
    std::memcpy(input_.get(), head, head_size);
    stream_.next_in = input_.get();
    stream_.avail_in = static_cast<uInt>(head_size);
    // 15 + 16: the largest window, and a gzip (not zlib) wrapper whose CRC and length zlib checks.
    if (inflateInit2(&stream_, 15 + 16) != Z_OK) {
      throw IoError(path_ + ": cannot start gzip decompression (out of memory)");
    }
  }
  ~GzipSource() override { inflateEnd(&stream_); }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  size_t Fill(char* dst, size_t n) override {
    const uInt want = static_cast<uInt>(std::min<size_t>(n, UINT_MAX));
    stream_.next_out = reinterpret_cast<Bytef*>(dst);
    stream_.avail_out = want;
    while (stream_.avail_out == want) {
      if (stream_.avail_in == 0) {
        stream_.next_in = input_.get();
        stream_.avail_in = static_cast<uInt>(ReadFile(file_.get(), path_, input_.get(), TextInput::kBufferSize));
        if (stream_.avail_in == 0) {
          if (member_done_) break;  // the clean end: the last member's trailer was checked
          throw IoError(path_ + ": gzip stream is truncated after " + std::to_string(produced_) +
                        " uncompressed bytes (the file ends before the gzip trailer). The file was cut short; "
                        "copy or download it again.");
        }
      }
      // More bytes after a finished member: another member follows (concatenated gzip files).
      if (member_done_) {
        inflateReset(&stream_);
        member_done_ = false;
      }
      const int rc = inflate(&stream_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        member_done_ = true;
      } else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
        throw IoError(path_ + ": gzip data is corrupt at uncompressed byte offset " +
                      std::to_string(produced_ + (want - stream_.avail_out)) +
                      " (zlib: " + (stream_.msg != nullptr ? stream_.msg : "invalid data") +
                      "). The file is damaged; recompress or download it again.");
      } else if (rc == Z_MEM_ERROR) {
        throw IoError(path_ + ": out of memory while decompressing gzip data");
      }
      // Z_OK and Z_BUF_ERROR: more input is needed, which the top of the loop reads.
    }
    const size_t got = want - stream_.avail_out;
    produced_ += static_cast<int64_t>(got);
    return got;
  }

 private:
  FilePtr file_;
  std::string path_;
  std::unique_ptr<unsigned char[]> input_;
  z_stream stream_{};
  bool member_done_ = false;
  int64_t produced_ = 0;
};

}  // namespace

TextInput::TextInput(std::string path) : path_(std::move(path)) {
  FilePtr file(std::fopen(path_.c_str(), "rb"));
  if (file == nullptr) {
    throw IoError(path_ + ": cannot open: " + std::strerror(errno) + ". Check the path and its permissions.");
  }
  // We read in 1 MiB blocks ourselves; stdio's own buffer would only add a copy.
  std::setvbuf(file.get(), nullptr, _IONBF, 0);
  unsigned char head[2] = {0, 0};
  const size_t head_size = ReadFile(file.get(), path_, head, 2);
  is_gzip_ = head_size == 2 && head[0] == 0x1f && head[1] == 0x8b;
  if (is_gzip_) {
    source_ = std::make_unique<GzipSource>(std::move(file), path_, head, head_size);
  } else {
    source_ = std::make_unique<PlainSource>(std::move(file), path_, head, head_size);
  }
  capacity_ = kBufferSize;
  buffer_ = std::make_unique_for_overwrite<char[]>(capacity_);
}

TextInput::~TextInput() = default;

void TextInput::Refill() {
  if (begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
    consumed_before_ += static_cast<int64_t>(begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == capacity_) {  // one line fills the whole buffer: make room for the rest of it
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity_ * 2);
    std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ *= 2;
  }
  const size_t got = source_->Fill(buffer_.get() + end_, capacity_ - end_);
  if (got == 0) at_end_ = true;
  end_ += got;
}

size_t TextInput::Read(char* dst, size_t n) {
  size_t total = 0;
  while (total < n) {
    if (begin_ == end_) {
      if (at_end_) break;
      if (n - total >= capacity_) {  // a large request goes straight to the caller's memory
        const size_t got = source_->Fill(dst + total, n - total);
        if (got == 0) {
          at_end_ = true;
          break;
        }
        total += got;
        consumed_before_ += static_cast<int64_t>(got);
        continue;
      }
      Refill();
      continue;
    }
    const size_t take = std::min(end_ - begin_, n - total);
    std::memcpy(dst + total, buffer_.get() + begin_, take);
    begin_ += take;
    total += take;
  }
  return total;
}

std::string_view TextInput::NextChunk() {
  if (begin_ == end_) {
    if (at_end_) return {};
    Refill();
  }
  const std::string_view chunk(buffer_.get() + begin_, end_ - begin_);
  begin_ = end_;
  return chunk;
}

bool TextInput::ReadLine(std::string_view* line) {
  size_t scan_from = begin_;
  for (;;) {
    const char* start = buffer_.get() + begin_;
    const void* newline = std::memchr(buffer_.get() + scan_from, '\n', end_ - scan_from);
    size_t length = 0;
    if (newline != nullptr) {
      length = static_cast<size_t>(static_cast<const char*>(newline) - start);
      begin_ += length + 1;
    } else if (at_end_) {
      if (begin_ == end_) return false;
      length = end_ - begin_;  // the last line has no newline
      begin_ = end_;
    } else {
      const size_t scanned = end_ - begin_;
      Refill();
      scan_from = begin_ + scanned;
      continue;
    }
    if (length > 0 && start[length - 1] == '\r') --length;
    *line = std::string_view(start, length);
    ++line_number_;
    return true;
  }
}

}  // namespace lever
