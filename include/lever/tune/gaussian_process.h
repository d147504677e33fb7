#pragma once
// Gaussian-process regression for Bayesian optimization (Rasmussen and Williams, "Gaussian Processes for
// Machine Learning", 2006, algorithms 2.1 and 5.1; Snoek, Larochelle and Adams, "Practical Bayesian
// Optimization of Machine Learning Algorithms", 2012).
//
// Kernel: Matern 5/2 with automatic relevance determination (one length scale per input),
//   r^2 = sum_d (x_d - x'_d)^2 / l_d^2
//   k(x, x') = s^2 (1 + sqrt(5) r + 5/3 r^2) exp(-sqrt(5) r),
// observations y = f(x) + N(0, noise), zero prior mean (callers standardize y).
//
// Log marginal likelihood, with K = k(X, X) + noise I = L L^T and alpha = K^-1 y:
//   log p(y | X) = -1/2 y^T alpha - sum_i log L_ii - n/2 log(2 pi)
// and its gradient for each hyperparameter t: 1/2 tr((alpha alpha^T - K^-1) dK/dt), where
//   dk/d(log l_d)  = 5/3 s^2 (1 + sqrt(5) r) exp(-sqrt(5) r) (x_d - x'_d)^2 / l_d^2
//   dk/d(log s^2)  = k
//   dK/d(log noise) = noise I.
#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "lever/tensor/rng.h"

namespace lever::tune {

/// Kernel hyperparameters, as logarithms so every real value is valid.
struct GpHyperparameters {
  Eigen::VectorXd log_length_scales;     // one per input dimension
  double log_signal_variance = 0.0;      // log s^2
  double log_noise_variance = -9.21034;  // log 1e-4

  /// Packed as (log l_1..log l_D, log s^2, log noise), the order of LogMarginalLikelihood's gradient.
  Eigen::VectorXd Pack() const;
  static GpHyperparameters Unpack(const Eigen::VectorXd& packed);
};

/// k(a, b) for every row pair: (a.rows() x b.rows()).
Eigen::MatrixXd Matern52Kernel(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, const GpHyperparameters& h);

/// log p(y | x, h); when `gradient` is given, fills it with d/d Pack(). Returns -infinity if K is not
/// positive definite even with jitter.
double LogMarginalLikelihood(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const GpHyperparameters& h,
                             Eigen::VectorXd* gradient = nullptr);

struct GpFitOptions {
  int restarts = 4;         // L-BFGS runs: one from the defaults, the rest from random points
  int max_iterations = 60;  // per run
  double min_length_scale = 0.01, max_length_scale = 20.0;
  double min_signal_variance = 0.05, max_signal_variance = 20.0;
  double min_noise_variance = 1e-6, max_noise_variance = 1.0;
};

/// Maximizes log p(y | x, h) + log prior(h) over h within the boxes of `options`, by multi-start L-BFGS
/// on unconstrained coordinates (each log-parameter is a sigmoid of one). The prior is weak: log l_d
/// ~ N(log 0.5, 1.5^2), log s^2 ~ N(0, 1.5^2), log noise ~ N(log 1e-3, 3^2). Inputs in [0, 1]^D, y
/// standardized. Deterministic given rng.
GpHyperparameters FitGpHyperparameters(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, Rng& rng,
                                       const GpFitOptions& options = {});

/// The posterior of f given observations, for fixed hyperparameters.
class GaussianProcess {
 public:
  /// Rows of x are inputs. Throws ShapeError on mismatched sizes.
  GaussianProcess(Eigen::MatrixXd x, Eigen::VectorXd y, GpHyperparameters h);

  /// Posterior mean and variance of the latent f (without observation noise) at each row of `at`.
  void Predict(const Eigen::MatrixXd& at, Eigen::VectorXd* mean, Eigen::VectorXd* variance) const;
  /// Adds one observation (a "fantasy" for batch proposals) and refactors.
  void AddObservation(const Eigen::VectorXd& x, double y);

  int size() const { return static_cast<int>(y_.size()); }
  const GpHyperparameters& hyperparameters() const { return h_; }

 private:
  void Factor();

  Eigen::MatrixXd x_;
  Eigen::VectorXd y_;
  GpHyperparameters h_;
  Eigen::LLT<Eigen::MatrixXd> llt_;
  Eigen::VectorXd alpha_;
};

/// Expected improvement below `best` (minimization) of a normal N(mean, stddev^2):
///   EI = (best - mean) Phi(z) + stddev phi(z),  z = (best - mean) / stddev;  max(best - mean, 0) if stddev = 0.
double ExpectedImprovement(double mean, double stddev, double best);

}  // namespace lever::tune
