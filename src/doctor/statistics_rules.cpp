// Rules on the sampled statistics: gradients that vanish or explode, dead and saturated units, too much
// regularization, L1 that removed every weight, inputs on wild scales (docs/doctor.md).
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "rules.h"

namespace lever::doctor {
namespace {

// The last `n` samples (fewer when there are fewer).
std::vector<const TrainingStatistics*> Last(const DoctorRecord& r, size_t n) {
  std::vector<const TrainingStatistics*> out;
  for (size_t i = r.statistics.size() - std::min(n, r.statistics.size()); i < r.statistics.size(); ++i) {
    out.push_back(&r.statistics[i]);
  }
  return out;
}

// Weights that start all equal (zeros, ones): not scaled to the layers, and every unit of a layer alike.
bool ConstantInitializer(const DoctorFacts& f) { return f.initializer == "zeros" || f.initializer == "ones"; }

// The initializer scaled for the activation: He's for the ReLU family, Glorot's for the rest.
std::string ScaledInitializer(const DoctorFacts& f) {
  const bool relu = f.activation.find("relu") != std::string::npos || f.activation.starts_with("elu");
  return relu ? "--initializer he_uniform" : "--initializer glorot_uniform";
}

// Dead ReLUs: units that output 0 for every example, sample after sample, learn nothing again.
void DeadRelu(const DoctorRecord& r, std::vector<Finding>& out) {
  const auto last = Last(r, 3);
  if (last.size() < 2) return;
  const DoctorFacts& f = r.facts;
  for (size_t a = 0; a < last.back()->activations.size(); ++a) {
    const ActivationStatistics& layer = last.back()->activations[a];
    if (layer.activation != "relu") continue;
    double least = 1.0;
    for (const TrainingStatistics* s : last) {
      if (a < s->activations.size()) least = std::min(least, s->activations[a].dead_fraction);
    }
    if (least < 0.7) continue;
    // Weights that started all equal: every unit of a layer alike, dead from the first step (zeros) or
    // after the huge first steps of weights far too large (ones). The initializer, whatever the rate.
    if (ConstantInitializer(f)) {
      const TrainingStatistics& first = r.statistics.front();
      const bool from_start =
          first.step <= 1 && a < first.activations.size() && first.activations[a].dead_fraction >= 0.7;
      const int64_t step = from_start ? first.step : last.front()->step;
      out.push_back(
          {.id = "dead_relu",
           .confidence = 0.9,
           .evidence = fmt::format("layer {}: {:.0f}% of units output 0 on every example of the batch "
                                   "from step {} on, with weights that started all {} (initializer {})",
                                   layer.layer, 100 * least, step, f.initializer == "zeros" ? 0 : 1, f.initializer),
           .knob = ScaledInitializer(f),
           .alternatives = Knobs({"--activation leaky_relu", HighLearningRate(f) ? LowerRate(f) : ""}),
           .step = step});
      return;
    }
    const bool high = HighLearningRate(f);
    out.push_back({.id = "dead_relu",
                   .confidence = 0.9,
                   .evidence = fmt::format("layer {}: {:.0f}% of units output 0 on every example of the batch in the "
                                           "last {} samples, from step {} ({})",
                                           layer.layer, 100 * least, last.size(), last.front()->step, OptimizerText(f)),
                   .knob = high ? LowerRate(f) : "--activation leaky_relu",
                   .alternatives = high ? "--activation leaky_relu, elu"
                                        : "--activation elu, --learning-rate " + Scaled(f.learning_rate, 0.3),
                   .step = last.front()->step});
    return;
  }
}

// Saturated sigmoid/tanh units: their gradient is nearly 0.
void Saturated(const DoctorRecord& r, std::vector<Finding>& out) {
  const auto last = Last(r, 3);
  // Saturated units matter when the loss stopped falling; a confident, well-trained net saturates too.
  if (last.size() < 2 || !out.empty() || Fall(r) > 0.5) return;
  const DoctorFacts& f = r.facts;
  for (size_t a = 0; a < last.back()->activations.size(); ++a) {
    const ActivationStatistics& layer = last.back()->activations[a];
    if (!layer.saturates) continue;
    double least = 1.0;
    for (const TrainingStatistics* s : last) {
      if (a < s->activations.size()) least = std::min(least, s->activations[a].saturated_fraction);
    }
    if (least < 0.75) continue;
    const bool wild_inputs = !f.standardized && std::max(f.largest_input_stddev, f.largest_input_mean) > 10;
    if (HighLearningRate(f) && !wild_inputs) {
      out.push_back({.id = "learning_rate_too_high",
                     .confidence = 0.9,
                     .evidence = fmt::format("layer {} ({}): {:.0f}% of outputs saturated in the last {} samples and "
                                             "the loss barely moved: steps too large ({})",
                                             layer.layer, layer.activation, 100 * least, last.size(), OptimizerText(f)),
                     .knob = LowerRate(f),
                     .step = last.front()->step});
      return;
    }
    // Saturated from the very first sample by an initializer that is not scaled to the layer's fan-in and
    // fan-out (ones, a wide uniform): the weights start too large, whatever the rate.
    const TrainingStatistics& first = r.statistics.front();
    const bool from_start = first.step <= 1 && a < first.activations.size() &&
                            first.activations[a].saturated_fraction >= 0.75 && !f.initializer.empty() &&
                            !f.initializer.starts_with("glorot") && !f.initializer.starts_with("lecun");
    if (from_start && !wild_inputs) {
      out.push_back({.id = "saturated_units",
                     .confidence = 0.85,
                     .evidence = fmt::format("layer {} ({}): {:.0f}% of outputs saturated from the first step on "
                                             "(initializer {}), where its gradient nearly vanishes",
                                             layer.layer, layer.activation, 100 * least, f.initializer),
                     .knob = "--initializer glorot_uniform",
                     .alternatives = Knobs({BatchNormKnob(f), "--activation relu"}),
                     .step = 1});
      return;
    }
    out.push_back({.id = "saturated_units",
                   .confidence = 0.8,
                   .evidence = fmt::format("layer {} ({}): {:.0f}% of outputs saturated in the last {} samples, where "
                                           "its gradient nearly vanishes",
                                           layer.layer, layer.activation, 100 * least, last.size()),
                   .knob = wild_inputs           ? "--standardize"
                           : HighLearningRate(f) ? LowerRate(f)
                                                 : "--activation relu",
                   .alternatives = BatchNormKnob(f),
                   .step = last.front()->step});
    return;
  }
}

// The kernels' gradient norms, first layer and last, as medians over the samples.
std::pair<double, double> FirstLastGradients(const DoctorRecord& r) {
  std::vector<double> first, last;
  for (const TrainingStatistics& s : r.statistics) {
    const ParameterStatistics* a = nullptr;
    const ParameterStatistics* b = nullptr;
    for (const ParameterStatistics& p : s.parameters) {
      if (!p.name.ends_with("kernel")) continue;
      if (a == nullptr) a = &p;
      b = &p;
    }
    if (a == nullptr || a == b) continue;
    first.push_back(a->gradient_norm);
    last.push_back(b->gradient_norm);
  }
  if (first.empty()) return {std::nan(""), std::nan("")};
  const auto median = [](std::vector<double>& v) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  return {median(first), median(last)};
}

// Vanishing gradients (AUTOTRAINER's rule: the first layer's gradient below 1e-3 of the last's) in a
// network whose loss barely moved.
void Vanishing(const DoctorRecord& r, std::vector<Finding>& out) {
  const auto [first, last] = FirstLastGradients(r);
  // Vanishing is a deep stack's problem (3 or more hidden layers); in a shallow one the same ratio comes
  // from saturated units, which that rule names.
  if (!out.empty() || !std::isfinite(first) || !(last > 0) || first / last >= 1e-3 || r.diverged) return;
  if (r.facts.hidden.size() < 3) return;
  if (Fall(r) > 0.5 || Fall(r) < -0.1) return;  // a rising loss is the learning rate's finding
  const DoctorFacts& f = r.facts;
  const bool saturating = f.activation == "sigmoid" || f.activation == "tanh";
  if (HighLearningRate(f)) {
    // Steps so large that the units were thrown into saturation: the rate is the cause.
    out.push_back({.id = "learning_rate_too_high",
                   .confidence = 0.9,
                   .evidence = fmt::format("the first layer's gradient fell to {:.1e} of the last layer's and the loss "
                                           "barely moved ({})",
                                           first / last, OptimizerText(f)),
                   .knob = LowerRate(f)});
    return;
  }
  out.push_back({.id = "vanishing_gradients",
                 .confidence = 0.85,
                 .evidence = fmt::format("the first layer's gradient is {:.1e} of the last layer's (median over {} "
                                         "samples; {} hidden layers of {})",
                                         first / last, r.statistics.size(), f.hidden.size(), f.activation),
                 .knob = saturating     ? "--activation relu"
                         : f.batch_norm ? "--initializer he_normal"
                                        : "--batch-norm",
                 .alternatives = saturating     ? Knobs({"--activation elu", BatchNormKnob(f)})
                                 : f.batch_norm ? ""
                                                : "--initializer he_normal"});
}

// "--clip-norm 1", or a tenth of the norm the run already clips to.
std::string ClipKnob(const DoctorFacts& f) {
  return f.clip_norm > 0 ? "--clip-norm " + Scaled(f.clip_norm, 0.1) : "--clip-norm 1";
}

// Exploding gradients: the global gradient norm grew a thousandfold, and the loss went with it. Weights
// that start all 1 multiply the signal by a layer's width at every layer: their initializer comes first.
void Exploding(const DoctorRecord& r, std::vector<Finding>& out) {
  const double first = r.statistics.empty() ? 0.0 : r.statistics.front().gradient_global_norm;
  double largest = 0.0;
  int64_t at = -1;
  for (const TrainingStatistics& s : r.statistics) {
    if (!(s.gradient_global_norm <= largest)) {
      largest = s.gradient_global_norm;
      at = s.step;
    }
  }
  const DoctorFacts& f = r.facts;
  const bool grew = r.statistics.size() >= 2 && first > 0 && (largest / first >= 1e3 || !std::isfinite(largest));
  const bool hurt = r.diverged || EndLoss(r) > 1.1 * StartLoss(r);
  if (HighLearningRate(f) || !hurt) return;
  if (!grew && r.diverged && f.hidden.size() >= 3 && !f.batch_norm) {
    // Diverged before a sample could show it: at a moderate rate, through a deep stack of layers.
    out.push_back(
        {.id = "exploding_gradients",
         .confidence = 0.9,
         .evidence = fmt::format("the loss became NaN or infinite at step {} in a network of {} hidden layers "
                                 "at a moderate rate ({}): the gradient grows layer by layer",
                                 r.diverged_at, f.hidden.size(), OptimizerText(f)),
         .knob = ConstantInitializer(f) ? ScaledInitializer(f) : ClipKnob(f),
         .alternatives = Knobs({ConstantInitializer(f) ? ClipKnob(f) : "", BatchNormKnob(f), LowerRate(f)}),
         .step = r.diverged_at});
    return;
  }
  if (!grew) return;
  out.push_back(
      {.id = "exploding_gradients",
       .confidence = 0.92,
       .evidence = fmt::format("the gradient's global norm grew from {:.3g} to {:.3g} by step {}{} ({})", first,
                               largest, at, r.diverged ? ", then the loss diverged" : "", OptimizerText(f)),
       .knob = ConstantInitializer(f) ? ScaledInitializer(f) : ClipKnob(f),
       .alternatives = Knobs({ConstantInitializer(f) ? ClipKnob(f) : "", BatchNormKnob(f), LowerRate(f)}),
       .step = at});
}

// Regularization that outweighs the data: L1/L2 larger than the data loss, and the model underfits.
void Regularization(const DoctorRecord& r, std::vector<Finding>& out) {
  const DoctorFacts& f = r.facts;
  if ((f.l1 <= 0 && f.l2 <= 0) || r.statistics.empty() || r.diverged) return;
  const TrainingStatistics& s = r.statistics.back();
  if (s.kernel_weights > 0 && s.nonzero_weights == 0 && f.l1 > 0) {
    out.push_back({.id = "l1_removed_everything",
                   .confidence = 0.95,
                   .evidence = fmt::format("L1 {:g} set all {} kernel weights to exactly 0: the model predicts a "
                                           "constant",
                                           f.l1, s.kernel_weights),
                   .knob = "--l1 " + Scaled(f.l1, 0.1),
                   .step = s.step});
    return;
  }
  // The penalty outweighs the data, or has shrunk the weights to almost nothing, and the loss barely fell.
  double squares = 0.0;
  int64_t count = 0;
  for (const ParameterStatistics& p : s.parameters) {
    if (!p.name.ends_with("kernel")) continue;
    squares += p.weight_norm * p.weight_norm;
    count += p.size;
  }
  const double rms = count > 0 ? std::sqrt(squares / static_cast<double>(count)) : 1.0;
  const bool outweighs = s.regularization_loss > 0.5 * s.data_loss;
  const bool dominates = s.regularization_loss > s.data_loss;  // the objective is mostly the penalty
  if (!dominates && ((!outweighs && rms >= 0.01) || Fall(r) > 0.5)) return;
  // A penalty larger than a data loss the model drove near 0 is no underfitting: the model fits.
  if (Fall(r) > 0.85) return;
  const bool l2_larger = f.l2 >= f.l1;
  out.push_back(
      {.id = "regularization_too_strong",
       .confidence = 0.85,
       .evidence = fmt::format("L1 {:g}, L2 {:g}: {}, and the training loss {}", f.l1, f.l2,
                               outweighs ? fmt::format("the penalty {:.4g} is {:.0f}% of the data loss",
                                                       s.regularization_loss, 100 * s.regularization_loss / s.data_loss)
                                         : fmt::format("the weights shrank to a root mean square of {:.2g}", rms),
                               FallText(r)),
       .knob = l2_larger ? "--l2 " + Scaled(f.l2, 0.1) : "--l1 " + Scaled(f.l1, 0.1),
       .step = s.step});
}

// Inputs on wild scales, not standardized: the first layer's units saturate or its steps are uneven.
void Inputs(const DoctorRecord& r, std::vector<Finding>& out) {
  const DoctorFacts& f = r.facts;
  const double scale = std::max(f.largest_input_stddev, f.largest_input_mean);
  if (f.standardized || scale <= 50) return;
  out.push_back({.id = "inputs_not_normalized",
                 .confidence = 0.93,  // the root cause of the dead or saturated units it brings
                 .evidence = fmt::format("an input has standard deviation {:.3g} and mean {:.3g}, not standardized",
                                         f.largest_input_stddev, f.largest_input_mean),
                 .knob = "--standardize",
                 .alternatives = BatchNormKnob(f)});
}

}  // namespace

void StatisticsRules(const DoctorRecord& record, std::vector<Finding>& findings) {
  Inputs(record, findings);
  Regularization(record, findings);
  Exploding(record, findings);
  Vanishing(record, findings);
  DeadRelu(record, findings);
  Saturated(record, findings);
}

}  // namespace lever::doctor
