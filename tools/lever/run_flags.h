#pragma once
// The flags of one flag-driven `lever train` run (data, model, optimization), shared by `lever train` and
// `lever sweep` (whose arguments after `--` are these flags), and the TrainingRunSpec they make.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "data_flags.h"
#include "lever/train/training_run.h"
#include "schedule_flags.h"

namespace lever::cli {

struct RunFlags {
  TrainingRunSpec spec;
  DataFlags data;
  std::string hidden = "8,8";
  std::vector<std::string> optimizer_options;
  ScheduleFlags schedule;
};

/// Adds the data, model and optimization flags of `lever train` to `cmd`.
void AddRunFlags(CLI::App* cmd, RunFlags& f);

/// The run the parsed flags describe: lists parsed, and on a CSV table the run config's network for every
/// knob `cmd` did not get (TrainingRunSpec::UseTableDefaults).
TrainingRunSpec SpecFromFlags(const RunFlags& f, const CLI::App& cmd);

/// `args` parsed as `lever train`'s run flags (`lever sweep`'s arguments after `--`, the playground's
/// knobs). Throws ConfigError starting with `where` for flags that do not parse.
TrainingRunSpec TrainArguments(const std::vector<std::string>& args, const std::string& where);

}  // namespace lever::cli
