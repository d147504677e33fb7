#pragma once
// A fast, strict reader of the LIBSVM / SVMlight text format, one example per line:
//
//   <label> [qid:<int>] <index>:<value> <index>:<value> ... [# comment]
//
// Indices are integers starting at 1 (at 0 with LibsvmOptions::zero_based), strictly increasing within a
// row, at most 2^31 - 1; values and labels are finite floats. qid is read and ignored. Blank lines and
// lines whose first non-blank character is '#' are skipped; '#' anywhere else starts a comment that runs
// to the end of the line. Spaces and tabs separate tokens; CRLF line ends are accepted, and a UTF-8
// byte-order mark at the start of the input is skipped.
//
// The parser works on memory chunks (the byte source hands it complete lines) and appends to CSR arrays
// without allocating per row. Messages about bad rows read "file:line:column: "token": problem; remedy",
// the column being the 1-based character position of the token in its line.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lever/data/bad_rows.h"
#include "lever/tensor/sparse.h"

namespace lever {

struct LibsvmOptions {
  bool zero_based = false;  // indices start at 0 (some tools write that); otherwise id = index - 1
  /// > 0: labels are class ids (softmax), whole numbers from 0 to num_classes - 1; a row with another
  /// label is a bad row. 0: any finite label.
  int64_t num_classes = 0;
};

/// The largest index the format accepts: ids are int32.
inline constexpr int64_t kLibsvmMaxIndex = 2147483647;

/// Parses the complete lines in [begin, end) (`end` is just after a '\n' or at the end of the input; a
/// last line without '\n' counts as complete), appending rows to `features` (0-based ids) and their
/// labels, as written, to `labels`. `first_line` is the 1-based line number of `begin` and `file` the name
/// used in messages; a chunk with `first_line` 1 is the start of the input, where a UTF-8 byte-order mark
/// is skipped. A malformed line goes to `bad_rows.Record` (a DataError by default; with
/// policy.skip the line is dropped and counted). `features.cols` ends as at least max(id) + 1.
/// Returns the number of lines consumed (blank, comment and skipped lines included).
int64_t ParseLibsvmChunk(const char* begin, const char* end, const std::string& file, int64_t first_line,
                         const LibsvmOptions& options, const BadRowPolicy& policy, BadRowReport& bad_rows,
                         std::vector<float>& labels, SparseRows& features);

/// A whole LIBSVM file in memory.
struct LibsvmData {
  std::vector<float> labels;  // as written (+1/-1, 0/1, class ids or regression targets)
  SparseRows features;
  BadRowReport bad_rows;
  int64_t lines = 0;
};

/// Parses a complete text (tests, small files). `file` names the text in messages.
LibsvmData ReadLibsvmBuffer(std::string_view text, const std::string& file = "<buffer>",
                            const LibsvmOptions& options = {}, const BadRowPolicy& policy = {});

/// One line (without '\n') in LIBSVM form: the label, then "<id + 1>:<value>" for each entry (ids as
/// is with zero_based), numbers in their shortest form that reads back exactly ("1 3:1 18:0.25").
std::string FormatLibsvmRow(float label, std::span<const int32_t> ids, std::span<const float> values,
                            bool zero_based = false);

}  // namespace lever
