#include "lever/data/libsvm.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>

#include "lever/error.h"
#include "lever/io/excerpt.h"

namespace lever {
namespace {

// Every scan inside a line stops at the '\n' that ends it (the sentinel), so the hot loops test one
// character class per character and never a bound.
enum CharClass : uint8_t { kOther = 0, kBlank = 1, kStop = 2 };  // kStop: '\n' or '#' ends the tokens

constexpr std::array<uint8_t, 256> MakeCharClasses() {
  std::array<uint8_t, 256> classes{};
  classes[static_cast<unsigned char>(' ')] = kBlank;
  classes[static_cast<unsigned char>('\t')] = kBlank;
  classes[static_cast<unsigned char>('\r')] = kBlank;  // CRLF: the '\r' reads as trailing blank
  classes[static_cast<unsigned char>('\n')] = kStop;
  classes[static_cast<unsigned char>('#')] = kStop;
  return classes;
}
constexpr std::array<uint8_t, 256> kCharClasses = MakeCharClasses();

inline bool IsBlank(char c) { return kCharClasses[static_cast<unsigned char>(c)] == kBlank; }
inline bool IsStop(char c) { return kCharClasses[static_cast<unsigned char>(c)] == kStop; }
inline bool IsDelimiter(char c) { return kCharClasses[static_cast<unsigned char>(c)] != kOther; }
inline bool IsDigit(char c) { return static_cast<unsigned>(c - '0') < 10u; }

enum class NumberStatus { kOk, kNotNumber, kNotFinite, kOutOfRange };

// The whole of [begin, end) as a float: optional sign ('+' too), decimal or scientific notation.
NumberStatus ParseFloat(const char* begin, const char* end, float& out) {
  const char* p = begin;
  if (p < end && *p == '+') {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) return NumberStatus::kNotNumber;
  }
  if (p == end) return NumberStatus::kNotNumber;
  const auto [ptr, ec] = std::from_chars(p, end, out);
  if (ec == std::errc::invalid_argument || ptr != end) return NumberStatus::kNotNumber;
  if (ec == std::errc::result_out_of_range) {
    // Too large for a float, or so small that it rounds to zero: only the first is an error.
    double wide = 0;
    const auto [wide_ptr, wide_ec] = std::from_chars(p, end, wide);
    if (wide_ec == std::errc() && wide_ptr == end) {
      if (std::abs(wide) > static_cast<double>(FLT_MAX)) return NumberStatus::kOutOfRange;
      out = static_cast<float>(wide);
      return NumberStatus::kOk;
    }
    // Beyond a double too: the exponent's sign (or a leading "0." without one) tells the direction.
    const std::string_view text(p, static_cast<size_t>(end - p));
    const size_t e = text.find_first_of("eE");
    const bool tiny = e != std::string_view::npos ? (e + 1 < text.size() && text[e + 1] == '-')
                                                  : (text.starts_with("0.") || text.starts_with("-0.") ||
                                                     text.starts_with(".") || text.starts_with("-."));
    if (!tiny) return NumberStatus::kOutOfRange;
    out = text.starts_with("-") ? -0.0f : 0.0f;
    return NumberStatus::kOk;
  }
  if (!std::isfinite(out)) return NumberStatus::kNotFinite;
  return NumberStatus::kOk;
}

// Reads the run of decimal digits at p and returns its end, with its value in `value` (runs longer than
// 19 digits wrap: callers bound the length). Where 8 bytes can be read, one unaligned load finds the run's
// length and converts up to 7 digits without a branch per digit (SWAR, as in fast_float's
// parse_eight_digits_unrolled); the plain loop mispredicts at the end of every number of varying length.
inline const char* ParseDigits(const char* p, const char* readable_end, uint64_t& value) {
  if constexpr (std::endian::native == std::endian::little) {
    if (readable_end - p >= 8) [[likely]] {
      uint64_t chunk = 0;
      std::memcpy(&chunk, p, 8);
      // A byte is a digit when its high nibble is 3 before and after adding 6. Carries only run from a
      // non-digit byte into later ones, which do not matter: only the first non-digit is looked at.
      const uint64_t high = 0xF0F0F0F0F0F0F0F0ULL, threes = 0x3030303030303030ULL;
      const uint64_t not_digit = ((chunk & high) ^ threes) | (((chunk + 0x0606060606060606ULL) & high) ^ threes);
      if (not_digit != 0) {
        const int length = std::countr_zero(not_digit) >> 3;
        if (length == 0) {
          value = 0;
          return p;
        }
        // Digits to the top bytes, zeros (leading zeros of the number) below, then 8 digits at once.
        uint64_t digits = (chunk - threes) << (8 * (8 - length));
        digits = digits * 10 + (digits >> 8);
        digits = (((digits & 0x000000FF000000FFULL) * 0x000F424000000064ULL) +
                  (((digits >> 16) & 0x000000FF000000FFULL) * 0x0000271000000001ULL)) >>
                 32;
        value = static_cast<uint32_t>(digits);
        return p + length;
      }
    }
  }
  uint64_t result = 0;
  while (IsDigit(*p)) {
    result = result * 10 + static_cast<uint64_t>(*p - '0');
    ++p;
  }
  value = result;
  return p;
}

// Powers of ten that a float holds exactly.
constexpr std::array<float, 11> kPowersOfTen = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};

