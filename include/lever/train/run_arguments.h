#pragma once
// A flag-driven run as the `lever train` flags that train it again: the inverse of reading the flags
// (tools/lever/run_flags.cpp) and of TrainingRunSpec::ApplyKnob. Same flags and seed, same weights, so
// the command line is a run's exact reproduction (an export's command.txt, lever/estimator/run_export.h).
//
//   TrainingRun run(spec);
//   run.Run();
//   std::string line = TrainCommandLine(RunArguments(run));
//   // "lever train --dataset spiral --features x1,x2 --noise 0 ... --batch-size 10 --steps 3000 --seed 1"
#include <cstdint>
#include <string>
#include <vector>

#include "lever/train/training_run.h"

namespace lever {

/// The steps that bring `run` to the weights it has now: the steps it took (a playground session trains in
/// slices), or with early stopping on a holdout its --steps, since the holdout checks' cadence follows
/// --steps and training stops where it stopped.
int64_t RunSteps(const TrainingRun& run);

/// The flags of `run` (its data, model and training knobs, with --steps RunSteps(run)), in the order
/// `lever train --help` lists them. Every model and training knob is spelled out, so the line means the
/// same when a default changes; a CSV table's files and schema as absolute paths; the reporting flags
/// (--eval-every, --doctor, --job-dir) left out, as they change no weight. Throws ConfigError naming the
/// knob when the spec holds what no flag gives: a learning-rate schedule set only as an object
/// (OptimizerSpec::schedule, not TrainingRunSpec::schedule), a data seed other than the training seed,
/// or a list entry holding a comma.
std::vector<std::string> RunArguments(const TrainingRun& run);

/// "lever train" and `arguments`, each quoted for a POSIX shell where it needs it ('' for an empty one).
std::string TrainCommandLine(const std::vector<std::string>& arguments);

}  // namespace lever
