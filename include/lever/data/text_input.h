#pragma once
// A buffered byte source over a file, plain or gzip-compressed, for the text readers (CSV, LIBSVM).
//
// Gzip is recognised by its magic bytes (1f 8b), never by the file name, and decompressed on the fly with
// zlib in 1 MiB steps; concatenated gzip members (as `cat a.gz b.gz` or bgzip write) read as one stream.
// Two ways to consume the bytes, which may be mixed:
//   - chunks: NextChunk() hands out the buffered bytes without copying, Read() copies into the caller's
//     buffer; for parsers that find line ends themselves;
//   - lines:  ReadLine() returns the next line as a view into the buffer and counts lines (1-based).
// Reading never allocates in steady state: the buffer grows only for a line longer than it.
// Errors are IoErrors naming the file: a read failure gives the system's reason, a cut gzip file says the
// stream is truncated and a damaged one says it is corrupt, each with the decompressed byte offset.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace lever {

class TextInput {
 public:
  static constexpr size_t kBufferSize = size_t{1} << 20;  // 1 MiB: decompressed bytes per refill

  /// Opens `path`. Throws IoError naming the path and the system's reason when it cannot be opened.
  explicit TextInput(std::string path);
  ~TextInput();
  TextInput(const TextInput&) = delete;
  TextInput& operator=(const TextInput&) = delete;

  /// Copies up to `n` bytes into `dst`; returns how many, 0 only at the end of the input.
  size_t Read(char* dst, size_t n);

  /// The next buffered bytes (up to kBufferSize, at least 1 unless the input is exhausted), valid until
  /// the next call on this object; empty at the end of the input.
  std::string_view NextChunk();

  /// The next line without its "\n" or "\r\n" (the last line may lack one), valid until the next call;
  /// false at the end of the input. A file ending in "\n" has no empty last line.
  bool ReadLine(std::string_view* line);

  /// 1-based number of the line ReadLine last returned (0 before the first); chunk reads do not count.
  int64_t line_number() const { return line_number_; }
  /// Decompressed bytes handed out so far (by any of the three calls).
  int64_t offset() const { return consumed_before_ + static_cast<int64_t>(begin_); }
  const std::string& path() const { return path_; }
  bool is_gzip() const { return is_gzip_; }

  struct Source;  // a plain file or a gzip stream, defined in text_input.cpp

 private:
  void Refill();  // moves unread bytes to the front, then reads more; sets at_end_ when nothing came

  std::string path_;
  std::unique_ptr<Source> source_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  size_t begin_ = 0;  // first unread byte
  size_t end_ = 0;    // one past the last buffered byte
  bool at_end_ = false;
  bool is_gzip_ = false;
  int64_t consumed_before_ = 0;  // bytes handed out before the current buffer start
  int64_t line_number_ = 0;
};

}  // namespace lever
