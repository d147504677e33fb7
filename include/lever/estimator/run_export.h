#pragma once
// A flag-driven `lever train` run (lever/train/training_run.h) exported into the run-config world, at its
// model's current weights (after any number of steps: a finished run, or a playground session between
// slices). `lever train --export DIR` and the playground's export write it:
//
//   <dir>/bundle/       an inference bundle (lever/estimator/bundle.h) of the run's weights: a `dnn`
//                       estimator over one `numeric` feature column (not standardized) per model input,
//                       whose MLP is the run's (the same MakeMlp, the same variable names), its weights copied
//                       in, so `lever predict --model <dir>/bundle` predicts what the run's model predicts
//   <dir>/run.yaml      a run config that trains the same network on the same files with the same knobs as
//                       far as a run config has them (comments at its top name the ones it lacks):
//                       `lever train --config <dir>/run.yaml`
//   <dir>/train.csv, test.csv  the run's data with a header. A Playground dataset: its feature columns as the
//                       model sees them (x1, x2, sin_x1, ...) and `label`; a CSV table: copies of its files
//   <dir>/command.txt   the `lever train` command line that reproduces the run exactly (lever/train/run_arguments.h)
//
//   TrainingRun run(spec);
//   run.Run();
//   const RunExport exported = ExportRun(run, "export");   // lever predict --model export/bundle
//
// The heads: sigmoid cross entropy with one output is `binary` (the bundle's probability is the sigmoid
// the run applies), sparse softmax cross entropy `multi_class` (the softmax), several sigmoid outputs of a
// multi-label table `multi_label`, mean squared error `regression` with the run's target scale (the trainer
// standardizes regression targets as a run config's head does, lever/losses/target_scale.h).
//
// Exact: a Playground run's features are written in the shortest text that reads back as the same float,
// the bundle's MLP is the same layers with the same weights, so its predictions on test.csv equal the
// run's bit for bit (checked before the directory is published). A CSV table's numbers are standardized by
// the run in float ((x - mean) * (1 / stddev)) and by a numeric feature column in double ((x - mean) /
// stddev), so there they agree to float rounding.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lever/train/training_run.h"

namespace lever {

/// What ExportRun wrote.
struct RunExport {
  std::string directory;                  // as given
  std::string head;                       // binary, multi_class, multi_label or regression
  int64_t step = 0;                       // the steps the exported weights have had (the bundle's global_step)
  std::vector<std::string> inputs;        // the bundle's input columns
  std::map<std::string, double> metrics;  // the bundle's evaluation on test.csv (its manifest's metrics)
  std::vector<std::string> notes;         // the run's knobs run.yaml cannot carry, as its comments say them
  std::string command;                    // command.txt's line
};

/// Writes the export of `run` (its current weights) into `directory`: built in a hidden sibling directory
/// and renamed into place, so the directory appears whole or not at all. Not while the run trains (it uses
/// the trainer's prediction graph). Throws ConfigError, with nothing written, when `directory` is a
/// symbolic link or exists and is not an empty directory, when the run uses a knob a run config's `dnn`
/// lacks (--batch-norm), a loss no run-config head trains (softmax_cross_entropy, or sigmoid_cross_entropy
/// on --task regression labels), features that repeat a name, or a CSV table a run config cannot read the
/// same way (text feature columns, which the run one-hot encodes and standardizes; a .tsv file); and
/// IoError when a file cannot be written (the hidden directory is then removed).
/// `recorded_as`, when given, is the directory the bundle's manifest and config name as the export's home
/// (its data files' place) instead of `directory`'s absolute path: a relative name for an export that is
/// moved (the playground zips it, and its server's paths stay private).
RunExport ExportRun(TrainingRun& run, const std::string& directory, const std::string& recorded_as = "");

/// The ConfigErrors ExportRun would throw for `run` and `directory`, so a caller can refuse before training.
void CheckExportable(const TrainingRun& run, const std::string& directory);

}  // namespace lever
