#include "lever/tune/study_storage.h"

#include "lever/error.h"
#include "lever/io/excerpt.h"

namespace lever::tune {

std::string ToString(TrialStatus status) {
  switch (status) {
    case TrialStatus::kCompleted:
      return "COMPLETED";
    case TrialStatus::kStopped:
      return "STOPPED";
    case TrialStatus::kFailed:
      return "FAILED";
    case TrialStatus::kInterrupted:
      return "INTERRUPTED";
    case TrialStatus::kRunning:
      break;
  }
  return "RUNNING";
}

TrialStatus ParseTrialStatus(const std::string& text) {
  for (const TrialStatus s : {TrialStatus::kRunning, TrialStatus::kCompleted, TrialStatus::kStopped,
                              TrialStatus::kFailed, TrialStatus::kInterrupted}) {
    if (ToString(s) == text) return s;
  }
  throw DataError("unknown trial state " + QuoteExcerpt(text) +
                  " in a study database; valid: RUNNING, COMPLETED, STOPPED, FAILED, INTERRUPTED");
}

TrialState SamplerState(TrialStatus status) {
  switch (status) {
    case TrialStatus::kCompleted:
      return TrialState::kCompleted;
    case TrialStatus::kStopped:
      return TrialState::kStopped;
    case TrialStatus::kFailed:
      return TrialState::kFailed;
    case TrialStatus::kRunning:
    case TrialStatus::kInterrupted:
      break;
  }
  return TrialState::kPending;
}

}  // namespace lever::tune
