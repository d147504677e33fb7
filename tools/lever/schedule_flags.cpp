#include "schedule_flags.h"

#include <vector>

#include "flags.h"
#include "lever/registry.h"

namespace lever::cli {

void ScheduleFlags::Add(CLI::App* cmd) {
  cmd->add_option("--lr-schedule", spec.name, JoinNames(ScheduleNames()))->capture_default_str();
  cmd->add_option("--decay-steps", spec.decay_steps, "exponential/cosine: steps per decay period");
  cmd->add_option("--decay-rate", spec.decay_rate, "exponential: factor per decay period")->capture_default_str();
  cmd->add_flag("--staircase", spec.staircase, "exponential: decay in whole periods");
  cmd->add_option("--boundaries", boundaries, "step: comma-separated step boundaries");
  cmd->add_option("--values", values, "step: comma-separated rates, one more than boundaries");
  cmd->add_option("--alpha", spec.alpha, "cosine: final rate as a fraction of the initial one");
  cmd->add_option("--warmup-steps", spec.warmup_steps, "cosine: linear warm-up steps");
}

ScheduleSpec ScheduleFlags::Spec(double learning_rate) const {
  if (spec.name == "constant") return spec;
  ScheduleSpec s = spec;
  s.learning_rate = learning_rate;
  for (const auto& b : boundaries.empty() ? std::vector<std::string>{} : SplitNames(boundaries)) {
    s.boundaries.push_back(static_cast<int64_t>(ParseNumber(b, "--boundaries")));
  }
  for (const auto& v : values.empty() ? std::vector<std::string>{} : SplitNames(values)) {
    s.values.push_back(ParseNumber(v, "--values"));
  }
  MakeSchedule(s);  // a bad schedule is an error while the flags are read, before any data is loaded
  return s;
}

}  // namespace lever::cli
