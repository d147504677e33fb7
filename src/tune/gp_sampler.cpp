#include "lever/tune/gp_sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "lever/error.h"

namespace lever::tune {

GpSampler::GpSampler(SearchSpace space, Goal goal, GpSamplerOptions options)
    : space_(std::move(space)), goal_(goal), options_(options) {
  if (options_.initial_trials < 0 || options_.candidates < 1 || options_.local_candidates < 0 ||
      options_.refine_starts < 0 || !(options_.exploration >= 0.0)) {
    throw ConfigError(
        "GpSampler: initial_trials, local_candidates, refine_starts and exploration must be "
        "non-negative and candidates positive");
  }
  initial_trials_ = options_.initial_trials > 0 ? options_.initial_trials : std::max(2, space_.size() + 1);
}

std::string GpSampler::Describe() const {
  return "GpSampler(Matern 5/2 ARD, expected improvement, initial_trials=" + std::to_string(initial_trials_) +
         ", candidates=" + std::to_string(options_.candidates) + ")";
}

std::vector<Assignment> GpSampler::Propose(const std::vector<TrialRecord>& history, int count, Rng& rng) {
  std::vector<Assignment> proposals;
  if (count <= 0) return proposals;
  std::vector<const TrialRecord*> observed;
  std::vector<const TrialRecord*> pending;
  for (const TrialRecord& trial : history) {
    const bool has_value = trial.state == TrialState::kCompleted || trial.state == TrialState::kStopped;
    if (has_value && std::isfinite(trial.objective)) observed.push_back(&trial);
    if (trial.state == TrialState::kPending) pending.push_back(&trial);
  }
  const int allocated = static_cast<int>(observed.size() + pending.size());
  int random_count = std::clamp(initial_trials_ - allocated, 0, count);
  if (observed.size() < 2) random_count = count;
  for (int i = 0; i < random_count; ++i) proposals.push_back(space_.Sample(rng));
  if (random_count == count) return proposals;

  const Eigen::Index n = static_cast<Eigen::Index>(observed.size());
  Eigen::MatrixXd x(n, space_.encoded_dimension());
  Eigen::VectorXd y(n);
  const double sign = goal_ == Goal::kMaximize ? -1.0 : 1.0;  // the GP always minimizes
  for (Eigen::Index i = 0; i < n; ++i) {
    x.row(i) = space_.Encode(observed[static_cast<size_t>(i)]->assignment).transpose();
    y(i) = sign * observed[static_cast<size_t>(i)]->objective;
  }
  const double mean = y.mean();
  const double stddev = std::sqrt((y.array() - mean).square().mean());
  y = (y.array() - mean) / (stddev > 1e-12 * std::max(1.0, std::fabs(mean)) ? stddev : 1.0);

  const GpHyperparameters h = FitGpHyperparameters(x, y, rng, options_.fit);
  GaussianProcess gp(x, y, h);
  double best = y.minCoeff();
  // Local candidates start from the three best trials.
  std::vector<Eigen::Index> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return y(a) < y(b); });
  Eigen::MatrixXd best_inputs(std::min<Eigen::Index>(3, n), x.cols());
  for (Eigen::Index i = 0; i < best_inputs.rows(); ++i) best_inputs.row(i) = x.row(order[static_cast<size_t>(i)]);

  // A fantasy counts as an observation for the incumbent too: otherwise a point predicted below the
  // best keeps its expected improvement after it is believed, and the batch collapses onto it.
  const auto believe = [&](const Eigen::VectorXd& point) {
    Eigen::VectorXd believed;
    gp.Predict(point.transpose(), &believed, nullptr);
    gp.AddObservation(point, believed(0));
    best = std::min(best, believed(0));
  };
  for (const TrialRecord* trial : pending) believe(space_.Encode(trial->assignment));
  for (const Assignment& assignment : proposals) believe(space_.Encode(assignment));
  std::set<Assignment> seen(proposals.begin(), proposals.end());
  for (const TrialRecord& trial : history) seen.insert(trial.assignment);
  while (static_cast<int>(proposals.size()) < count) {
    Eigen::VectorXd chosen = MaximizeExpectedImprovement(gp, best - options_.exploration, best_inputs, rng);
    Assignment assignment = space_.Decode(chosen);
    // Repeating a trial teaches little and spends the budget; this happens when a small discrete space
    // is nearly exhausted. Fall back to an unseen random point when one turns up quickly.
    for (int attempt = 0; attempt < 64 && seen.count(assignment) > 0; ++attempt) {
      Assignment other = space_.Sample(rng);
      if (seen.count(other) == 0) {
        assignment = std::move(other);
        chosen = space_.Encode(assignment);
      }
    }
    seen.insert(assignment);
    proposals.push_back(std::move(assignment));
    if (static_cast<int>(proposals.size()) < count) believe(chosen);
  }
  return proposals;
}

