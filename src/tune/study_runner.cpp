#include "lever/tune/study_runner.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "lever/error.h"
#include "lever/io/dir_lock.h"
#include "lever/tune/metric_file.h"
#include "lever/tune/sqlite_storage.h"
#include "tune/study_loop.h"
#include "tune/subprocess.h"

namespace lever::tune {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kMetricFile = "hptuning_metric.jsonl";

class CommandTrial : public internal::RunningTrial {
 public:
  CommandTrial(const internal::SubprocessOptions& options, const std::string& metric_path, const std::string& tag,
               double grace_seconds, int tail_lines)
      : process_(options),
        metrics_(metric_path, tag),
        stderr_path_(options.stderr_path),
        grace_seconds_(grace_seconds),
        tail_lines_(tail_lines) {}

  std::vector<MetricPoint> NewReports() override {
    std::vector<MetricPoint> reports = std::move(pending_);
    pending_.clear();
    const std::vector<MetricPoint> more = metrics_.Poll();
    reports.insert(reports.end(), more.begin(), more.end());
    return reports;
  }

  std::optional<internal::TrialEnd> Poll() override {
    const std::optional<int> status = process_.Poll();
    if (!status) {
      if (stop_sent_ && !killed_ &&
          std::chrono::duration<double>(Clock::now() - *stop_sent_).count() > grace_seconds_) {
        process_.SignalGroup(SIGKILL);
        killed_ = true;
      }
      return std::nullopt;
    }
    // Reports written just before the exit (the loop collects them with NewReports).
    const std::vector<MetricPoint> last = metrics_.Poll();
    pending_.insert(pending_.end(), last.begin(), last.end());
    internal::TrialEnd end;
    end.ok = WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
    if (WIFEXITED(*status)) end.exit_code = WEXITSTATUS(*status);
    end.error = internal::DescribeWaitStatus(*status);
    end.stderr_tail = internal::TailOfFile(stderr_path_, tail_lines_);
    end.missing_metric_hint = " to " + metrics_.path() +
                              (metrics_.problem().empty() ? std::string(" ($CLOUD_ML_HP_METRIC_FILE)")
                                                          : "; a line was unusable: " + metrics_.problem());
    return end;
  }

  void Stop() override {
    if (stop_sent_) return;
    process_.SignalGroup(SIGTERM);
    stop_sent_ = Clock::now();
  }

 private:
  internal::Subprocess process_;
  MetricFileReader metrics_;
  std::string stderr_path_;
  double grace_seconds_;
  int tail_lines_;
  std::optional<Clock::time_point> stop_sent_;
  bool killed_ = false;
  std::vector<MetricPoint> pending_;
};

class CommandLauncher : public internal::TrialLauncher {
 public:
  CommandLauncher(const StudySpec& spec, fs::path study_dir, const StudyOptions& options)
      : spec_(spec), space_(spec.params), study_dir_(std::move(study_dir)), options_(options) {
    program_ = internal::FindProgram(spec.trainer->command.front());
    // A relative program path is relative to where the trial runs; absolute, it survives the child's chdir.
    program_ = fs::absolute(fs::path(spec.trainer->working_directory) / program_).lexically_normal().string();
    if (!fs::exists(program_)) {
      throw ConfigError("trainer.command[0] '" + spec.trainer->command.front() + "' does not exist (looked at '" +
                        fs::absolute(program_).string() + "'); fix the path or trainer.working_directory");
    }
  }

  std::string JobDir(int number) const override { return (study_dir_ / "trials" / std::to_string(number)).string(); }

