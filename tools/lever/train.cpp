// `lever train`: flags into a TrainingRun (lever/train/training_run.h), or a run config into a job
// (train_job.h); the CLI prints what the library reports.
#include <fmt/core.h>

#include <cstdio>

#include "commands.h"
#include "console.h"
#include "flags.h"
#include "lever/error.h"
#include "lever/estimator/run_export.h"
#include "lever/losses/registry.h"
#include "lever/nn/activation.h"
#include "lever/nn/initializer.h"
#include "lever/registry.h"
#include "lever/train/training_run.h"
#include "run_flags.h"
#include "train_job.h"

namespace lever::cli {
namespace {

// The flags: a run's (run_flags.h), a run config, and the output's.
struct TrainFlags {
  RunFlags run;
  std::string config, export_dir;
  bool quiet = false, no_progress_bar = false;
  int fix = 0;
};

// "test loss 0.6931  test accuracy 0.5000", or what stopped the run.
std::string TestFigures(const TrainingOutcome& o) {
  if (!o.result.validation) return "diverged";
  std::string out = fmt::format("test loss {:.4f}", o.result.validation->loss);
  if (IsClassificationLoss(o.loss)) out += fmt::format("  test accuracy {:.4f}", o.result.validation->accuracy);
  return out;
}

// One run with the doctor: its outcome, or, when it diverged, the doctor's findings with no figures.
TrainingOutcome RunOnce(TrainingRun& run) {
  try {
    return run.Run();
  } catch (const DivergenceError& e) {
    if (run.doctor() == nullptr) throw;
    TrainingOutcome o;
    o.findings = run.doctor()->Diagnose();
    o.doctor_text = fmt::format("diverged at step {}\n{}", e.step(), FindingsText(o.findings, ""));
    return o;
  }
}

// Whether `after` is no worse on the test set than `before`: it trained where `before` diverged, or its
// test accuracy (classification) is not lower, or at most 2 points lower at a lower test loss (the loss is
// what training improves; accuracy on a few hundred rows moves in steps), or its test loss (regression) is
// at most 0.1% higher. A knob
// that changed nothing yet, such as L1 that still zeroes every weight, is kept so the next round can turn
// it further.
bool NoWorse(const TrainingOutcome& after, const TrainingOutcome& before) {
  if (!after.result.validation) return false;
  if (!before.result.validation) return true;
  if (IsClassificationLoss(after.loss)) {
    const double gained = after.result.validation->accuracy - before.result.validation->accuracy;
    return gained >= 0 || (gained >= -0.02 && after.result.validation->loss < before.result.validation->loss);
  }
  return after.result.validation->loss <= 1.001 * before.result.validation->loss;
}

// --fix: up to `rounds` retrainings, each with the first finding's knob turned, printed side by side. A
// round that makes the test set's figure worse is undone and ends the fixing. With a job directory, round k writes
// its files (result.json, doctor.json, the run log) to <job-dir>/fix-k.
int Fix(TrainingRunSpec spec, TrainingOutcome before, int rounds) {
  const std::string job_dir = spec.job_dir;
  std::vector<std::string> kept;
  for (int round = 1; round <= rounds && !before.findings.empty(); ++round) {
    const Finding top = before.findings.front();
    TrainingRunSpec next = spec;
    next.report_to_tuner = false;     // a tuning trial's figures are its first run's
    if (!next.ApplyKnob(top.knob)) {  // the knob is already where the doctor would turn it: nothing to try
      fmt::print("fix {}: {} for {}: already set; fixing stops\n", round, top.knob, top.id);
      break;
    }
    // Each round's files beside the first run's: <job-dir>/fix-1, fix-2, ...
    if (!spec.job_dir.empty()) next.job_dir = fmt::format("{}/fix-{}", job_dir, round);
    TrainingOutcome after;
    {
      TrainingRun run(next);
      after = RunOnce(run);
    }
    const bool better = NoWorse(after, before);
    fmt::print("fix {}: {} for {}: {} -> {}{}\n", round, top.knob, top.id, TestFigures(before), TestFigures(after),
               better ? "" : "  (worse: undone, fixing stops)");
    if (!better) break;
    fmt::print("{}", after.doctor_text);
    Flush(stdout);
    kept.push_back(top.knob);
    spec = std::move(next);
    before = std::move(after);
  }
  std::string knobs;
  for (const std::string& k : kept) knobs += (knobs.empty() ? "" : " ") + k;
  fmt::print("fixed: {}\n", kept.empty() ? std::string("nothing changed") : knobs + " -> " + TestFigures(before));
  return 0;
}

// The line --export prints: what was written where.
std::string ExportText(const RunExport& e) {
  std::string figures;
  for (const char* name : {"loss", "accuracy"}) {
    if (e.metrics.count(name) > 0) figures += fmt::format(" {} {:.4f}", name, e.metrics.at(name));
  }
  return fmt::format(
      "exported step {} ({} head, {} input columns; test.csv:{}) to {}: bundle/ (lever predict --model), run.yaml "
      "(lever train --config{}), train.csv, test.csv, command.txt",
      e.step, e.head, e.inputs.size(), figures, e.directory,
      e.notes.empty() ? "" : fmt::format("; its comments name {} knobs it lacks", e.notes.size()));
}

int Run(TrainFlags& f, const CLI::App& cmd) {
  if (!f.export_dir.empty() && f.fix > 0) {
    throw ConfigError(
        "--export writes one run; to export the run --fix ends with, train again with its knobs and "
        "--export");
  }
  TrainingRunSpec spec = SpecFromFlags(f.run, cmd);
  if (f.fix > 0) spec.doctor = true;
  TrainingOutcome o;
  {
    TrainingRun run(spec);
    const TrainConfig& c = run.config();
    ConsoleProgress progress(IsClassificationLoss(c.loss), !f.no_progress_bar && IsTerminal(stdout));
    progress.ShowStatistics(f.run.spec.config.statistics_every > 0);  // not the doctor's own samples
    if (!f.quiet) {
      WriteToStdout(run.Header());
      run.trainer().AddHook(&progress);
    }
    if (!f.export_dir.empty()) CheckExportable(run, f.export_dir);  // before training, not after
    if (f.fix > 0) {
      o = RunOnce(run);  // a diverging run is what --fix is for
      if (!o.result.validation) fmt::print("{}", o.doctor_text);
    } else {
      o = run.Run();
    }
    if (o.result.validation) fmt::print("{}{}", o.Text(), o.doctor_text);
    if (!f.export_dir.empty()) fmt::print("{}\n", ExportText(ExportRun(run, f.export_dir)));
  }
  Flush(stdout);
  if (!o.not_converged.empty()) fmt::print(stderr, "warning: {}\n", o.not_converged);
  return f.fix > 0 ? Fix(spec, std::move(o), f.fix) : 0;
}

}  // namespace

Command RegisterTrain(CLI::App& app) {
  auto f = std::make_shared<TrainFlags>();
  CLI::App* cmd =
      app.add_subcommand("train", "Train a network on a built-in TensorFlow Playground dataset or a numeric CSV table");
  AddRunFlags(cmd, f->run);
  cmd->add_option("--config", f->config,
                  "a run config (YAML: data, feature columns, estimator, train, eval, run); any key can then be "
                  "overridden with --key.path=value, e.g. --train.max_steps=500");
  cmd->allow_extras();
  cmd->add_option(
      "--job-dir,--job_dir", f->run.spec.job_dir,
      "directory for this run's run log (events.jsonl, eval/, TensorBoard files) and result.json (a tuner gives "
      "one per trial)");
  cmd->add_flag("--doctor", f->run.spec.doctor,
                "the training doctor: read the loss curves and gradient/activation statistics, and at the end say "
                "what is wrong and which knob to turn (with --job-dir: doctor.json); docs/doctor.md");
  cmd->add_option("--fix", f->fix,
                  "with the doctor: retrain up to N times, each time with the first finding's knob turned, and print "
                  "the test figures before and after (implies --doctor)")
      ->check(CLI::Range(0, 10));
  cmd->add_option("--export", f->export_dir,
                  "after training, write the run into this new (or empty) directory: an inference bundle of its "
                  "model (bundle/, for lever predict --model), a run config (run.yaml), its data (train.csv, "
                  "test.csv) and its command line (command.txt)");
  cmd->add_flag("--quiet,-q", f->quiet, "print only the final result");
  cmd->add_flag("--no-progress-bar", f->no_progress_bar,
                "on a terminal, print only the evaluation lines (no bar redrawn in place between them)");
  return [f, cmd] {
    if (f->config.empty()) {
      if (!cmd->remaining().empty()) {
        throw ConfigError("unknown argument '" + cmd->remaining().front() +
                          "' (--key.path=value overrides need --config)");
      }
      return Run(*f, *cmd);
    }
    if (f->fix > 0)
      throw ConfigError("--fix retrains flag-driven runs; with --config, apply the doctor's knobs as overrides");
    if (!f->export_dir.empty()) {
      throw ConfigError("--export writes a flag-driven run; a --config job is exported with lever export --config " +
                        f->config + " --output " + f->export_dir);
    }
    std::vector<std::string> overrides = ConfigOverrides(cmd);
    if (f->run.spec.doctor) overrides.push_back("doctor=true");
    return RunTrainJob(f->config, overrides, f->run.spec.job_dir,
                       {.quiet = f->quiet, .progress_bar = !f->no_progress_bar && IsTerminal(stdout)});
  };
}

}  // namespace lever::cli