// Parses the number at p up to the next delimiter; returns the delimiter's position. The fast path takes
// what most files hold, plain decimals such as "1", "-1", "+1", "17" or "0.375": when the digits form an
// integer m < 2^24 with at most 10 after the point, m and 10^k are exact floats and one IEEE division
// rounds m / 10^k correctly (Clinger's fast path), the same float std::from_chars gives. Everything else
// (exponents, long mantissas, nan, inf, garbage) goes through std::from_chars.
inline const char* ParseNumber(const char* p, float& out, NumberStatus& status) {
  const char* q = p;
  const bool negative = *q == '-';
  if (negative || *q == '+') ++q;
  const char* digits = q;
  uint64_t mantissa = 0;
  while (IsDigit(*q)) {
    mantissa = mantissa * 10 + static_cast<uint64_t>(*q - '0');
    ++q;
  }
  ptrdiff_t count = q - digits;
  ptrdiff_t fraction = 0;
  if (*q == '.') {
    const char* fraction_begin = ++q;
    while (IsDigit(*q)) {
      mantissa = mantissa * 10 + static_cast<uint64_t>(*q - '0');
      ++q;
    }
    fraction = q - fraction_begin;
    count += fraction;
  }
  if (count > 0 && count <= 19 && mantissa <= (uint64_t{1} << 24) && fraction <= 10 && IsDelimiter(*q)) [[likely]] {
    float value = static_cast<float>(mantissa);
    if (fraction > 0) value /= kPowersOfTen[static_cast<size_t>(fraction)];
    out = negative ? -value : value;
    status = NumberStatus::kOk;
    return q;
  }
  while (!IsDelimiter(*q)) ++q;
  status = ParseFloat(p, q, out);
  return q;
}

class ChunkParser {
 public:
  ChunkParser(const std::string& file, const LibsvmOptions& options, const BadRowPolicy& policy, BadRowReport& bad_rows,
              std::vector<float>& labels, SparseRows& features)
      : file_(file),
        base_(options.zero_based ? 0 : 1),
        num_classes_(options.num_classes),
        policy_(policy),
        bad_rows_(bad_rows),
        labels_(labels),
        features_(features) {}

