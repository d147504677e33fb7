#include "console.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <string>
#include <system_error>

namespace lever::cli {

std::string MetricsText(const std::map<std::string, double>& metrics) {
  std::string text;
  for (const auto& [name, value] : metrics) {
    if (name != "global_step") text += fmt::format("  {} {:.4f}", name, value);
  }
  return text;
}

void Flush(std::FILE* out) {
  if (std::fflush(out) != 0) {
    throw std::system_error(errno, std::generic_category(),
                            out == stderr ? "cannot write to standard error" : "cannot write to standard output");
  }
}

void WriteToStdout(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
    throw std::system_error(errno, std::generic_category(), "cannot write to standard output");
  }
}

bool IsTerminal(std::FILE* file) { return isatty(fileno(file)) == 1; }

void ProgressBar::Update(int64_t step, int64_t max_steps, double loss, int64_t first_step) {
  loss_average_ = steps_seen_ == 0 ? loss : 0.98 * loss_average_ + 0.02 * loss;  // single batches are noisy
  ++steps_seen_;
  if ((step & 63) != 0 && step != max_steps) return;  // look at the clock every 64 steps
  const auto now = Clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100) && step != max_steps) return;
  last_draw_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(step - first_step) / seconds : 0.0;
  const double fraction = max_steps > 0 ? static_cast<double>(step) / static_cast<double>(max_steps) : 1.0;
  constexpr int kWidth = 24;
  const int filled = std::clamp(static_cast<int>(fraction * kWidth), 0, kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  std::string line =
      fmt::format("[{}] step {}/{}  loss {:.4f}  {:.0f} steps/s", bar, step, max_steps, loss_average_, rate);
  if (rate > 0 && step < max_steps) line += fmt::format("  ETA {:.1f}s", static_cast<double>(max_steps - step) / rate);
  fmt::print(out_, "\r{}\x1b[K", line);  // back to the line's start, then clear what is left of it
  Flush(out_);
  shown_ = true;
}

void ProgressBar::Clear() {
  if (!shown_) return;
  fmt::print(out_, "\r\x1b[K");
  Flush(out_);
  shown_ = false;
}

ConsoleProgress::ConsoleProgress(bool classification, bool bar, std::FILE* out)
    : classification_(classification), bar_(bar), out_(out), progress_bar_(out) {}

bool ConsoleProgress::AfterStep(Learner& /*learner*/, const StepReport& report) {
  if (bar_) progress_bar_.Update(report.step, report.max_steps, report.loss);
  return false;
}

void ConsoleProgress::End(Learner& /*learner*/) { progress_bar_.Clear(); }

bool ConsoleProgress::AfterEvaluation(Learner& /*learner*/, const EvalReport& info) {
  if (info.name != "evaluation") return false;
  progress_bar_.Clear();
  const bool validation = info.metrics.count("validation_loss") > 0;
  std::string line = fmt::format("step {:>{}}/{}  train loss {:.4f}", info.step, std::to_string(info.max_steps).size(),
                                 info.max_steps, info.Get("train_loss"));
  if (validation) line += fmt::format("  test loss {:.4f}", info.Get("validation_loss"));
  if (classification_) {
    line += fmt::format("  train acc {:.3f}", info.Get("train_accuracy"));
    if (validation) line += fmt::format("  test acc {:.3f}", info.Get("validation_accuracy"));
  }
  line += fmt::format("  {:.0f} steps/s", info.steps_per_second);
  if (info.steps_per_second > 0 && info.step < info.max_steps) {
    line += fmt::format("  ETA {:.1f}s", static_cast<double>(info.max_steps - info.step) / info.steps_per_second);
  }
  fmt::print(out_, "{}\n", line);
  Flush(out_);
  return false;
}

void ConsoleProgress::AfterStatistics(Learner& /*learner*/, const TrainingStatistics& s) {
  if (!show_statistics_) return;
  progress_bar_.Clear();
  fmt::print(out_, "  [stats step {}] data loss {:.4f}  reg loss {:.4f}  grad norm {:.3g}{}  nonzero weights {}/{}\n",
             s.step, s.data_loss, s.regularization_loss, s.gradient_global_norm, s.clipped ? " (clipped)" : "",
             s.nonzero_weights, s.kernel_weights);
  for (const auto& p : s.parameters) {
    fmt::print(out_, "    {:<24} |w| {:.3g}  |g| {:.3g}  update/weight {:.2e}\n", p.name, p.weight_norm,
               p.gradient_norm, p.update_ratio);
  }
  for (const auto& a : s.activations) {
    fmt::print(out_, "    {:<24} {:<10} mean {:+.3f} std {:.3f}", a.layer, a.activation, a.mean, a.stddev);
    if (a.saturates) {
      fmt::print(out_, "  saturated {:.1f}%\n", 100 * a.saturated_fraction);
    } else {
      fmt::print(out_, "  zero {:.1f}%  dead units {:.1f}%\n", 100 * a.zero_fraction, 100 * a.dead_fraction);
    }
  }
  Flush(out_);
}

}  // namespace lever::cli
