#pragma once
// Bayesian optimization with a Gaussian process (Snoek, Larochelle and Adams, "Practical Bayesian
// Optimization of Machine Learning Algorithms", NIPS 2012), the shape of Vizier's default algorithm.
//
// Each Propose call:
//  1. Until `initial_trials` trials exist (completed or pending), and while fewer than two have
//     completed, proposes uniform random points (SearchSpace::Sample).
//  2. Otherwise fits a GP (Matern 5/2 ARD, gaussian_process.h) to the completed and early-stopped trials
//     (failed ones and non-finite objectives are left out), inputs SearchSpace::Encode (the unit cube,
//     categoricals one-hot), outputs standardized and negated for MAXIMIZE, kernel hyperparameters by
//     multi-start L-BFGS on the log marginal likelihood.
//  3. Adds each pending trial as a fantasy observation at the posterior mean (the "kriging believer" of
//     Ginsbourger, Le Riche and Carraro, 2010), so parallel trials spread out. Fantasies count as
//     observations for the incumbent best as well.
//  4. Maximizes expected improvement over the best completed value: `candidates` random points plus
//     perturbations of the best trials, then a local search from the most promising ones with shrinking
//     steps. EI is always evaluated at feasible points (Encode(Decode(x))): integers rounded, discrete
//     values snapped, categoricals by argmax.
//  5. A point that was already tried (or proposed in this batch) is replaced by an unseen random point
//     when one turns up in 64 draws: this only happens in small, nearly exhausted discrete spaces.
//  6. For a batch (count > 1), adds each chosen point as a fantasy and repeats 4.
#include "lever/tune/gaussian_process.h"
#include "lever/tune/sampler.h"

namespace lever::tune {

struct GpSamplerOptions {
  int initial_trials = 0;      // 0 = max(2, number of parameters + 1)
  int candidates = 2000;       // random candidates per proposal
  int local_candidates = 100;  // perturbations around each of the three best trials
  int refine_starts = 5;       // candidates refined by local search
  double exploration = 0.0;    // xi: EI measures improvement below best - xi (standardized units)
  GpFitOptions fit;
};

class GpSampler : public Sampler {
 public:
  GpSampler(SearchSpace space, Goal goal, GpSamplerOptions options = {});

  std::vector<Assignment> Propose(const std::vector<TrialRecord>& history, int count, Rng& rng) override;
  std::string Describe() const override;

  int initial_trials() const { return initial_trials_; }

 private:
  Eigen::VectorXd MaximizeExpectedImprovement(const GaussianProcess& gp, double best,
                                              const Eigen::MatrixXd& best_inputs, Rng& rng) const;
  Eigen::VectorXd Feasible(const Eigen::VectorXd& encoded) const { return space_.Encode(space_.Decode(encoded)); }

  SearchSpace space_;
  Goal goal_;
  GpSamplerOptions options_;
  int initial_trials_;
};

}  // namespace lever::tune
