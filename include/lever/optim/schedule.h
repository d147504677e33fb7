#pragma once
// Learning-rate schedules: the rate as a function of the (0-based) step about to be taken.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lever/registry.h"

namespace lever {

class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule() = default;
  virtual double Rate(int64_t step) const = 0;
  virtual std::string Describe() const = 0;
};

/// rate = learning_rate.
std::shared_ptr<LearningRateSchedule> ConstantSchedule(double learning_rate);

/// rate = learning_rate * decay_rate ^ (step / decay_steps), the exponent floored when `staircase`
/// (TensorFlow's exponential_decay).
std::shared_ptr<LearningRateSchedule> ExponentialDecaySchedule(double learning_rate, int64_t decay_steps,
                                                               double decay_rate, bool staircase = false);

/// Piecewise constant: rate = values[i] for boundaries[i-1] <= step < boundaries[i] (values has one more
/// entry than boundaries; boundaries strictly increasing). Like TensorFlow's piecewise_constant, except
/// that the new rate already applies at the boundary step (TensorFlow switches one step later).
std::shared_ptr<LearningRateSchedule> StepSchedule(std::vector<int64_t> boundaries, std::vector<double> values);

/// Cosine decay (Loshchilov and Hutter 2017, without restarts): for step < decay_steps,
/// rate = learning_rate * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha); afterwards
/// learning_rate * alpha. An optional linear warm-up from 0 over `warmup_steps` comes first.
std::shared_ptr<LearningRateSchedule> CosineSchedule(double learning_rate, int64_t decay_steps, double alpha = 0.0,
                                                     int64_t warmup_steps = 0);

}  // namespace lever

namespace lever {

/// A schedule described by name and numbers, as a user types them.
struct ScheduleSpec {
  std::string name = "constant";  // ScheduleNames(): constant, exponential, step, cosine
  double learning_rate = 0.01;
  int64_t decay_steps = 0;          // exponential, cosine
  double decay_rate = 0.96;         // exponential
  bool staircase = false;           // exponential
  std::vector<int64_t> boundaries;  // step
  std::vector<double> values;       // step
  double alpha = 0.0;               // cosine: final fraction of the rate
  int64_t warmup_steps = 0;         // cosine
};

/// Throws ConfigError for an unknown name (listing the valid ones) or invalid numbers.
/// The table is in src/optim/schedule_registry.cpp.
std::shared_ptr<LearningRateSchedule> MakeSchedule(const ScheduleSpec& spec);

/// Every registered schedule name, in table order.
std::vector<std::string> ScheduleNames();

/// Every schedule with its aliases and help, in table order (`lever names`, docs/names.md).
std::vector<NameEntry> ScheduleEntries();

}  // namespace lever
