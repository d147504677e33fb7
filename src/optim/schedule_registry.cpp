#include "lever/error.h"
#include "lever/optim/schedule.h"
#include "lever/registry.h"

namespace lever {
namespace {

struct ScheduleKind {
  const char* name;
  std::vector<std::string> aliases;
  const char* help;
  std::shared_ptr<LearningRateSchedule> (*make)(const ScheduleSpec& spec);
};

// One line per learning-rate schedule.
// clang-format off
const std::vector<ScheduleKind>& Registry() {
  static const std::vector<ScheduleKind> table = {
      {"constant", {}, "the learning rate throughout",
       [](const ScheduleSpec& s) { return ConstantSchedule(s.learning_rate); }},
      {"exponential", {}, "rate * decay_rate^(step / decay_steps), optionally staircase",
       [](const ScheduleSpec& s) {
         return ExponentialDecaySchedule(s.learning_rate, s.decay_steps, s.decay_rate, s.staircase);
       }},
      {"step", {}, "piecewise constant: values between boundaries",
       [](const ScheduleSpec& s) { return StepSchedule(s.boundaries, s.values); }},
      {"cosine", {}, "cosine decay to alpha * rate over decay_steps, after warmup_steps",
       [](const ScheduleSpec& s) { return CosineSchedule(s.learning_rate, s.decay_steps, s.alpha, s.warmup_steps); }},
  };
  return table;
}
// clang-format on

}  // namespace

std::vector<std::string> ScheduleNames() { return internal::EntryNames(Registry()); }

std::vector<NameEntry> ScheduleEntries() { return internal::Describe(Registry()); }

std::shared_ptr<LearningRateSchedule> MakeSchedule(const ScheduleSpec& spec) {
  return internal::LookUp(Registry(), spec.name, "schedule").make(spec);
}

}  // namespace lever