  /// Parses the line starting at `line`, which ends with a '\n' (the sentinel every scan stops at);
  /// the bytes up to `readable_end` (past the '\n') may be read, never used.
  void ParseLine(const char* line, const char* readable_end, int64_t line_number) {
    const char* p = line;
    while (IsBlank(*p)) ++p;
    if (IsStop(*p)) return;  // a blank line, or a comment line

    line_ = line;
    readable_end_ = readable_end;
    line_number_ = line_number;
    row_start_ = features_.ids.size();

    float label = 0;
    NumberStatus status = NumberStatus::kOk;
    const char* token = p;
    p = ParseNumber(p, label, status);
    if (status != NumberStatus::kOk) [[unlikely]]
      return BadLabel(token, status);
    if (num_classes_ > 0 && !IsClassId(label)) [[unlikely]]
      return BadClassId(token);

    while (IsBlank(*p)) ++p;
    if (p[0] == 'q' && p[1] == 'i' && p[2] == 'd' && p[3] == ':') {  // short-circuits at the sentinel
      token = p;
      p += 4;
      const char* digits = p;
      while (IsDigit(*p)) ++p;
      if (p == digits || !IsDelimiter(*p)) [[unlikely]] {
        return Reject(token, "qid expects a non-negative integer (qid is read and ignored)");
      }
    }

    std::vector<int32_t>& ids = features_.ids;
    std::vector<float>& values = features_.values;
    int64_t previous_id = -1;
    for (;;) {
      while (IsBlank(*p)) ++p;
      if (IsStop(*p)) break;
      token = p;
      uint64_t index = 0;
      p = ParseDigits(p, readable_end_, index);
      // Up to 10 digits cannot overflow the accumulator; longer runs (leading zeros aside) are too large.
      if (p - token > 10) [[unlikely]]
        index = LongIndex(token, p);
      if (*p != ':' || p == token) [[unlikely]]
        return BadIndexToken(token);
      const int64_t id = static_cast<int64_t>(index) - base_;
      if (id <= previous_id || index > static_cast<uint64_t>(kLibsvmMaxIndex)) [[unlikely]] {
        return BadIndex(token, index, previous_id);
      }
      previous_id = id;
      const char* value_begin = ++p;
      float value = 0;
      p = ParseNumber(value_begin, value, status);
      if (status != NumberStatus::kOk) [[unlikely]]
        return BadValue(token, value_begin, p, index, status);
      ids.push_back(static_cast<int32_t>(id));
      values.push_back(value);
    }
    labels_.push_back(label);
    features_.row_ptr.push_back(static_cast<int64_t>(ids.size()));
    // Ids increase within a row, so the last one is the row's largest.
    if (previous_id >= features_.cols) features_.cols = previous_id + 1;
  }

 private:
  // The value of a run of more than 10 digits, capped at kLibsvmMaxIndex + 1.
  [[gnu::cold]] [[gnu::noinline]] static uint64_t LongIndex(const char* begin, const char* end) {
    uint64_t index = 0;
    for (const char* p = begin; p < end; ++p) {
      index = std::min<uint64_t>(index * 10 + static_cast<uint64_t>(*p - '0'), kLibsvmMaxIndex + 1);
    }
    return index;
  }

  // The token at p as the user wrote it (up to the next blank, '#' or line end), shortened if long. A
  // control or non-ASCII byte is shown as \xNN: a binary file read as LIBSVM must not write its bytes to
  // the terminal, and a LIBSVM token is ASCII.
  // The token at `p` as messages quote it (escaped and cut: the file may be binary).
  static std::string TokenText(const char* p) {
    constexpr size_t kMaxShown = 60;
    const char* q = p;
    while (!IsDelimiter(*q) && static_cast<size_t>(q - p) <= kMaxShown) ++q;
    return QuoteExcerpt(std::string_view(p, static_cast<size_t>(q - p)), kMaxShown);
  }

