#pragma once
// What readers do with malformed rows: fail on the first one (the default), or skip, count and report
// them, failing once too many were skipped.
#include <cstdint>
#include <string>
#include <vector>

#include "lever/error.h"

namespace lever {

struct BadRowPolicy {
  bool skip = false;           // false: the first bad row is a DataError
  int64_t max_skipped = 1000;  // with skip: one more than this is a DataError (0 = no limit)
};

/// Skipped rows so far, and the messages of the first few (for the user's report).
class BadRowReport {
 public:
  static constexpr size_t kKeptMessages = 10;

  /// Records a bad row described by `message` (which names file, line, column, value and what was
  /// expected). Throws DataError(message) when the policy does not skip, or when the limit is passed.
  void Record(const std::string& message, const BadRowPolicy& policy) {
    if (!policy.skip) throw DataError(message);
    ++skipped_;
    if (messages_.size() < kKeptMessages) messages_.push_back(message);
    if (policy.max_skipped > 0 && skipped_ > policy.max_skipped) throw TooMany(policy, message);
  }
  /// Adds another report's rows (of a later part of the same input, recorded without a limit), keeping
  /// the first messages. Throws DataError, as Record would have, when the sum passes the policy's limit.
  void Merge(const BadRowReport& other, const BadRowPolicy& policy) {
    if (policy.max_skipped > 0 && skipped_ + other.skipped_ > policy.max_skipped) {
      // The row that passes the limit is the other report's (limit - skipped + 1)-th.
      const auto crossing = static_cast<size_t>(policy.max_skipped - skipped_);
      throw TooMany(policy, crossing < other.messages_.size() ? other.messages_[crossing]
                                                              : "(a row after " + other.messages_.back() + ")");
    }
    skipped_ += other.skipped_;
    for (const auto& m : other.messages_) {
      if (messages_.size() < kKeptMessages) messages_.push_back(m);
    }
  }
  int64_t skipped() const { return skipped_; }
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  static DataError TooMany(const BadRowPolicy& policy, const std::string& last) {
    return DataError("more than " + std::to_string(policy.max_skipped) + " malformed rows skipped; the last one: " +
                     last + "\n  Fix the data or raise the limit of skipped rows.");
  }

  int64_t skipped_ = 0;
  std::vector<std::string> messages_;
};

}  // namespace lever
