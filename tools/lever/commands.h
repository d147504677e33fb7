#pragma once
// Subcommands of the lever CLI: each registers its flags and returns the function that runs it.
#include <CLI/CLI.hpp>
#include <functional>

namespace lever::cli {

using Command = std::function<int()>;

/// `lever train`: trains a network on a built-in dataset and reports progress and final metrics.
Command RegisterTrain(CLI::App& app);

/// `lever linear`: linear and logistic models on sparse LIBSVM or CSV data.
Command RegisterLinear(CLI::App& app);

/// `lever eval` and `lever predict`: a trained `lever train --config` job's model on new data.
Command RegisterEval(CLI::App& app);
Command RegisterPredict(CLI::App& app);

/// `lever export`: a trained job's model as an inference bundle.
Command RegisterExport(CLI::App& app);

/// `lever threshold`: the ROC table and a decision threshold from scores and labels.
Command RegisterThreshold(CLI::App& app);

/// `lever tune`: runs a hyperparameter study of a trainer command, or shows a stored one.
Command RegisterTune(CLI::App& app);

/// `lever doctor`: the training doctor's diagnosis of a job directory.
Command RegisterDoctor(CLI::App& app);

/// `lever sweep`: every combination of knob values trained, the table and the curves.
Command RegisterSweep(CLI::App& app);

/// `lever report`: one self-contained HTML page of a run.
Command RegisterReport(CLI::App& app);

/// `lever playground`: the Playground's page, training on lever's engine in the server.
Command RegisterPlayground(CLI::App& app);

/// `lever names`: every table of named things, for users and for the lists in docs/.
Command RegisterNames(CLI::App& app);

}  // namespace lever::cli