  // Drops the row being built and records `problem` (which may throw, leaving the arrays consistent).
  [[gnu::cold]] [[gnu::noinline]] void Reject(const char* token, const std::string& problem) {
    features_.ids.resize(row_start_);
    features_.values.resize(row_start_);
    const std::string message = file_ + ":" + std::to_string(line_number_) + ":" + std::to_string(token - line_ + 1) +
                                ": " + TokenText(token) + ": " + problem;
    bad_rows_.Record(message, policy_);
  }

  bool IsClassId(float label) const {
    return label >= 0.0f && label == std::floor(label) &&
           static_cast<double>(label) < static_cast<double>(num_classes_);
  }

  [[gnu::cold]] [[gnu::noinline]] void BadClassId(const char* token) {
    const std::string last = std::to_string(num_classes_ - 1);
    return Reject(token, "the label is not a class id: with " + std::to_string(num_classes_) +
                             " classes, labels are whole numbers from 0 to " + last +
                             "; fix the row or raise the number of classes");
  }

  [[gnu::cold]] [[gnu::noinline]] void BadLabel(const char* token, NumberStatus status) {
    switch (status) {
      case NumberStatus::kNotFinite:
        return Reject(token, "the label is not finite (NaN or Inf); fix or remove the row");
      case NumberStatus::kOutOfRange:
        return Reject(token, "the label is outside the range of a float (about +-3.4e38)");
      default:
        return Reject(token,
                      "the label expects a number (such as 1, -1, +1, 0 or 2.5); each line is "
                      "<label> <index>:<value> ...");
    }
  }

  // The token does not start with digits followed by ':'.
  [[gnu::cold]] [[gnu::noinline]] void BadIndexToken(const char* token) {
    const char* end = token;
    while (!IsDelimiter(*end)) ++end;
    const std::string_view text(token, static_cast<size_t>(end - token));
    const size_t colon = text.find(':');
    const std::string_view index = text.substr(0, colon);
    if (index.size() > 1 && index[0] == '-' &&
        std::all_of(index.begin() + 1, index.end(), [](char c) { return IsDigit(c); })) {
      return Reject(token, "index " + std::string(index) + " is negative; LIBSVM indices are integers from " +
                               std::to_string(base_) + (base_ == 1 ? " (from 0 when read zero-based)" : "") +
                               " up to 2147483647");
    }
    if (colon == std::string_view::npos) {
      return Reject(token, "expected <index>:<value> such as 17:1, the ':' is missing");
    }
    if (index.empty()) return Reject(token, "the index before ':' is missing; expected <index>:<value> such as 17:1");
    if (index == "qid") return Reject(token, "qid must come right after the label");
    return Reject(token,
                  "the index " + QuoteExcerpt(index) + " is not an integer; expected <index>:<value> such as 17:1");
  }

  [[gnu::cold]] [[gnu::noinline]] void BadIndex(const char* token, uint64_t index, int64_t previous_id) {
    if (index > static_cast<uint64_t>(kLibsvmMaxIndex)) {
      return Reject(token, "the index exceeds the largest supported index 2147483647 (2^31 - 1)");
    }
    if (index == 0 && base_ == 1) {
      return Reject(token,
                    "index 0 is not valid: LIBSVM indices start at 1; if your file counts from 0, read it zero-based "
                    "(lever linear --zero-based; LibsvmOptions::zero_based in the library)");
    }
    const int64_t previous_index = previous_id + base_;
    if (static_cast<int64_t>(index) == previous_index) {
      return Reject(token, "index " + std::to_string(index) +
                               " repeats the previous index (duplicate); indices must be strictly increasing "
                               "within a row: merge or remove the duplicate");
    }
    return Reject(token, "index " + std::to_string(index) + " follows index " + std::to_string(previous_index) +
                             " (unsorted); indices must be strictly increasing within a row: sort each row's "
                             "entries by index");
  }

