#pragma once
// What a sampled step's statistics (lever/train/statistics.h) need, kept while the step is taken: each
// watched parameter's gradient norm and its weights before the update, then the norms, update ratios and
// activation summaries after it. The Trainer and estimators both sample through it:
//
//   sampler.Watch(trainable, &taps);          // once, after the training graph is built
//   ...backward...
//   if (sampled) sampler.BeforeUpdate();      // the gradients are final; the weights not yet updated
//   ...clip, optimizer step...
//   if (sampled) sampler.AfterUpdate(step, loss, global_norm, clipped, rate);
//   TrainingStatistics s = sampler.Last();     // the caller adds the regularization loss and weight counts
#include <cstdint>
#include <vector>

#include "lever/nn/layer.h"
#include "lever/nn/parameter.h"
#include "lever/train/statistics.h"

namespace lever {

class StatisticsSampler {
 public:
  /// Watches `parameters` and the activations `taps` (null: none; they must outlive the sampler's use).
  /// Row-sparse parameters (embedding tables, wide linear weights) are left out: copying a table of
  /// millions of rows at every sample would cost more than the steps between samples.
  void Watch(const ParameterList& parameters, const std::vector<ActivationTap>* taps);
  bool watching() const { return watching_; }

  /// Before the update of a sampled step: each watched parameter's gradient norm and weights.
  void BeforeUpdate();
  /// After it: the step's global step, mean data loss, global gradient norm (before clipping), whether it
  /// was clipped and the learning rate it was taken at.
  void AfterUpdate(int64_t step, double data_loss, double gradient_global_norm, bool clipped, double learning_rate);

  /// The last sampled step's statistics: per parameter and activation, and the step's figures above
  /// (regularization_loss, nonzero_weights and kernel_weights are left to the caller). Empty before any.
  TrainingStatistics Last() const;

 private:
  bool watching_ = false;
  ParameterList parameters_;
  const std::vector<ActivationTap>* taps_ = nullptr;
  std::vector<Tensor> weights_before_;
  std::vector<double> gradient_norms_;
  TrainingStatistics last_;
  bool sampled_ = false;
};

}  // namespace lever
