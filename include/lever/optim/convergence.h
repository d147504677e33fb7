#pragma once
// Whether an iterative fit stopped because it converged or because it ran out of iterations, as data:
// the library never prints, so the caller (the CLI) turns an unconverged fit into a warning.
#include <cstdint>
#include <string>
#include <vector>

namespace lever {

struct Convergence {
  bool converged = true;
  int64_t iterations = 0;  // sweeps (coordinate descent) or optimizer steps (online) taken
  /// The option that capped the iterations ("max_sweeps", "steps or passes") and the one that decides
  /// convergence ("tolerance", empty for online training).
  std::string limit, criterion;
  /// The last relative change: of the objective over the last sweep (coordinate descent), or of the mean
  /// training loss from the second-to-last to the last tenth of the steps (online).
  double change = 0.0;
  double tolerance = 0.0;  // converged when change <= tolerance
  /// Empty when converged; otherwise one sentence with the figures and what to change, naming the options
  /// as `limit` and `criterion` spell them.
  std::string reason;
};

/// "3.1e-02", the short form convergence reports use.
std::string FormatChange(double value);

/// Training without an objective to watch (an optimizer stepping on batches) is called unconverged when
/// the mean batch loss of the last tenth of the steps is lower than that of the tenth before by more than
/// this fraction: the loss was still falling clearly when the steps ran out.
inline constexpr double kLossTrendTolerance = 0.03;

/// The convergence of step-by-step training from its batch losses, one a step; `limit` names the option
/// that set the number of steps. Fewer than 2 steps count as converged (nothing to compare).
Convergence LossTrendConvergence(const std::vector<float>& step_losses, const std::string& limit);

}  // namespace lever
