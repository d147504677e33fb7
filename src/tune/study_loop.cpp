#include "tune/study_loop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "lever/error.h"
#include "lever/tune/metric_file.h"
#include "lever/tune/sqlite_storage.h"

namespace lever::tune {

std::optional<size_t> BestTrial(const std::vector<StoredTrial>& trials, Goal goal) {
  std::optional<size_t> best;
  for (size_t i = 0; i < trials.size(); ++i) {
    const StoredTrial& t = trials[i];
    if ((t.status != TrialStatus::kCompleted && t.status != TrialStatus::kStopped) || !std::isfinite(t.objective)) {
      continue;
    }
    const double b = best ? trials[*best].objective : 0.0;
    if (!best || (goal == Goal::kMaximize ? t.objective > b : t.objective < b)) best = i;
  }
  return best;
}

namespace internal {
namespace {

using Clock = std::chrono::steady_clock;

double Now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

std::string Format(double value) { return FormatValue(value); }

struct Active {
  size_t index = 0;  // into the mirror of the study's trials
  std::unique_ptr<RunningTrial> run;
  Clock::time_point start;
  bool timed_out = false;
  bool stopped_early = false;
  std::string stop_reason;
};

// Opens or creates the study; an existing one must be about the same metric and parameters.
StudyInfo OpenStudy(const StudySpec& spec, StudyStorage& storage, const std::string& name) {
  const StudyDefinition wanted = StudyDefinition::Of(spec);
  if (auto found = storage.FindStudy(name)) {
    const StudyDefinition& had = found->definition;
    std::string what;
    if (had.goal != wanted.goal) what = "goal " + ToString(had.goal) + " (now " + ToString(wanted.goal) + ")";
    if (had.metric_tag != wanted.metric_tag) {
      what = "hyperparameterMetricTag '" + had.metric_tag + "' (now '" + wanted.metric_tag + "')";
    }
    if (ParametersToJson(had.params) != ParametersToJson(wanted.params)) {
      what = "params " + ParametersToJson(had.params) + " (now " + ParametersToJson(wanted.params) + ")";
    }
    if (!what.empty()) {
      throw ConfigError("study '" + name + "' was created with " + what +
                        "; its trials would not compare with new ones. Restore the spec, or start a new study "
                        "(another --study-dir; resumePreviousJobId can use the old one's trials as history).");
    }
    return *found;
  }
  storage.CreateStudy(name, wanted);
  return *storage.FindStudy(name);
}

std::vector<TrialRecord> History(const std::vector<TrialRecord>& prior, const std::vector<StoredTrial>& trials) {
  std::vector<TrialRecord> history = prior;
  for (const StoredTrial& t : trials) history.push_back({t.assignment, SamplerState(t.status), t.objective});
  return history;
}

}  // namespace

StudyResult RunStudyLoop(const StudySpec& spec, TrialLauncher& launcher, StudyStorage& storage,
                         const StudyOptions& options, StudyObserver* observer) {
  SearchSpace space(spec.params);
  for (const TrialRecord& r : options.prior_history) space.Check(r.assignment);
  std::unique_ptr<Sampler> sampler = MakeSampler(spec);
  const double timeout = spec.trainer ? spec.trainer->timeout_seconds : 0.0;
  const int parallelism = std::max(1, spec.EffectiveParallelism());

  StudyResult result;
  result.study = OpenStudy(spec, storage, options.study_name);
  const int64_t study = result.study.id;
  const int interrupted = storage.InterruptRunningTrials(study, "the tuner running it stopped; it runs again");
  std::vector<StoredTrial>& trials = result.trials;
  trials = storage.ListTrials(study);
  if (observer) observer->OnStudyOpened(result.study, trials, interrupted);

  std::vector<size_t> retry;
  for (size_t i = 0; i < trials.size(); ++i) {
    if (trials[i].status == TrialStatus::kInterrupted) retry.push_back(i);
  }
  std::vector<Active> active;
  bool exhausted = false;

  const auto start_trial = [&](size_t index) {
    StoredTrial& t = trials[index];
    Active a;
    a.index = index;
    a.start = Clock::now();
    try {
      a.run = launcher.Start(t);
    } catch (const Error& e) {
      TrialOutcome o;
      o.status = TrialStatus::kFailed;
      o.finished = Now();
      o.reason = "could not start: " + e.message();
      storage.FinishTrial(study, t.number, o);
      t.status = o.status;
      t.finished = o.finished;
      t.reason = o.reason;
      if (observer) observer->OnTrialStarted(t);
      if (observer) observer->OnTrialFinished(t, trials);
      return;
    }
    if (observer) observer->OnTrialStarted(t);
    active.push_back(std::move(a));
  };

  while (true) {
    result.failed = static_cast<int>(std::count_if(
        trials.begin(), trials.end(), [](const StoredTrial& t) { return t.status == TrialStatus::kFailed; }));
    const bool failed_out = spec.max_failed_trials > 0 && result.failed >= spec.max_failed_trials;
    if (!failed_out) {
      while (static_cast<int>(active.size()) < parallelism && !retry.empty()) {
        const size_t index = retry.front();
        retry.erase(retry.begin());
        StoredTrial& t = trials[index];
        t.started = Now();
        storage.RestartTrial(study, t.number, t.started);
        t.status = TrialStatus::kRunning;
        t.attempts += 1;
        t.metrics.clear();
        t.objective = std::numeric_limits<double>::quiet_NaN();
        start_trial(index);
      }
      const int free_slots = parallelism - static_cast<int>(active.size());
      const int remaining = spec.max_trials - static_cast<int>(trials.size());
      const int count = std::min(free_slots, remaining);
      if (count > 0 && !exhausted) {
        Rng rng = Rng::Stream(options.seed, trials.size());
        const std::vector<Assignment> proposals = sampler->Propose(History(options.prior_history, trials), count, rng);
        if (static_cast<int>(proposals.size()) < count) exhausted = true;
        for (const Assignment& a : proposals) {
          const int expected = trials.empty() ? 0 : trials.back().number + 1;
          StoredTrial t;
          t.assignment = a;
          t.job_dir = launcher.JobDir(expected);
          t.started = Now();
          t.number = storage.AddTrial(study, a, t.job_dir, t.started);
          if (t.number != expected) {
            throw DataError("trial " + std::to_string(t.number) + " appeared in study '" + result.study.name +
                            "' while this tuner expected " + std::to_string(expected) +
                            ": another tuner is running on the same study; run one at a time");
          }
          trials.push_back(std::move(t));
          start_trial(trials.size() - 1);
        }
        if (!proposals.empty()) continue;  // a trial that failed to start frees its slot at once
      }
    }
    if (active.empty()) {
      result.end = failed_out ? StudyEnd::kMaxFailedTrials : exhausted ? StudyEnd::kExhausted : StudyEnd::kMaxTrials;
      // Interrupted trials not retried (maxFailedTrials reached) stay INTERRUPTED for a later run.
      break;
    }

    std::this_thread::sleep_for(std::chrono::duration<double>(options.poll_seconds));
    for (size_t k = 0; k < active.size();) {
      Active& a = active[k];
      StoredTrial& t = trials[a.index];
      const std::vector<MetricPoint> fresh = a.run->NewReports();
      if (!fresh.empty()) {
        storage.AddMetricPoints(study, t.number, fresh, Now());
        t.metrics.insert(t.metrics.end(), fresh.begin(), fresh.end());
      }
      const std::optional<TrialEnd> end = a.run->Poll();
      if (!end) {
        const double seconds = std::chrono::duration<double>(Clock::now() - a.start).count();
        if (timeout > 0 && seconds > timeout && !a.timed_out && !a.stopped_early) {
          a.timed_out = true;
          a.run->Stop();
        }
        if (spec.enable_trial_early_stopping && !fresh.empty() && !a.timed_out && !a.stopped_early) {
          std::vector<std::vector<MetricPoint>> completed;
          for (const StoredTrial& other : trials) {
            if (other.status == TrialStatus::kCompleted) completed.push_back(other.metrics);
          }
          const StoppingDecision d = MedianStoppingRule(t.metrics, completed, spec.goal, options.stopping);
          if (d.stop) {
            a.stopped_early = true;
            a.stop_reason = "median rule at step " + std::to_string(d.step) + ": best " + Format(d.best) +
                            " is worse than the median " + Format(d.median) + " of " + std::to_string(d.compared) +
                            " completed trials";
            a.run->Stop();
          }
        }
        ++k;
        continue;
      }

      const std::vector<MetricPoint> tail = a.run->NewReports();
      if (!tail.empty()) {
        storage.AddMetricPoints(study, t.number, tail, Now());
        t.metrics.insert(t.metrics.end(), tail.begin(), tail.end());
      }
      TrialOutcome o;
      o.finished = Now();
      o.duration = std::chrono::duration<double>(Clock::now() - a.start).count();
      o.exit_code = end->exit_code;
      const std::optional<double> last = FinalValue(t.metrics);
      if (a.timed_out) {
        o.status = TrialStatus::kFailed;
        o.reason = "timed out after " + Format(timeout) + " s (trainer.timeout_seconds)";
        o.stderr_tail = end->stderr_tail;
      } else if (a.stopped_early && last && std::isfinite(*last)) {
        o.status = TrialStatus::kStopped;
        o.objective = *last;
        o.reason = a.stop_reason;
      } else if (!end->ok) {
        o.status = TrialStatus::kFailed;
        o.reason = end->error;
        o.stderr_tail = end->stderr_tail;
      } else if (end->objective || last) {
        o.objective = end->objective ? *end->objective : *last;
        o.status = std::isfinite(o.objective) ? TrialStatus::kCompleted : TrialStatus::kFailed;
        if (!std::isfinite(o.objective)) {
          o.reason = "its final value of '" + spec.metric_tag + "' is " + Format(o.objective);
          o.stderr_tail = end->stderr_tail;
        }
      } else {
        o.status = TrialStatus::kFailed;
        o.reason = "ended without reporting '" + spec.metric_tag + "'" + end->missing_metric_hint;
        o.stderr_tail = end->stderr_tail;
      }
      if (o.status == TrialStatus::kFailed) o.objective = std::numeric_limits<double>::quiet_NaN();
      storage.FinishTrial(study, t.number, o);
      t.status = o.status;
      t.objective = o.objective;
      t.finished = o.finished;
      t.duration = o.duration;
      t.exit_code = o.exit_code;
      t.reason = o.reason;
      t.stderr_tail = o.stderr_tail;
      active.erase(active.begin() + static_cast<std::ptrdiff_t>(k));
      if (observer) observer->OnTrialFinished(t, trials);
    }
  }
  result.best = BestTrial(trials, spec.goal);
  return result;
}

}  // namespace internal
}  // namespace lever::tune
