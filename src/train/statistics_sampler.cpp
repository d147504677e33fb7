#include "lever/train/statistics_sampler.h"

#include <algorithm>
#include <cmath>

#include "lever/nn/activation.h"

namespace lever {
namespace {

ActivationStatistics Summarize(const ActivationTap& tap) {
  auto y = tap.output.value();
  ActivationStatistics a;
  a.layer = tap.layer;
  a.activation = tap.activation;
  const double count = static_cast<double>(y.size());
  if (count == 0) return a;
  a.mean = static_cast<double>(y.sum()) / count;
  a.stddev = std::sqrt(std::max(0.0, static_cast<double>(y.squaredNorm()) / count - a.mean * a.mean));
  const ActivationKind& kind = tap.kind != nullptr ? *tap.kind : FindActivation(tap.activation);
  a.saturates = kind.statistic == ActivationStatistic::kSaturation;
  if (kind.statistic == ActivationStatistic::kDeadUnits) {
    a.zero_fraction = static_cast<double>((y.array() <= 0.0f).count()) / count;
    Index dead = 0;
    for (Index j = 0; j < y.cols(); ++j) dead += (y.col(j).array() <= 0.0f).all() ? 1 : 0;
    a.dead_fraction = static_cast<double>(dead) / static_cast<double>(y.cols());
  } else if (a.saturates) {
    const float low = kind.saturation_low, high = kind.saturation_high;
    a.saturated_fraction = static_cast<double>(((y.array() < low) || (y.array() > high)).count()) / count;
  }
  return a;
}

}  // namespace

void StatisticsSampler::Watch(const ParameterList& parameters, const std::vector<ActivationTap>* taps) {
  parameters_.clear();
  for (Parameter* p : parameters) {
    if (!p->sparse_grad) parameters_.push_back(p);
  }
  taps_ = taps;
  weights_before_.clear();
  for (const Parameter* p : parameters_) weights_before_.push_back(p->value);
  gradient_norms_.assign(parameters_.size(), 0.0);
  watching_ = true;
  sampled_ = false;
}

void StatisticsSampler::BeforeUpdate() {
  for (size_t i = 0; i < parameters_.size(); ++i) {
    gradient_norms_[i] = parameters_[i]->grad.norm();
    weights_before_[i] = parameters_[i]->value;  // same shape: no allocation
  }
}

void StatisticsSampler::AfterUpdate(int64_t step, double data_loss, double gradient_global_norm, bool clipped,
                                    double learning_rate) {
  TrainingStatistics& s = last_;
  s = TrainingStatistics{};
  s.step = step;
  s.data_loss = data_loss;
  s.gradient_global_norm = gradient_global_norm;
  s.clipped = clipped;
  s.learning_rate = learning_rate;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const Parameter& p = *parameters_[i];
    ParameterStatistics ps;
    ps.name = p.name;
    ps.weight_norm = p.value.norm();
    ps.gradient_norm = gradient_norms_[i];
    const double before = weights_before_[i].norm();
    ps.update_norm = (p.value - weights_before_[i]).norm();
    ps.update_ratio = before > 0.0 ? ps.update_norm / before : 0.0;
    ps.nonzero = p.CountNonzero();
    ps.size = p.size();
    s.parameters.push_back(ps);
  }
  if (taps_ != nullptr) {
    for (const ActivationTap& tap : *taps_) s.activations.push_back(Summarize(tap));
  }
  sampled_ = true;
}

TrainingStatistics StatisticsSampler::Last() const { return sampled_ ? last_ : TrainingStatistics{}; }

}  // namespace lever
