#pragma once
// The learning-rate schedule's flags (--lr-schedule, --decay-steps, ...), shared by the commands that
// train with an optimizer.
#include <CLI/CLI.hpp>
#include <string>

#include "lever/optim/registry.h"
#include "lever/optim/schedule.h"

namespace lever::cli {

struct ScheduleFlags {
  ScheduleSpec spec;
  std::string boundaries, values;  // step: comma-separated

  /// Adds the flags to `cmd`.
  void Add(CLI::App* cmd);
  /// The schedule the flags describe (the default: constant), checked by building it from
  /// `learning_rate`; the run builds its own from the spec (TrainingRunSpec::schedule). Throws ConfigError
  /// for an invalid schedule or number.
  ScheduleSpec Spec(double learning_rate) const;
};

}  // namespace lever::cli