  std::unique_ptr<internal::RunningTrial> Start(const StoredTrial& trial) override {
    const fs::path dir = trial.job_dir;
    std::error_code ec;
    // Keep what an earlier attempt wrote (an interrupted one, or a study whose database was deleted), out of
    // this attempt's way: a metric file left in place would give this trial its reports.
    const std::string suffix = trial.attempts > 1 ? ".attempt" + std::to_string(trial.attempts - 1) : ".previous";
    for (const char* name : {"stdout.log", "stderr.log", kMetricFile}) {
      if (!fs::exists(dir / name, ec)) continue;
      fs::rename(dir / name, dir / (std::string(name) + suffix), ec);
      if (ec && std::string(name) == kMetricFile) {
        throw IoError("cannot move the earlier metric file '" + (dir / name).string() + "' aside: " + ec.message());
      }
    }
    fs::create_directories(dir, ec);
    if (ec) throw IoError("cannot create the trial directory '" + dir.string() + "': " + ec.message());
    internal::SubprocessOptions p;
    p.argv = spec_.trainer->command;
    p.argv.front() = program_;
    for (const std::string& flag : space_.Flags(trial.assignment)) p.argv.push_back(flag);
    p.argv.push_back("--job-dir=" + dir.string());
    p.env = spec_.trainer->env;
    const std::string metric_path = (dir / kMetricFile).string();
    p.env["CLOUD_ML_HP_METRIC_FILE"] = metric_path;
    p.env["CLOUD_ML_TRIAL_ID"] = std::to_string(trial.number);
    p.working_directory = spec_.trainer->working_directory;
    p.stdout_path = (dir / "stdout.log").string();
    p.stderr_path = (dir / "stderr.log").string();
    return std::make_unique<CommandTrial>(p, metric_path, spec_.metric_tag, options_.kill_grace_seconds,
                                          options_.stderr_tail_lines);
  }

 private:
  const StudySpec& spec_;
  SearchSpace space_;
  fs::path study_dir_;
  StudyOptions options_;
  std::string program_;
};

}  // namespace

StudyResult RunStudy(const StudySpec& spec, const std::string& study_dir, StudyStorage& storage,
                     const StudyOptions& options, StudyObserver* observer) {
  if (!spec.trainer || spec.trainer->command.empty()) {
    throw ConfigError(
        "the study has no trainer command: add trainer.command to the spec (or give it to the CLI "
        "after --)");
  }
  std::error_code ec;
  const fs::path dir = fs::absolute(study_dir).lexically_normal();
  fs::create_directories(dir / "trials", ec);
  if (ec) throw IoError("cannot create the study directory '" + dir.string() + "': " + ec.message());
  // A second tuner would mark the first one's running trials INTERRUPTED and run them again.
  const DirLock lock(dir.string(), "tuner.lock", "another tuner is running the study in '" + dir.string() + "'",
                     "wait for it to end, or stop it, then run again to resume");
  CommandLauncher launcher(spec, dir, options);
  return internal::RunStudyLoop(spec, launcher, storage, options, observer);
}

std::vector<TrialRecord> LoadPriorHistory(const StudySpec& spec, const std::string& study_dir,
                                          const std::string& study_name) {
  const fs::path db = fs::path(study_dir) / "study.db";
  if (!fs::exists(db)) {
    throw ConfigError("resumePreviousJobId: there is no study database at '" + db.string() +
                      "'; the earlier study's directory must sit beside this one's");
  }
  SqliteStudyStorage storage(db.string());
  const std::optional<StudyInfo> info = storage.FindStudy(study_name);
  if (!info) throw ConfigError("resumePreviousJobId: '" + db.string() + "' holds no study '" + study_name + "'");
  if (internal::ParametersToJson(info->definition.params) != internal::ParametersToJson(spec.params) ||
      info->definition.goal != spec.goal || info->definition.metric_tag != spec.metric_tag) {
    throw ConfigError("resumePreviousJobId: the study in '" + db.string() +
                      "' has another goal, metric or parameters than this spec; its trials cannot guide this one");
  }
  std::vector<TrialRecord> history;
  for (const StoredTrial& t : storage.ListTrials(info->id)) {
    const TrialState state = SamplerState(t.status);
    if (state != TrialState::kPending) history.push_back({t.assignment, state, t.objective});
  }
  return history;
}

}  // namespace lever::tune
