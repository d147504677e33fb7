// `lever tune`: runs a hyperparameter study (lever/tune/study_runner.h) and prints one line per trial
// event, a progress line, and at the end the best trial, the parameters' importance and the plots.
#include <fmt/core.h>
#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "commands.h"
#include "lever/error.h"
#include "lever/tune/importance.h"
#include "lever/tune/sqlite_storage.h"
#include "lever/tune/study_plots.h"
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

std::string Value(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : "-"; }

// The table: trial, state, metric, duration, parameters; a failed trial's reason and stderr below it.
class TrialTable : public StudyObserver {
 public:
  TrialTable(const StudyDefinition& study, int max_trials, bool quiet)
      : space_(study.params), goal_(study.goal), metric_(study.metric_tag), max_trials_(max_trials), quiet_(quiet) {}

  void Header() const {
    fmt::print("{:>5}  {:<11}  {:>12}  {:>8}  parameters\n", "trial", "state", metric_.substr(0, 12), "time");
  }
  void Row(const StoredTrial& t) const {
    const bool ended = t.status != TrialStatus::kRunning && t.status != TrialStatus::kInterrupted;
    fmt::print("{:>5}  {:<11}  {:>12}  {:>8}  {}\n", t.number, ToString(t.status), Value(t.objective),
               ended ? fmt::format("{:.1f}s", t.duration) : "", space_.Describe(t.assignment));
    if (t.status == TrialStatus::kFailed || t.status == TrialStatus::kStopped) fmt::print("{:>7}{}\n", "", t.reason);
    if (t.status == TrialStatus::kFailed && !t.stderr_tail.empty()) {
      fmt::print("{:>7}stderr ({}):\n", "", t.job_dir.empty() ? "last lines" : t.job_dir + "/stderr.log");
      size_t start = 0;
      while (start <= t.stderr_tail.size()) {
        const size_t end = t.stderr_tail.find('\n', start);
        fmt::print("{:>7}| {}\n", "", t.stderr_tail.substr(start, end == std::string::npos ? end : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
      }
    }
  }
  void Progress(const std::vector<StoredTrial>& all) const {
    int finished = 0, running = 0;
    for (const StoredTrial& t : all) {
      finished += t.status != TrialStatus::kRunning && t.status != TrialStatus::kInterrupted;
      running += t.status == TrialStatus::kRunning;
    }
    const std::optional<size_t> best = BestTrial(all, goal_);
    fmt::print("{:>7}[{}/{} finished, {} running; best {}]\n", "", finished, max_trials_, running,
               best ? fmt::format("{} {} (trial {})", metric_, Value(all[*best].objective), all[*best].number)
                    : std::string("none yet"));
  }

  void OnStudyOpened(const StudyInfo&, const std::vector<StoredTrial>& trials, int interrupted) override {
    if (quiet_) return;
    if (!trials.empty()) {
      fmt::print("resuming: {} trials kept, {} interrupted by a stopped tuner to run again\n",
                 trials.size() - static_cast<size_t>(interrupted), interrupted);
    }
    Header();
    for (const StoredTrial& t : trials) Row(t);
    std::fflush(stdout);
  }
  void OnTrialStarted(const StoredTrial& t) override {
    if (quiet_) return;
    Row(t);
    std::fflush(stdout);
  }
  void OnTrialFinished(const StoredTrial& t, const std::vector<StoredTrial>& all) override {
    if (quiet_) return;
    Row(t);
    Progress(all);
    std::fflush(stdout);
  }

 private:
  SearchSpace space_;
  Goal goal_;
  std::string metric_;
  int max_trials_;
  bool quiet_;
};

// Best trial, importance, plots.
void Summarize(const StudyDefinition& study, const std::vector<StoredTrial>& trials, const fs::path& dir, bool plots) {
  const SearchSpace space(study.params);
  const std::optional<size_t> best = BestTrial(trials, study.goal);
  if (best) {
    const StoredTrial& b = trials[*best];
    fmt::print("best: trial {}  {} {}  {}\n", b.number, study.metric_tag, Value(b.objective), space.Describe(b.assignment));
    if (!b.job_dir.empty()) fmt::print("      job dir {}\n", b.job_dir);
  }
  const std::vector<ParameterImportance> importance = ParameterImportances(space, AsTrialRecords(trials));
  if (!importance.empty()) {
    fmt::print("parameter importance (share of the variation of {}'s rank explained by each parameter alone, "
               "omega squared; docs/tuning.md):\n", study.metric_tag);
    size_t width = 0;
    for (const ParameterImportance& p : importance) width = std::max(width, p.name.size());
    for (const ParameterImportance& p : importance) {
      fmt::print("  {:<{}}  {:.2f}  {}\n", p.name, width, p.importance,
                 std::string(std::isfinite(p.importance) ? static_cast<size_t>(std::lround(p.importance * 40)) : 0, '#'));
    }
  }
  if (!plots) return;
  const std::vector<std::string> written = WriteStudyPlots(dir.string(), study, trials);
  fmt::print("plots: {}\n", fmt::join(written, ", "));
}

int Show(const TuneFlags& f) {
  const fs::path db = fs::path(f.show) / "study.db";
  if (!fs::exists(db)) throw ConfigError("--show: no study database at '" + db.string() + "'");
  SqliteStudyStorage storage(db.string());
  const std::optional<StudyInfo> study = storage.FindStudy(StudyOptions().study_name);
  if (!study) throw DataError("'" + db.string() + "' holds no study named 'default'");
  const std::vector<StoredTrial> trials = storage.ListTrials(study->id);
  TrialTable table(study->definition, static_cast<int>(trials.size()), false);
  fmt::print("study {}: {} {}, {} trials\n", f.show, ToString(study->definition.goal), study->definition.metric_tag,
             trials.size());
  table.Header();
  for (const StoredTrial& t : trials) table.Row(t);
  Summarize(study->definition, trials, f.show, false);
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
    throw ConfigError(f.config + " has no trainer: add trainer.command to it, or give the command after --, as in "
                      "lever tune --config " + f.config + " --study-dir " + f.study_dir + " -- python3 train.py");
  }
  StudyOptions options;
  options.seed = f.seed;
  const fs::path dir = fs::absolute(f.study_dir).lexically_normal();
  if (!spec.resume_previous_job_id.empty()) {
    const fs::path previous = dir.parent_path() / spec.resume_previous_job_id;
    if (previous != dir) {
      options.prior_history = LoadPriorHistory(spec, previous.string());
      if (!f.quiet) fmt::print("resumePreviousJobId: {} finished trials of {} guide the sampler\n", options.prior_history.size(), previous.string());
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
  TrialTable table(StudyDefinition::Of(spec), spec.max_trials, f.quiet);
  const StudyResult r = RunStudy(spec, dir.string(), storage, options, &table);
  const char* end = r.end == StudyEnd::kExhausted ? "the grid is exhausted"
                    : r.end == StudyEnd::kMaxFailedTrials ? "maxFailedTrials reached"
                                                           : "maxTrials reached";
  fmt::print("study ended ({}): {} trials, {} failed\n", end, r.trials.size(), r.failed);
  Summarize(StudyDefinition::Of(spec), r.trials, dir, true);
  if (r.end == StudyEnd::kMaxFailedTrials || !r.best) {
    const StoredTrial* failed = nullptr;
    for (const StoredTrial& t : r.trials) {
      if (t.status == TrialStatus::kFailed) failed = &t;
    }
    throw Error("StudyError", std::string(r.best ? "the study stopped early: " : "no trial reported a usable metric: ") +
                                  std::to_string(r.failed) + " trials failed" +
                                  (failed ? fmt::format("; the last, trial {}: {}", failed->number, failed->reason) : "") +
                                  ". Run the trainer by hand with one trial's arguments to see why.");
  }
  return 0;
}

}  // namespace

Command RegisterTune(CLI::App& app) {
  auto f = std::make_shared<TuneFlags>();
  CLI::App* cmd = app.add_subcommand("tune", "Tune a trainer's hyperparameters (Cloud ML Engine study YAML)");
  cmd->add_option("--config", f->config, "study spec YAML (hptuning_config.yaml, docs/tuning.md)");
  cmd->add_option("--study-dir", f->study_dir, "directory for study.db, trials/<number>/ and the plots; running "
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
