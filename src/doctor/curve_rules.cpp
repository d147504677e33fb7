// Rules on the loss curves: the learning rate, convergence, oscillation, over- and underfitting
// (docs/doctor.md says which rule of thumb each one encodes).
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "rules.h"

namespace lever::doctor {
namespace {

bool Has(const std::vector<Finding>& findings, const std::string& id) {
  return std::any_of(findings.begin(), findings.end(), [&](const Finding& f) { return f.id == id; });
}

// "The training error should decrease steeply at first": it diverged, or ended above where it began.
void LearningRateTooHigh(const DoctorRecord& r, std::vector<Finding>& out) {
  const DoctorFacts& f = r.facts;
  if (Has(out, "exploding_gradients")) return;
  const double start = StartLoss(r), end = EndLoss(r);
  if (r.diverged) {
    out.push_back({.id = "learning_rate_too_high",
                   .confidence = 0.95,
                   .evidence = fmt::format("the training loss became NaN or infinite at step {} ({})", r.diverged_at,
                                           OptimizerText(f)),
                   .knob = LowerRate(f),
                   .alternatives = f.clip_norm > 0 ? "" : "--clip-norm 1",
                   .step = r.diverged_at});
    return;
  }
  if (r.step_losses.size() >= 20 && end > 1.1 * start) {
    out.push_back({.id = "learning_rate_too_high",
                   .confidence = 0.9,
                   .evidence = fmt::format("the training loss rose from {:.4g} in the first steps to {:.4g} at the end "
                                           "({})",
                                           start, end, OptimizerText(f)),
                   .knob = LowerRate(f)});
    return;
  }
  // A spike: the loss, averaged over 1% of the steps (one odd batch is not a spike), shot to 10 times the
  // untrained model's before it came down.
  const size_t n = r.step_losses.size(), window = std::max<size_t>(1, n / 100);
  const double first = n == 0 ? 0.0 : r.step_losses.front();
  double peak = 0.0;
  size_t peak_at = 0;
  for (size_t begin = 0; begin + window <= n; begin += window) {
    const double mean = MeanOf(r.step_losses, begin, begin + window);
    if (mean > peak) peak = mean, peak_at = begin;
  }
  if (first > 0 && peak > 10 * first) {
    out.push_back(
        {.id = "learning_rate_too_high",
         .confidence = 0.88,
         .evidence = fmt::format("the training loss spiked from {:.4g} at the first step to {:.4g} (the mean of "
                                 "steps {}-{}) before it came down to {:.4g} ({})",
                                 first, peak, peak_at + 1, peak_at + window, end, OptimizerText(f)),
         .knob = LowerRate(f),
         .step = static_cast<int64_t>(peak_at + 1)});
  }
}

// The median update/weight ratio of the kernels over the samples (NaN without statistics).
double MedianUpdateRatio(const DoctorRecord& r) {
  std::vector<double> ratios;
  for (const TrainingStatistics& s : r.statistics) {
    for (const ParameterStatistics& p : s.parameters) {
      if (p.name.ends_with("kernel") && p.weight_norm > 0) ratios.push_back(p.update_ratio);
    }
  }
  if (ratios.empty()) return std::nan("");
  std::nth_element(ratios.begin(), ratios.begin() + static_cast<std::ptrdiff_t>(ratios.size() / 2), ratios.end());
  return ratios[ratios.size() / 2];
}

// The hidden layers twice as wide ("16,16" for 8,8), with one more layer as wide as the last when `deeper`.
std::string Wider(const std::vector<int64_t>& hidden, bool deeper) {
  if (hidden.empty()) return "8,8";
  std::string out;
  for (const int64_t units : hidden) out += (out.empty() ? "" : ",") + std::to_string(2 * units);
  if (deeper) out += "," + std::to_string(2 * hidden.back());
  return out;
}

// "If it decreases too slowly, raise the learning rate"; "if it has not converged, run longer".
void SlowOrUnfinished(const DoctorRecord& r, std::vector<Finding>& out) {
  // A finding from the statistics names the cause of a slow run better.
  if (r.diverged || !out.empty() || r.step_losses.size() < 20) return;
  const DoctorFacts& f = r.facts;
  const double start = StartLoss(r), end = EndLoss(r);
  const double fall = Fall(r);
  const double ratio = MedianUpdateRatio(r);
  const bool tiny_updates = std::isfinite(ratio) && ratio < 1e-4;
  if (tiny_updates && fall < 0.5) {
    // Updates under 1e-4 of the weights are more than 10 times short of a healthy 1e-3, and an update
    // grows about as the rate (less for the adaptive optimizers): a hundredfold rate lifts them to about
    // 1e-3 or more in one round.
    const double factor = 100.0;
    out.push_back({.id = "learning_rate_too_low",
                   .confidence = 0.85,
                   .evidence = fmt::format("the training loss {} with weight updates of {:.1e} of the weights per "
                                           "step (healthy: about 1e-3; {})",
                                           FallText(r), ratio, OptimizerText(f)),
                   .knob = "--learning-rate " + Scaled(f.learning_rate, factor),
                   .alternatives = f.optimizer == "sgd" ? "--optimizer adam" : ""});
    return;
  }
  // Barely moved, or still creeping down at the end after falling little: the steps are too small to get
  // anywhere in this run (a model too weak falls, then levels off: underfitting).
  // ... unless the weights moved at a healthy pace (update/weight ratios of 5e-4 or more): then the steps
  // were too few (not_converged) or the model cannot learn more (underfitting).
  const size_t n = r.step_losses.size();
  const double creep = LateFall(r);
  const bool healthy_pace = std::isfinite(ratio) && ratio >= 5e-4;
  if (!healthy_pace && (fall < 0.1 || (fall < 0.3 && creep > 0.02))) {
    out.push_back({.id = "learning_rate_too_low",
                   .confidence = 0.8,
                   .evidence = fmt::format("the training loss {} and was still creeping down at the end ({:.1f}% "
                                           "over the last 30% of the steps; {})",
                                           FallText(r), 100 * creep, OptimizerText(f)),
                   .knob = "--learning-rate " + Scaled(f.learning_rate, 10),
                   .alternatives = "--steps " + std::to_string(10 * n)});
    return;
  }
  // A classifier that already gets (nearly) every training example right gains little from more steps.
  const bool fits =
      f.classification && !r.evaluations.empty() && r.evaluations.back().train_accuracy >= 0.98 && end < 0.1;
  // A downward trend over the last 30% of the steps (the run's own check, the last tenth against the tenth
  // before, is set off by a wobbling loss and misses a slow one), unless the loss fell 95% already.
  if (fall < 0.95 && creep > 0.02 && !fits) {
    // Batches of a few examples: each step learns from a noisy handful, and the run saw few examples in
    // all ("very small batches cause instability"). Ten times the batch sees ten times the data per step.
    if (f.batch_size < 8 && f.train_rows > f.batch_size) {
      const int64_t seen = static_cast<int64_t>(r.step_losses.size()) * f.batch_size;
      out.push_back({.id = "not_converged",
                     .confidence = 0.6,
                     .evidence = fmt::format("the training loss was still falling at the end ({:.4g} -> {:.4g} over "
                                             "{} steps) with batches of {}: the run saw {} examples, {:.3g} passes "
                                             "over the data",
                                             start, end, r.step_losses.size(), f.batch_size, seen,
                                             static_cast<double>(seen) / static_cast<double>(f.train_rows)),
                     .knob = fmt::format("--batch-size {}", std::min<int64_t>(10 * f.batch_size, f.train_rows)),
                     .alternatives = fmt::format("--steps {}", 3 * r.step_losses.size())});
      return;
    }
    // A small network, with fewer weights than training examples, that still gets more than 5% of them
    // wrong: more steps creep on, a network twice as wide learns the data in the same steps.
    const int64_t weights = r.statistics.empty() ? 0 : r.statistics.back().kernel_weights;
    const bool small = f.classification && !f.hidden.empty() && weights > 0 && weights < f.train_rows &&
                       !r.evaluations.empty() && r.evaluations.back().train_accuracy < 0.95;
    if (small) {
      out.push_back({.id = "not_converged",
                     .confidence = 0.6,
                     .evidence = fmt::format("the training loss was still falling at the end ({:.4g} -> {:.4g} over "
                                             "{} steps) at train accuracy {:.3f}, with {} weights for {} training "
                                             "examples: the network is small for the data",
                                             start, end, r.step_losses.size(), r.evaluations.back().train_accuracy,
                                             weights, f.train_rows),
                     .knob = "--hidden " + Wider(f.hidden, false),
                     .alternatives = fmt::format("--steps {}", 3 * r.step_losses.size())});
      return;
    }
    out.push_back({.id = "not_converged",
                   .confidence = 0.6,
                   .evidence = fmt::format("the training loss was still falling at the end ({:.4g} -> {:.4g} over {} "
                                           "steps)",
                                           start, end, r.step_losses.size()),
                   .knob = fmt::format("--steps {}", 3 * r.step_losses.size()),
                   .alternatives = "--learning-rate " + Scaled(f.learning_rate, 3)});
  }
}

// "If it varies widely, lower the learning rate"; "very small batches cause instability": the whole
// training set's loss rises between evaluations again and again in the second half of the run.
void Oscillating(const DoctorRecord& r, std::vector<Finding>& out) {
  // A loss that fell 90% and wobbles near 0 is not a problem.
  if (r.diverged || !out.empty() || Fall(r) >= 0.9) return;
  const auto& e = r.evaluations;
  if (e.size() < 8) return;
  int rises = 0, checks = 0;
  double largest = 0.0;
  for (size_t i = e.size() / 2; i < e.size(); ++i) {
    if (!std::isfinite(e[i].train_loss) || !std::isfinite(e[i - 1].train_loss) || e[i - 1].train_loss <= 0) continue;
    ++checks;
    const double rise = (e[i].train_loss - e[i - 1].train_loss) / e[i - 1].train_loss;
    // A rise counts when it is large against the loss there and against where the run began (a loss of 0.11
    // wobbling by 0.02 does not).
    if (rise > 0.1 && e[i].train_loss - e[i - 1].train_loss > 0.05 * StartLoss(r)) ++rises;
    largest = std::max(largest, rise);
  }
  if (checks == 0 || rises < 2 || 3 * rises < checks) return;
  const DoctorFacts& f = r.facts;
  const bool small_batch = f.batch_size < 8;
  out.push_back(
      {.id = "loss_oscillating",
       .confidence = 0.75,
       .evidence = fmt::format("the training loss rose at {} of the last {} evaluations, by up to {:.0f}% (batch "
                               "{}, {})",
                               rises, checks, 100 * largest, f.batch_size, OptimizerText(f)),
       .knob = small_batch ? "--batch-size 32" : "--learning-rate " + Scaled(f.learning_rate, 0.3),
       .alternatives = small_batch ? "--learning-rate " + Scaled(f.learning_rate, 0.3)
                                   : "--batch-size " + std::to_string(std::max<int64_t>(32, 4 * f.batch_size))});
}

// Overfitting: the test loss turned up while the training loss kept falling.
void Overfitting(const DoctorRecord& r, std::vector<Finding>& out) {
  const auto& e = r.evaluations;
  if (r.diverged || e.size() < 4 || !std::isfinite(e.back().validation_loss)) return;
  size_t best = 0;
  for (size_t i = 1; i < e.size(); ++i) {
    if (e[i].validation_loss < e[best].validation_loss) best = i;
  }
  const DoctorEvaluation& last = e.back();
  // The gap must matter too: a classifier loses test accuracy, a regression's test error doubles its training one.
  const bool gap_matters = std::isfinite(last.train_accuracy) ? last.train_accuracy - last.validation_accuracy >= 0.03
                                                              : last.validation_loss >= 2 * last.train_loss;
  const bool turned_up = last.validation_loss > 1.2 * e[best].validation_loss && best + 1 < e.size() &&
                         last.train_loss < 0.9 * e[best].train_loss && gap_matters;
  const bool loss_gap = last.validation_loss >= 1.5 * last.train_loss;
  const bool gap = std::isfinite(last.train_accuracy) && last.train_accuracy >= 0.95 &&
                   last.train_accuracy - last.validation_accuracy > 0.1 && loss_gap;
  // Confidently wrong on the test set: a test loss 5 times the training loss, and large against the untrained
  // model's.
  const double untrained = r.step_losses.empty() ? StartLoss(r) : r.step_losses.front();
  const bool far = last.validation_loss >= 5 * last.train_loss && last.validation_loss > 0.5 * untrained;
  if (!turned_up && !gap && !far) return;
  const DoctorFacts& f = r.facts;
  std::string evidence =
      turned_up ? fmt::format(
                      "the test loss was lowest at step {} ({:.4g}) and rose to {:.4g} while the training loss "
                      "fell from {:.4g} to {:.4g}",
                      e[best].step, e[best].validation_loss, last.validation_loss, e[best].train_loss, last.train_loss)
      : gap ? fmt::format("train accuracy {:.3f} but test accuracy {:.3f} (loss {:.4g} against {:.4g})",
                          last.train_accuracy, last.validation_accuracy, last.train_loss, last.validation_loss)
            : fmt::format("the test loss {:.4g} is {:.0f} times the training loss {:.4g}", last.validation_loss,
                          last.validation_loss / std::max(last.train_loss, 1e-300), last.train_loss);
  if (!turned_up && !gap && HighLearningRate(f)) {
    if (Has(out, "learning_rate_too_high")) return;
    // Huge steps drive the weights large and the predictions overconfident: the rate is the cause.
    out.push_back({.id = "learning_rate_too_high",
                   .confidence = 0.8,
                   .evidence = evidence + " (" + OptimizerText(f) + ": steps this large make overconfident weights)",
                   .knob = LowerRate(f)});
    return;
  }
  out.push_back({.id = "overfitting",
                 .confidence = turned_up ? 0.85 : 0.7,
                 .evidence = evidence,
                 .knob = f.l2 > 0 ? "--l2 " + Scaled(f.l2, 10) : "--l2 0.001",
                 .alternatives = fmt::format("--dropout 0.3, --steps {}", e[best].step > 0 ? e[best].step : 1),
                 .step = e[best].step});
}

// Underfitting: the loss leveled off high, on training and test data alike.
void Underfitting(const DoctorRecord& r, std::vector<Finding>& out) {
  const auto& e = r.evaluations;
  if (r.diverged || e.empty() || !out.empty()) return;
  // Leveled off: no downward trend over the last 30% of the steps.
  if (LateFall(r) > 0.02) return;
  const DoctorEvaluation& last = e.back();
  const DoctorFacts& f = r.facts;
  std::string evidence;
  if (f.classification && std::isfinite(last.train_accuracy)) {
    if (last.train_accuracy >= 0.85) return;
    evidence = fmt::format("the loss leveled off at train accuracy {:.3f}", last.train_accuracy);
  } else if (!f.classification && f.label_variance > 0) {
    const double unexplained = last.train_loss / f.label_variance;
    if (unexplained < 0.3) return;
    evidence =
        fmt::format("the loss leveled off at a training error of {:.0f}% of the labels' variance", 100 * unexplained);
  } else {
    return;
  }
  if (std::isfinite(last.validation_accuracy)) evidence += fmt::format(" (test {:.3f})", last.validation_accuracy);
  const std::string wider = "--hidden " + Wider(f.hidden, true);
  const std::string model = f.hidden.empty() ? std::string("linear") : fmt::format("{} hidden layers", f.hidden.size());
  // Regularized: loosen it before growing the model ("underfitting: reduce regularization").
  std::string loosen;
  if (f.l2 > 0) loosen = "--l2 " + Scaled(f.l2, 0.1);
  if (f.l1 > 0 && f.l1 >= f.l2) loosen = "--l1 " + Scaled(f.l1, 0.1);
  if (loosen.empty() && f.dropout > 0) loosen = "--dropout " + Scaled(f.dropout, 0.5);
  if (!loosen.empty()) {
    out.push_back({.id = "underfitting",
                   .confidence = 0.65,
                   .evidence = evidence + fmt::format(": the model ({}) underfits while regularized (L1 {:g}, L2 "
                                                      "{:g}, dropout {:g})",
                                                      model, f.l1, f.l2, f.dropout),
                   .knob = loosen,
                   .alternatives = wider});
    return;
  }
  out.push_back({.id = "underfitting",
                 .confidence = 0.65,
                 .evidence = evidence + fmt::format(": the model ({}) is too weak for the data", model),
                 .knob = wider,
                 .alternatives = "more input features (--features x1,x2,x1_sq,x2_sq,x1_x2,sin_x1,sin_x2)"});
}

}  // namespace

void CurveRules(const DoctorRecord& record, std::vector<Finding>& findings) {
  LearningRateTooHigh(record, findings);
  Oscillating(record, findings);
  SlowOrUnfinished(record, findings);
  Overfitting(record, findings);
  Underfitting(record, findings);
}

}  // namespace lever::doctor
