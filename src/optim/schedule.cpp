#include "lever/optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include "lever/error.h"

namespace lever {
namespace {

bool IsPositive(double x) { return x > 0.0 && std::isfinite(x); }

void CheckLearningRate(const char* where, double learning_rate) {
  if (!IsPositive(learning_rate)) {
    std::ostringstream msg;
    msg << where << ": learning rate must be a positive number, got " << learning_rate;
    throw ConfigError(msg.str());
  }
}

void CheckDecaySteps(const char* where, int64_t decay_steps) {
  if (decay_steps <= 0) {
    throw ConfigError(std::string(where) + ": decay_steps must be at least 1, got " + std::to_string(decay_steps));
  }
}

class Constant : public LearningRateSchedule {
 public:
  explicit Constant(double learning_rate) : learning_rate_(learning_rate) {
    CheckLearningRate("constant schedule", learning_rate);
  }
  double Rate(int64_t /*step*/) const override { return learning_rate_; }
  std::string Describe() const override {
    std::ostringstream out;
    out << learning_rate_;
    return out.str();
  }

 private:
  double learning_rate_;
};

class ExponentialDecay : public LearningRateSchedule {
 public:
  ExponentialDecay(double learning_rate, int64_t decay_steps, double decay_rate, bool staircase)
      : learning_rate_(learning_rate), decay_steps_(decay_steps), decay_rate_(decay_rate), staircase_(staircase) {
    CheckLearningRate("exponential_decay", learning_rate);
    CheckDecaySteps("exponential_decay", decay_steps);
    if (!IsPositive(decay_rate)) {
      std::ostringstream msg;
      msg << "exponential_decay: decay_rate must be a positive number (e.g. 0.96), got " << decay_rate;
      throw ConfigError(msg.str());
    }
  }
  double Rate(int64_t step) const override {
    double exponent = static_cast<double>(step) / static_cast<double>(decay_steps_);
    if (staircase_) exponent = std::floor(exponent);
    return learning_rate_ * std::pow(decay_rate_, exponent);
  }
  std::string Describe() const override {
    std::ostringstream out;
    out << "exponential_decay(" << learning_rate_ << ", decay_steps=" << decay_steps_ << ", decay_rate=" << decay_rate_
        << (staircase_ ? ", staircase=true" : "") << ")";
    return out.str();
  }

 private:
  double learning_rate_;
  int64_t decay_steps_;
  double decay_rate_;
  bool staircase_;
};

class PiecewiseConstant : public LearningRateSchedule {
 public:
  PiecewiseConstant(std::vector<int64_t> boundaries, std::vector<double> values)
      : boundaries_(std::move(boundaries)), values_(std::move(values)) {
    if (values_.size() != boundaries_.size() + 1) {
      throw ConfigError("piecewise_constant: needs one more value than boundaries, got " +
                        std::to_string(boundaries_.size()) + " boundaries and " + std::to_string(values_.size()) +
                        " values");
    }
    for (size_t i = 1; i < boundaries_.size(); ++i) {
      if (boundaries_[i] <= boundaries_[i - 1]) {
        throw ConfigError("piecewise_constant: boundaries must be strictly increasing, got " +
                          std::to_string(boundaries_[i - 1]) + " then " + std::to_string(boundaries_[i]));
      }
    }
    for (size_t i = 0; i < values_.size(); ++i) {
      CheckLearningRate(("piecewise_constant: values[" + std::to_string(i) + "]").c_str(), values_[i]);
    }
  }
  double Rate(int64_t step) const override {
    // The first boundary greater than step: a step equal to a boundary already takes the next value.
    const auto it = std::upper_bound(boundaries_.begin(), boundaries_.end(), step);
    return values_[static_cast<size_t>(it - boundaries_.begin())];
  }
  std::string Describe() const override {
    std::ostringstream out;
    out << "piecewise_constant(boundaries=[";
    for (size_t i = 0; i < boundaries_.size(); ++i) out << (i ? ", " : "") << boundaries_[i];
    out << "], values=[";
    for (size_t i = 0; i < values_.size(); ++i) out << (i ? ", " : "") << values_[i];
    out << "])";
    return out.str();
  }

 private:
  std::vector<int64_t> boundaries_;
  std::vector<double> values_;
};

class CosineDecay : public LearningRateSchedule {
 public:
  CosineDecay(double learning_rate, int64_t decay_steps, double alpha, int64_t warmup_steps)
      : learning_rate_(learning_rate), decay_steps_(decay_steps), alpha_(alpha), warmup_steps_(warmup_steps) {
    CheckLearningRate("cosine_decay", learning_rate);
    CheckDecaySteps("cosine_decay", decay_steps);
    if (!(alpha >= 0.0 && alpha <= 1.0)) {
      std::ostringstream msg;
      msg << "cosine_decay: alpha (the final fraction of the learning rate) must be in [0, 1], got " << alpha;
      throw ConfigError(msg.str());
    }
    if (warmup_steps < 0) {
      throw ConfigError("cosine_decay: warmup_steps must be 0 or more, got " + std::to_string(warmup_steps));
    }
  }
  double Rate(int64_t step) const override {
    // Warm-up first (as Keras' CosineDecay does), then the full cosine over the next decay_steps steps.
    if (step < warmup_steps_) {
      return learning_rate_ * static_cast<double>(step) / static_cast<double>(warmup_steps_);
    }
    const int64_t decay_step = step - warmup_steps_;
    if (decay_step >= decay_steps_) return learning_rate_ * alpha_;
    const double progress = static_cast<double>(decay_step) / static_cast<double>(decay_steps_);
    const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
    return learning_rate_ * ((1.0 - alpha_) * cosine + alpha_);
  }
  std::string Describe() const override {
    std::ostringstream out;
    out << "cosine_decay(" << learning_rate_ << ", decay_steps=" << decay_steps_ << ", alpha=" << alpha_;
    if (warmup_steps_ > 0) out << ", warmup_steps=" << warmup_steps_;
    out << ")";
    return out.str();
  }

 private:
  double learning_rate_;
  int64_t decay_steps_;
  double alpha_;
  int64_t warmup_steps_;
};

}  // namespace

std::shared_ptr<LearningRateSchedule> ConstantSchedule(double learning_rate) {
  return std::make_shared<Constant>(learning_rate);
}

std::shared_ptr<LearningRateSchedule> ExponentialDecaySchedule(double learning_rate, int64_t decay_steps,
                                                               double decay_rate, bool staircase) {
  return std::make_shared<ExponentialDecay>(learning_rate, decay_steps, decay_rate, staircase);
}

std::shared_ptr<LearningRateSchedule> StepSchedule(std::vector<int64_t> boundaries, std::vector<double> values) {
  return std::make_shared<PiecewiseConstant>(std::move(boundaries), std::move(values));
}

std::shared_ptr<LearningRateSchedule> CosineSchedule(double learning_rate, int64_t decay_steps, double alpha,
                                                     int64_t warmup_steps) {
  return std::make_shared<CosineDecay>(learning_rate, decay_steps, alpha, warmup_steps);
}

}  // namespace lever