Eigen::VectorXd GpSampler::MaximizeExpectedImprovement(const GaussianProcess& gp, double best,
                                                       const Eigen::MatrixXd& best_inputs, Rng& rng) const {
  const int dimension = space_.encoded_dimension();
  const auto score = [&](const Eigen::MatrixXd& points) {
    Eigen::VectorXd mean, variance;
    gp.Predict(points, &mean, &variance);
    Eigen::VectorXd ei(points.rows());
    for (Eigen::Index i = 0; i < points.rows(); ++i) ei(i) = ExpectedImprovement(mean(i), std::sqrt(variance(i)), best);
    return ei;
  };
  const auto perturb = [&](const Eigen::VectorXd& center, double radius) {
    Eigen::VectorXd point = center;
    for (int j = 0; j < dimension; ++j) point(j) += radius * rng.Normal();
    return Feasible(point);
  };

  const Eigen::Index local = best_inputs.rows() * options_.local_candidates;
  Eigen::MatrixXd candidates(options_.candidates + local, dimension);
  for (int i = 0; i < options_.candidates; ++i) candidates.row(i) = space_.Encode(space_.Sample(rng)).transpose();
  for (Eigen::Index i = 0; i < local; ++i) {
    candidates.row(options_.candidates + i) =
        perturb(best_inputs.row(i % best_inputs.rows()).transpose(), 0.05).transpose();
  }
  const Eigen::VectorXd ei = score(candidates);
  std::vector<Eigen::Index> order(static_cast<size_t>(candidates.rows()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  const size_t starts = std::min(order.size(), static_cast<size_t>(std::max(1, options_.refine_starts)));
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(starts), order.end(),
                    [&](Eigen::Index a, Eigen::Index b) { return ei(a) > ei(b); });

  Eigen::VectorXd best_point = candidates.row(order[0]).transpose();
  double best_ei = ei(order[0]);
  if (options_.refine_starts == 0) return best_point;
  // Local search: batches of Gaussian steps around the incumbent, moving on improvement and shrinking
  // the step when a batch finds nothing better.
  constexpr int kBatch = 16;
  constexpr double kRadii[] = {0.05, 0.02, 0.008, 0.003, 0.001};
  for (size_t s = 0; s < starts; ++s) {
    Eigen::VectorXd point = candidates.row(order[s]).transpose();
    double value = ei(order[s]);
    for (const double radius : kRadii) {
      for (int round = 0; round < 4; ++round) {
        Eigen::MatrixXd steps(kBatch, dimension);
        for (int i = 0; i < kBatch; ++i) steps.row(i) = perturb(point, radius).transpose();
        const Eigen::VectorXd step_ei = score(steps);
        Eigen::Index arg = 0;
        if (!(step_ei.maxCoeff(&arg) > value)) break;
        point = steps.row(arg).transpose();
        value = step_ei(arg);
      }
    }
    if (value > best_ei) {
      best_ei = value;
      best_point = point;
    }
  }
  return best_point;
}

}  // namespace lever::tune
