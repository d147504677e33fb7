#include "lever/sweep/sweep.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include "lever/doctor/finding.h"
#include "lever/error.h"
#include "lever/estimator/job_runner.h"
#include "lever/losses/registry.h"
#include "lever/registry.h"

namespace lever {
namespace {

// The knobs a sweep may turn: name (and aliases) -> lever train's flag.
struct KnobName {
  const char* name;
  const char* flag;
};
constexpr KnobName kKnobs[] = {{"learning_rate", "--learning-rate"},
                               {"lr", "--learning-rate"},
                               {"steps", "--steps"},
                               {"batch_size", "--batch-size"},
                               {"clip_norm", "--clip-norm"},
                               {"l1", "--l1"},
                               {"l2", "--l2"},
                               {"dropout", "--dropout"},
                               {"activation", "--activation"},
                               {"initializer", "--initializer"},
                               {"optimizer", "--optimizer"},
                               {"hidden", "--hidden"},
                               {"features", "--features"}};

// A test-set figure's NaN.
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Records the evaluations as curve points.
class CurveHook : public Hook {
 public:
  explicit CurveHook(std::vector<SweepPoint>& curve) : curve_(curve) {}
  bool AfterEvaluation(Learner& /*learner*/, const EvalReport& report) override {
    if (report.name != "evaluation") return false;
    curve_.push_back(
        {report.step, report.Get("train_loss"), report.Get("validation_loss"), report.Get("validation_accuracy")});
    return false;
  }

 private:
  std::vector<SweepPoint>& curve_;
};

SweepRun TrainOne(const SweepSpec& spec, const std::vector<std::string>& values, uint64_t seed) {
  TrainingRunSpec run_spec = spec.base;
  run_spec.job_dir.clear();
  run_spec.doctor = true;
  run_spec.report_to_tuner = false;
  for (size_t k = 0; k < spec.knobs.size(); ++k) {
    // The knob text keeps a comma list (--hidden 8,8) whole.
    run_spec.ApplyKnob(spec.knobs[k].flag + " " + values[k]);
  }
  run_spec.config.seed = seed;
  run_spec.data.seed = seed;
  SweepRun out;
  out.values = values;
  out.seed = seed;
  TrainingRun run(run_spec);
  CurveHook curve(out.curve);
  run.trainer().AddHook(&curve);
  try {
    const TrainingOutcome o = run.Run();
    out.train_loss = o.result.train.loss;
    out.test_loss = o.result.validation->loss;
    out.test_accuracy = IsClassificationLoss(o.loss) ? o.result.validation->accuracy : kNaN;
    out.nonzero_weights = o.result.nonzero_weights;
    out.kernel_weights = o.result.kernel_weights;
    out.seconds = o.result.elapsed_seconds;
    out.finding = o.findings.empty() ? "healthy" : o.findings.front().id;
  } catch (const DivergenceError& e) {
    out.diverged = true;
    out.diverged_at = e.step();
    out.train_loss = out.test_loss = out.test_accuracy = kNaN;
    const std::vector<Finding> findings = run.doctor()->Diagnose();
    out.finding = findings.empty() ? "diverged" : findings.front().id;
  }
  return out;
}

// A run config's knob as its override ("--learning-rate 0.1" -> "estimator.learning_rate=0.1"); ConfigError
// for a knob the run config has no key for.
std::string ConfigOverride(const std::string& flag, const std::string& value) {
  const std::string knob = flag + " " + value;
  const std::string as_override = AsConfigOverride(knob);
  if (as_override == knob) {
    throw ConfigError("--knob " + flag.substr(2) + ": a run config has no key for it; sweep it with lever train's " +
                      "flags after -- instead of --config");
  }
  return as_override.substr(2);  // without the leading "--"
}

// A job's curve: at each evaluation of the data.eval file, the mean training loss of the steps since the last
// one and the evaluation's loss and accuracy.
class JobCurve : public JobObserver {
 public:
  explicit JobCurve(std::vector<SweepPoint>& curve) : curve_(curve) {}
  bool AfterStep(Learner& /*learner*/, const StepReport& r) override {
    sum_ += r.loss, ++count_;
    return false;
  }
  bool AfterEvaluation(Learner& /*learner*/, const EvalReport& r) override {
    if (r.name == "holdout") return false;
    if (count_ > 0) train_ = sum_ / static_cast<double>(count_);
    sum_ = 0, count_ = 0;
    curve_.push_back({r.step, train_, r.Get("loss"), r.Get("accuracy")});
    return false;
  }

