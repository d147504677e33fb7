#include "lever/train/training_loop.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>
#include <string>

#include "lever/error.h"

namespace lever {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// What the loop remembers of one evaluation between its runs.
struct EvaluationState {
  int64_t last_step = -1;                    // the step it last ran at
  std::optional<Clock::time_point> started;  // when it last started (throttling)
  int64_t steps_then = 0;                    // steps taken by this call when it last ran
  double training_seconds_then = 0.0;        // training time of this call when it last ran
};

}  // namespace

void LoopSpec::Validate() const {
  if (max_steps < 0) throw ConfigError("max_steps must be >= 0, got " + std::to_string(max_steps));
  if (batch_size < 1) throw ConfigError("batch_size must be >= 1, got " + std::to_string(batch_size));
  if (statistics_every < 0) {
    throw ConfigError("statistics_every must be >= 0 (0: off), got " + std::to_string(statistics_every));
  }
  for (const LoopEvaluation& e : evaluations) {
    if (e.every_steps < 0 || e.start_delay_steps < 0 || !(e.throttle_secs >= 0.0)) {
      throw ConfigError("evaluation '" + e.name + "': every_steps, start_delay_steps and throttle_secs must be >= 0");
    }
    if (!e.run) throw ConfigError("evaluation '" + e.name + "' has nothing to run");
  }
}

LoopOutcome RunTrainingLoop(SteppingLearner& learner, Index rows, const LoopSpec& spec,
                            const std::vector<Hook*>& hooks) {
  spec.Validate();
  const auto start = Clock::now();
  LoopOutcome out;
  const bool streamed = rows == 0;
  EpochOrder order(spec.seed, streamed ? 1 : rows, spec.order_stream);
  const int64_t steps_per_pass = streamed ? 1 : (rows + spec.batch_size - 1) / spec.batch_size;
  std::vector<Index> batch_rows(streamed ? 0 : static_cast<size_t>(spec.batch_size));
  if (spec.record_step_losses) {
    // Up to a million steps ahead (a stream's max_steps may be "no limit").
    const int64_t ahead = std::clamp<int64_t>(spec.max_steps - learner.global_step(), 0, int64_t{1} << 20);
    out.step_losses.reserve(static_cast<size_t>(ahead));
  }
  std::vector<EvaluationState> evaluated(spec.evaluations.size());
  double evaluation_seconds = 0.0;  // of this call, so training time leaves them out

  auto evaluate = [&](size_t k, bool is_final) {
    const LoopEvaluation& e = spec.evaluations[k];
    EvaluationState& state = evaluated[k];
    const auto began = Clock::now();
    const double training_seconds = Seconds(start, began) - evaluation_seconds;
    EvalReport report;
    report.step = learner.global_step();
    report.max_steps = spec.max_steps;
    report.name = e.name;
    report.is_final = is_final;
    const double chunk = training_seconds - state.training_seconds_then;
    report.steps_per_second = chunk > 0.0 ? static_cast<double>(out.steps - state.steps_then) / chunk : 0.0;
    report.metrics = e.run(is_final);
    report.seconds = Seconds(start, Clock::now());
    state.last_step = report.step;
    state.started = began;
    state.steps_then = out.steps;
    state.training_seconds_then = training_seconds;
    bool stop = false;
    for (Hook* hook : hooks) stop = hook->AfterEvaluation(learner, report) || stop;
    if (e.after_hooks) e.after_hooks(report);
    out.evaluations.push_back(std::move(report));
    evaluation_seconds += Seconds(began, Clock::now());
    return stop;
  };
  // The next step each evaluation is periodically due at (kNever: none), so a step only compares.
  constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  auto next_due = [&](size_t k, int64_t after) {
    const LoopEvaluation& e = spec.evaluations[k];
    if (e.every_steps <= 0) return kNever;
    const int64_t from = std::max(after + 1, e.start_delay_steps);
    const int64_t multiple = (from + e.every_steps - 1) / e.every_steps * e.every_steps;
    if (multiple < spec.max_steps) return multiple;
    return e.at_max_steps && spec.max_steps >= from ? spec.max_steps : kNever;
  };
  std::vector<int64_t> due_at(spec.evaluations.size());
  auto due = [&](size_t k, int64_t step) {
    if (step != due_at[k]) return false;
    due_at[k] = next_due(k, step);
    const LoopEvaluation& e = spec.evaluations[k];
    const EvaluationState& state = evaluated[k];
    return e.throttle_secs <= 0.0 || !state.started || Seconds(*state.started, Clock::now()) >= e.throttle_secs;
  };

  for (Hook* hook : hooks) hook->Begin(learner);
  // A hook that stopped the run this one resumes (its checkpoint says so) keeps it stopped.
  for (Hook* hook : hooks) out.stopped_by_hook = hook->HasStopped() || out.stopped_by_hook;
  // The global step, as the learner counts it: each TrainStep advances it by one (checked at the end).
  int64_t global_step = learner.global_step();
  for (size_t k = 0; k < due_at.size(); ++k) due_at[k] = next_due(k, global_step);
  while (!out.stopped_by_hook && global_step < spec.max_steps) {
    if (spec.stop_requested && spec.stop_requested()) {
      out.interrupted = true;
      break;
    }
    const int64_t step = global_step;
    if (streamed) {
      if (learner.Exhausted()) break;
    } else if (spec.pass_aligned) {
      const int64_t first = (step / steps_per_pass) * rows, at = (step % steps_per_pass) * spec.batch_size;
      for (Index r = 0; r < spec.batch_size; ++r)
        batch_rows[static_cast<size_t>(r)] = order.Row(first + (at + r) % rows);
    } else {
      order.Batch(step * spec.batch_size, spec.batch_size, batch_rows);
    }
    StepReport report;
    report.learning_rate = hooks.empty() ? 0.0 : learner.learning_rate();
    report.loss = learner.TrainStep(batch_rows);
    ++out.steps;
    out.last_loss = report.loss;
    if (spec.record_step_losses) out.step_losses.push_back(static_cast<float>(report.loss));
    report.step = ++global_step;
    report.max_steps = spec.max_steps;
    report.started = start;
    bool stop = false;
    for (Hook* hook : hooks) stop = hook->AfterStep(learner, report) || stop;
    if (IsStatisticsStep(report.step, spec.statistics_every) && !hooks.empty()) {
      const TrainingStatistics statistics = learner.Statistics();
      for (Hook* hook : hooks) hook->AfterStatistics(learner, statistics);
    }
    for (size_t k = 0; k < spec.evaluations.size() && !stop; ++k) {
      if (due(k, report.step)) stop = evaluate(k, false);
    }
    if (stop) {
      out.stopped_by_hook = true;
      break;
    }
    if (spec.after_step) spec.after_step();
  }
  if (global_step != learner.global_step()) {
    throw Error("a learner's TrainStep must advance its global step by one: it is " +
                std::to_string(learner.global_step()) + " after " + std::to_string(out.steps) + " steps to " +
                std::to_string(global_step));
  }
  for (Hook* hook : hooks) hook->End(learner);
  if (spec.after_end) spec.after_end();
  // The final evaluations, unless one last ran at this step of these variables (a hook that stopped
  // training may have put back earlier ones).
  for (size_t k = 0; k < spec.evaluations.size(); ++k) {
    if (spec.evaluations[k].at_end && (evaluated[k].last_step != learner.global_step() || out.stopped_by_hook)) {
      evaluate(k, !out.interrupted);
    }
  }
  out.seconds = Seconds(start, Clock::now());
  out.training_seconds = out.seconds - evaluation_seconds;
  return out;
}

}  // namespace lever
