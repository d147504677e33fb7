// `lever tune`: runs a hyperparameter study (lever/tune/study_runner.h) and prints one line per trial
// event, a progress line, and at the end the best trial, the parameters' importance and the plots.
#include <fmt/core.h>
#include <fmt/format.h>

#include <filesystem>

#include "commands.h"
#include "console.h"
#include "lever/error.h"
#include "lever/tune/sqlite_storage.h"
#include "lever/tune/study_plots.h"
#include "lever/tune/study_report.h"
#include "lever/tune/study_runner.h"

namespace lever::cli {
namespace {

namespace fs = std::filesystem;
using namespace lever::tune;

struct TuneFlags {
  std::string config, study_dir, show;
  uint64_t seed = 1;
  int max_trials = 0;
  bool quiet = false;
  std::vector<std::string> command;  // after --
};

// Prints the trial table (lever/tune/study_report.h) as the study runs.
class TablePrinter : public StudyObserver {
 public:
  TablePrinter(const StudyDefinition& study, int max_trials, bool quiet) : table_(study, max_trials), quiet_(quiet) {}
  void OnStudyOpened(const StudyInfo&, const std::vector<StoredTrial>& trials, int interrupted) override {
    if (quiet_) return;
    if (!trials.empty()) {
      fmt::print("resuming: {} trials kept, {} interrupted by a stopped tuner to run again\n",
                 trials.size() - static_cast<size_t>(interrupted), interrupted);
    }
    fmt::print("{}", table_.Header());
    for (const StoredTrial& t : trials) fmt::print("{}", table_.Row(t));
    Flush(stdout);
  }
  void OnTrialStarted(const StoredTrial& t) override {
    if (quiet_) return;
    fmt::print("{}", table_.Row(t));
    Flush(stdout);
  }
  void OnTrialFinished(const StoredTrial& t, const std::vector<StoredTrial>& all) override {
    if (quiet_) return;
    fmt::print("{}{}", table_.Row(t), table_.Progress(all));
    Flush(stdout);
  }

 private:
  TrialTable table_;
  bool quiet_;
};

int Show(const TuneFlags& f) {
  const fs::path db = fs::path(f.show) / "study.db";
  if (!fs::exists(db)) throw ConfigError("--show: no study database at '" + db.string() + "'");
  SqliteStudyStorage storage(db.string(), SqliteStudyStorage::Access::kReadOnly);
  const std::optional<StudyInfo> study = storage.FindStudy(StudyOptions().study_name);
  if (!study) throw DataError("'" + db.string() + "' holds no study named 'default'");
  const std::vector<StoredTrial> trials = storage.ListTrials(study->id);
  const TrialTable table(study->definition, static_cast<int>(trials.size()));
  fmt::print("study {}: {} {}, {} trials\n{}", f.show, ToString(study->definition.goal), study->definition.metric_tag,
             trials.size(), table.Header());
  for (const StoredTrial& t : trials) fmt::print("{}", table.Row(t));
  fmt::print("{}", StudySummary(study->definition, trials));
  return 0;
}

int Run(const TuneFlags& f) {
  if (!f.show.empty()) return Show(f);
  if (f.config.empty() || f.study_dir.empty()) {
    throw ConfigError("lever tune needs --config <study.yaml> and --study-dir <dir> (or --show <dir>)");
  }
  StudySpec spec = LoadStudySpec(f.config);
  if (f.max_trials > 0) spec.max_trials = f.max_trials;
  if (!f.command.empty()) {
    if (!spec.trainer) spec.trainer = TrainerSpec{};
    spec.trainer->command = f.command;
  }
  if (!spec.trainer) {
    throw ConfigError(f.config +
                      " has no trainer: add trainer.command to it, or give the command after --, as in "
                      "lever tune --config " +
                      f.config + " --study-dir " + f.study_dir + " -- python3 train.py");
  }
  StudyOptions options;
  options.seed = f.seed;
  const fs::path dir = fs::absolute(f.study_dir).lexically_normal();
  if (!spec.resume_previous_job_id.empty()) {
    const fs::path previous = dir.parent_path() / spec.resume_previous_job_id;
    if (previous != dir) {
      options.prior_history = LoadPriorHistory(spec, previous.string());
      if (!f.quiet)
        fmt::print("resumePreviousJobId: {} finished trials of {} guide the sampler\n", options.prior_history.size(),
                   previous.string());
    }
  }
  if (!f.quiet && !spec.ignored_keys.empty()) {
    fmt::print("note: {} ignored (they configure Cloud ML machines)\n", fmt::join(spec.ignored_keys, ", "));
  }
  fs::create_directories(dir);
  SqliteStudyStorage storage((dir / "study.db").string());
  if (!f.quiet) {
    fmt::print("study {}: {} {}, {} trials, {} at a time, {}, seed {}\n", dir.string(), ToString(spec.goal),
               spec.metric_tag, spec.max_trials, spec.EffectiveParallelism(), MakeSampler(spec)->Describe(), f.seed);
  }
  const StudyDefinition definition = StudyDefinition::Of(spec);
  TablePrinter table(definition, spec.max_trials, f.quiet);
  const StudyResult r = RunStudy(spec, dir.string(), storage, options, &table);
  fmt::print("study ended ({}): {} trials, {} failed\n", StudyEndText(r.end), r.trials.size(), r.failed);
  fmt::print("{}", StudySummary(definition, r.trials));
  fmt::print("plots: {}\n", fmt::join(WriteStudyPlots(dir.string(), definition, r.trials), ", "));
  if (const std::string failure = StudyFailureText(r); !failure.empty()) throw Error("StudyError", failure);
  return 0;
}

}  // namespace

Command RegisterTune(CLI::App& app) {
  auto f = std::make_shared<TuneFlags>();
  CLI::App* cmd = app.add_subcommand("tune", "Tune a trainer's hyperparameters (Cloud ML Engine study YAML)");
  cmd->add_option("--config", f->config, "study spec YAML (hptuning_config.yaml, docs/tuning.md)");
  cmd->add_option("--study-dir", f->study_dir,
                  "directory for study.db, trials/<number>/ and the plots; running "
                  "again on the same directory resumes the study");
  cmd->add_option("--seed", f->seed, "seed for the sampler's proposals")->capture_default_str();
  cmd->add_option("--max-trials", f->max_trials, "override maxTrials (the study's total, earlier runs included)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--quiet,-q", f->quiet, "print only the summary at the end");
  cmd->add_option("--show", f->show, "print the trials, best trial and importance of the study in this directory");
  cmd->add_option("command", f->command, "after --: the trainer command (replaces trainer.command)");
  return [f] { return Run(*f); };
}

}  // namespace lever::cli