 private:
  std::vector<SweepPoint>& curve_;
  double sum_ = 0, train_ = kNaN;
  int64_t count_ = 0;
};

SweepRun TrainOneJob(const SweepSpec& spec, const std::vector<std::string>& values, uint64_t seed) {
  std::vector<std::string> overrides = spec.config_overrides;
  for (size_t k = 0; k < spec.knobs.size(); ++k) overrides.push_back(ConfigOverride(spec.knobs[k].flag, values[k]));
  overrides.push_back("run.seed=" + std::to_string(seed));
  JobConfig config = LoadJobConfigWithDir(spec.config, overrides, "");
  config.run.model_dir.clear();  // sweep runs write no files, and never resume one another's checkpoints
  config.export_strategy.clear();
  config.doctor = true;
  Job job = PrepareJob(std::move(config));
  SweepRun out;
  out.values = values;
  out.seed = seed;
  try {
    const JobResult r = RunJob(job, {}, std::make_shared<JobCurve>(out.curve));
    const auto metric = [&](const char* name) {
      const auto it = r.metrics.find(name);
      return it == r.metrics.end() ? kNaN : it->second;
    };
    out.train_loss = out.curve.empty() ? kNaN : out.curve.back().train_loss;
    out.test_loss = metric("loss");
    out.test_accuracy = metric("accuracy");
    for (const Parameter* p : job.estimator->Variables()) {
      if (!IsKernelName(p->name)) continue;
      out.kernel_weights += p->size();
      out.nonzero_weights += p->CountNonzero();
    }
    out.seconds = r.run.train.seconds;
    out.finding = r.findings.empty() ? "healthy" : r.findings.front().id;
  } catch (const DivergenceError& e) {
    out.diverged = true;
    out.diverged_at = e.step();
    out.train_loss = out.test_loss = out.test_accuracy = kNaN;
    // The message ends with the doctor's findings: "doctor: <id>  <evidence>".
    const size_t at = e.message().find("doctor: ");
    out.finding =
        at == std::string::npos ? "diverged" : e.message().substr(at + 8, e.message().find(' ', at + 8) - at - 8);
  }
  return out;
}

}  // namespace

SweepKnob ParseSweepKnob(const std::string& text) {
  const size_t eq = text.find('=');
  std::string name = text.substr(0, eq);
  while (name.starts_with("-")) name.erase(0, 1);
  std::replace(name.begin(), name.end(), '-', '_');
  const auto* knob =
      std::find_if(std::begin(kKnobs), std::end(kKnobs), [&](const KnobName& k) { return name == k.name; });
  if (knob == std::end(kKnobs)) {
    std::string valid;
    for (const KnobName& k : kKnobs) valid += std::string(valid.empty() ? "" : ", ") + k.name;
    throw ConfigError("--knob " + text + ": not a knob a sweep can turn. Valid: " + valid + " (--knob name=v1,v2,...)");
  }
  SweepKnob out{.name = name, .flag = knob->flag, .values = {}};
  if (eq == std::string::npos || eq + 1 == text.size()) {
    throw ConfigError("--knob " + text + ": no values; give them after '=', e.g. --knob " + name + "=0.01,0.1");
  }
  // --hidden's and --features' values hold commas (8,8): they are separated by ';' instead, or for
  // --hidden by '/' ("8,8/16,16", which needs no quotes in a shell).
  std::string values = text.substr(eq + 1);
  const std::string flag = knob->flag;
  if (flag == "--hidden") std::replace(values.begin(), values.end(), '/', ';');
  out.values = SplitNames(values, flag == "--hidden" || flag == "--features" ? ';' : ',');
  // Each value as a run would take it, so a bad one stops the sweep before any run rather than in the middle.
  for (const std::string& value : out.values) {
    if (value.empty())
      throw ConfigError("--knob " + text + ": an empty value (two separators in a row, or one at an end)");
    TrainingRunSpec probe;
    try {
      probe.ApplyKnob(out.flag + " " + value);
    } catch (const ConfigError& e) {
      throw ConfigError("--knob " + text + ": " + e.message());
    }
  }
  return out;
}

std::vector<SweepRun> RunSweep(const SweepSpec& spec, const std::function<void(int, int)>& done) {
  if (spec.seeds < 1) throw ConfigError("--seeds must be at least 1, got " + std::to_string(spec.seeds));
  if (spec.knobs.empty()) throw ConfigError("a sweep needs at least one --knob name=v1,v2,...");
  // Count first: a product of value lists can be too large to build.
  constexpr size_t kMaxRuns = 10000;
  size_t total = std::min(static_cast<size_t>(spec.seeds), kMaxRuns + 1);
  for (const SweepKnob& knob : spec.knobs) {
    if (knob.values.empty()) throw ConfigError("--knob " + knob.name + " has no values");
    total = knob.values.size() > kMaxRuns ? kMaxRuns + 1 : std::min(total * knob.values.size(), kMaxRuns + 1);
  }
  if (total > kMaxRuns) {
    throw ConfigError("the sweep has more than " + std::to_string(kMaxRuns) + " runs; give fewer values or seeds");
  }
  if (!spec.config.empty()) {  // a run config: every knob has its key, and the file loads, before any run
    for (const SweepKnob& knob : spec.knobs) ConfigOverride(knob.flag, knob.values.front());
    LoadJobConfigWithDir(spec.config, spec.config_overrides, "");
  }
  // Every combination (the first knob outermost), each with every seed.
  std::vector<std::vector<std::string>> combinations{{}};
  for (const SweepKnob& knob : spec.knobs) {
    std::vector<std::vector<std::string>> next;
    for (const auto& prefix : combinations) {
      for (const std::string& value : knob.values) {
        next.push_back(prefix);
        next.back().push_back(value);
      }
    }
    combinations = std::move(next);
  }
  std::vector<SweepRun> runs(total);
  std::atomic<size_t> next{0};
  std::atomic<int> finished{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&] {
    for (size_t i = next++; i < total; i = next++) {
      try {
        const auto& values = combinations[i / static_cast<size_t>(spec.seeds)];
        const uint64_t seed = spec.base.config.seed + i % static_cast<size_t>(spec.seeds);
        runs[i] = spec.config.empty() ? TrainOne(spec, values, seed) : TrainOneJob(spec, values, seed);
        const int count = ++finished;
        if (done) done(count, static_cast<int>(total));
      } catch (...) {  // a run's or `done`'s: rethrown on the calling thread once every worker is back
        const std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = total;  // the others stop after their current run
        return;
      }
    }
  };
  const int jobs = std::clamp<int>(spec.jobs, 1, static_cast<int>(total));
  std::vector<std::thread> threads;
  for (int t = 1; t < jobs; ++t) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
  return runs;
}

}  // namespace lever
