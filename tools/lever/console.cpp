#include "console.h"

#include <fmt/core.h>

#include <cmath>

namespace lever::cli {

bool ConsoleProgress::OnEvaluation(const EvalInfo& info) {
  std::string line = fmt::format("step {:>{}}/{}  train loss {:.4f}", info.step,
                                 std::to_string(info.max_steps).size(), info.max_steps, info.train.loss);
  if (info.validation) line += fmt::format("  test loss {:.4f}", info.validation->loss);
  if (classification_) {
    line += fmt::format("  train acc {:.3f}", info.train.accuracy);
    if (info.validation) line += fmt::format("  test acc {:.3f}", info.validation->accuracy);
  }
  line += fmt::format("  {:.0f} steps/s", info.steps_per_second);
  if (info.steps_per_second > 0 && info.step < info.max_steps) {
    line += fmt::format("  ETA {:.1f}s", static_cast<double>(info.max_steps - info.step) / info.steps_per_second);
  }
  fmt::print(out_, "{}\n", line);
  std::fflush(out_);
  return false;
}

void ConsoleProgress::OnStatistics(const TrainingStatistics& s) {
  fmt::print(out_, "  [stats step {}] data loss {:.4f}  reg loss {:.4f}  grad norm {:.3g}{}  nonzero weights {}/{}\n",
             s.step, s.data_loss, s.regularization_loss, s.gradient_global_norm, s.clipped ? " (clipped)" : "",
             s.nonzero_weights, s.kernel_weights);
  for (const auto& p : s.parameters) {
    fmt::print(out_, "    {:<24} |w| {:.3g}  |g| {:.3g}  update/weight {:.2e}\n", p.name, p.weight_norm,
               p.gradient_norm, p.update_ratio);
  }
  for (const auto& a : s.activations) {
    fmt::print(out_, "    {:<24} {:<10} mean {:+.3f} std {:.3f}", a.layer, a.activation, a.mean, a.stddev);
    if (a.activation == "sigmoid" || a.activation == "tanh") {
      fmt::print(out_, "  saturated {:.1f}%\n", 100 * a.saturated_fraction);
    } else {
      fmt::print(out_, "  zero {:.1f}%  dead units {:.1f}%\n", 100 * a.zero_fraction, 100 * a.dead_fraction);
    }
  }
  std::fflush(out_);
}

}  // namespace lever::cli
