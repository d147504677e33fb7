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
  /// Gives `optimizer` the schedule the flags describe, starting at its learning rate (nothing for the
  /// default, constant). Throws ConfigError for an invalid schedule or number.
  void ApplyTo(OptimizerSpec& optimizer) const;
};

}  // namespace lever::cli
