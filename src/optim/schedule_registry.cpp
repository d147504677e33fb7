#include "lever/error.h"
#include "lever/optim/schedule.h"

namespace lever {

std::vector<std::string> ScheduleNames() { return {"constant", "exponential", "step", "cosine"}; }

std::shared_ptr<LearningRateSchedule> MakeSchedule(const ScheduleSpec& spec) {
  if (spec.name == "constant") return ConstantSchedule(spec.learning_rate);
  if (spec.name == "exponential") {
    return ExponentialDecaySchedule(spec.learning_rate, spec.decay_steps, spec.decay_rate, spec.staircase);
  }
  if (spec.name == "step") return StepSchedule(spec.boundaries, spec.values);
  if (spec.name == "cosine") return CosineSchedule(spec.learning_rate, spec.decay_steps, spec.alpha, spec.warmup_steps);
  std::string valid;
  for (const auto& n : ScheduleNames()) valid += (valid.empty() ? "" : ", ") + n;
  throw ConfigError("unknown learning-rate schedule '" + spec.name + "'. Valid schedules: " + valid + ".");
}

}  // namespace lever