  [[gnu::cold]] [[gnu::noinline]] void BadValue(const char* token, const char* value_begin, const char* value_end,
                                                uint64_t index, NumberStatus status) {
    const std::string what = "the value of index " + std::to_string(index);
    if (value_begin == value_end) {
      return Reject(token, what + " is empty; expected <index>:<value> such as 17:1");
    }
    switch (status) {
      case NumberStatus::kNotFinite:
        return Reject(token, what + " is not finite (NaN or Inf); remove the entry or give it a finite value");
      case NumberStatus::kOutOfRange:
        return Reject(token, what + " is outside the range of a float (about +-3.4e38)");
      default:
        return Reject(token, what + " expects a number (such as 1, 0.5 or -2e-3)");
    }
  }

  const std::string& file_;
  const int64_t base_;
  const int64_t num_classes_;
  const BadRowPolicy& policy_;
  BadRowReport& bad_rows_;
  std::vector<float>& labels_;
  SparseRows& features_;
  const char* line_ = nullptr;  // the line being parsed, for columns in messages
  const char* readable_end_ = nullptr;
  int64_t line_number_ = 0;
  size_t row_start_ = 0;
};

template <typename T>
void Reserve(std::vector<T>& array, size_t more) {
  const size_t needed = array.size() + more;
  if (array.capacity() < needed) array.reserve(std::max(needed, 2 * array.capacity()));
}

}  // namespace

int64_t ParseLibsvmChunk(const char* begin, const char* end, const std::string& file, int64_t first_line,
                         const LibsvmOptions& options, const BadRowPolicy& policy, BadRowReport& bad_rows,
                         std::vector<float>& labels, SparseRows& features) {
  // Every entry takes at least 4 characters (" 1:1"), so this bound holds the whole chunk: no
  // reallocation inside it, and growth stays geometric across chunks. Pages past what the rows use are
  // reserved, not touched.
  const size_t bound = static_cast<size_t>(end - begin) / 4 + 1;
  Reserve(features.ids, bound);
  Reserve(features.values, bound);
  ChunkParser parser(file, options, policy, bad_rows, labels, features);
  int64_t line_number = first_line;
  const char* p = begin;
  // A UTF-8 byte-order mark (as Windows tools write) is not part of the first label.
  if (first_line == 1 && end - begin >= 3 && std::memcmp(begin, "\xEF\xBB\xBF", 3) == 0) p += 3;
  while (p < end) {
    const char* eol = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (eol == nullptr) {
      // The input's last line has no '\n': parse a copy that has one, so the scans keep their sentinel.
      std::string last(p, end);
      last.push_back('\n');
      parser.ParseLine(last.data(), last.data() + last.size(), line_number++);
      break;
    }
    parser.ParseLine(p, end, line_number++);
    p = eol + 1;
  }
  return line_number - first_line;
}

LibsvmData ReadLibsvmBuffer(std::string_view text, const std::string& file, const LibsvmOptions& options,
                            const BadRowPolicy& policy) {
  LibsvmData data;
  data.lines = ParseLibsvmChunk(text.data(), text.data() + text.size(), file, 1, options, policy, data.bad_rows,
                                data.labels, data.features);
  return data;
}

std::string FormatLibsvmRow(float label, std::span<const int32_t> ids, std::span<const float> values, bool zero_based) {
  if (ids.size() != values.size()) {
    throw ShapeError("FormatLibsvmRow: " + std::to_string(ids.size()) + " ids but " + std::to_string(values.size()) +
                     " values; pass one value per id");
  }
  std::string line;
  line.reserve(16 + ids.size() * 16);
  char buffer[64];
  const auto append_float = [&](float value) {
    const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
    line.append(buffer, result.ptr);
  };
  append_float(label);
  for (size_t i = 0; i < ids.size(); ++i) {
    line.push_back(' ');
    const auto result =
        std::to_chars(buffer, buffer + sizeof(buffer), static_cast<int64_t>(ids[i]) + (zero_based ? 0 : 1));
    line.append(buffer, result.ptr);
    line.push_back(':');
    append_float(values[i]);
  }
  return line;
}

}  // namespace lever
