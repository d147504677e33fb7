#include "lever/tune/gaussian_process.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "lever/error.h"
#include "tune/lbfgs.h"

namespace lever::tune {
namespace {

constexpr double kSqrt5 = 2.23606797749978969640;
constexpr double kLog2Pi = 1.83787706640934548356;

// Cholesky of K, adding jitter only when K is numerically not positive definite.
bool FactorWithJitter(Eigen::MatrixXd& k, Eigen::LLT<Eigen::MatrixXd>& llt) {
  const double scale = std::max(k.diagonal().mean(), 1e-300);
  double jitter = 0.0;
  for (int attempt = 0; attempt < 6; ++attempt) {
    if (jitter > 0.0) k.diagonal().array() += jitter;
    llt.compute(k);
    if (llt.info() == Eigen::Success && llt.matrixLLT().diagonal().minCoeff() > 0.0) return true;
    jitter = (jitter == 0.0 ? 1e-10 : jitter * 100.0) * scale;
  }
  return false;
}

}  // namespace

Eigen::VectorXd GpHyperparameters::Pack() const {
  Eigen::VectorXd packed(log_length_scales.size() + 2);
  packed << log_length_scales, log_signal_variance, log_noise_variance;
  return packed;
}

GpHyperparameters GpHyperparameters::Unpack(const Eigen::VectorXd& packed) {
  GpHyperparameters h;
  const Eigen::Index d = packed.size() - 2;
  h.log_length_scales = packed.head(d);
  h.log_signal_variance = packed(d);
  h.log_noise_variance = packed(d + 1);
  return h;
}

Eigen::MatrixXd Matern52Kernel(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, const GpHyperparameters& h) {
  if (a.cols() != h.log_length_scales.size() || b.cols() != h.log_length_scales.size()) {
    throw ShapeError("Matern52Kernel: inputs have " + std::to_string(a.cols()) + " and " + std::to_string(b.cols()) +
                     " columns but there are " + std::to_string(h.log_length_scales.size()) + " length scales");
  }
  const Eigen::RowVectorXd inverse_scale = (-h.log_length_scales.array()).exp().matrix().transpose();
  const Eigen::MatrixXd as = a.array().rowwise() * inverse_scale.array();
  const Eigen::MatrixXd bs = b.array().rowwise() * inverse_scale.array();
  const double s2 = std::exp(h.log_signal_variance);
  Eigen::MatrixXd k(a.rows(), b.rows());
  for (Eigen::Index j = 0; j < b.rows(); ++j) {
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      const double r = std::sqrt((as.row(i) - bs.row(j)).squaredNorm());
      k(i, j) = s2 * (1.0 + kSqrt5 * r + 5.0 / 3.0 * r * r) * std::exp(-kSqrt5 * r);
    }
  }
  return k;
}

double LogMarginalLikelihood(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const GpHyperparameters& h,
                             Eigen::VectorXd* gradient) {
  if (x.rows() != y.size()) {
    throw ShapeError("LogMarginalLikelihood: " + std::to_string(x.rows()) + " inputs but " + std::to_string(y.size()) +
                     " targets");
  }
  const Eigen::Index n = x.rows();
  const Eigen::Index d = x.cols();
  const double noise = std::exp(h.log_noise_variance);
  const Eigen::MatrixXd k0 = Matern52Kernel(x, x, h);
  Eigen::MatrixXd k = k0;
  k.diagonal().array() += noise;
  Eigen::LLT<Eigen::MatrixXd> llt;
  if (!FactorWithJitter(k, llt)) return -std::numeric_limits<double>::infinity();
  const Eigen::VectorXd alpha = llt.solve(y);
  const double value =
      -0.5 * y.dot(alpha) - llt.matrixLLT().diagonal().array().log().sum() - 0.5 * static_cast<double>(n) * kLog2Pi;
  if (gradient == nullptr) return value;

  // W = alpha alpha^T - K^-1; d log p / dt = 1/2 sum_ij W_ij dK_ij/dt (dK/dt is symmetric).
  const Eigen::MatrixXd w = alpha * alpha.transpose() - llt.solve(Eigen::MatrixXd::Identity(n, n));
  gradient->setZero(d + 2);
  const Eigen::ArrayXd inverse_scale = (-h.log_length_scales.array()).exp();
  const double s2 = std::exp(h.log_signal_variance);
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = j + 1; i < n; ++i) {
      const Eigen::ArrayXd scaled = (x.row(i) - x.row(j)).transpose().array() * inverse_scale;
      const Eigen::ArrayXd scaled2 = scaled.square();
      const double r = std::sqrt(scaled2.sum());
      const double common = 5.0 / 3.0 * s2 * (1.0 + kSqrt5 * r) * std::exp(-kSqrt5 * r);
      // Each pair appears in both triangles, which cancels the 1/2; the diagonal does not depend on
      // the length scales.
      gradient->head(d) += (w(i, j) * common) * scaled2.matrix();
    }
  }
  (*gradient)(d) = 0.5 * (w.array() * k0.array()).sum();
  (*gradient)(d + 1) = 0.5 * noise * w.trace();
  return value;
}

namespace {

// The box and the weak prior of the fit, per packed coordinate.
struct FitGeometry {
  Eigen::VectorXd lo, hi, prior_mean, prior_stddev;
};

FitGeometry MakeGeometry(Eigen::Index d, const GpFitOptions& o) {
  FitGeometry g;
  g.lo.resize(d + 2);
  g.hi.resize(d + 2);
  g.prior_mean.resize(d + 2);
  g.prior_stddev.resize(d + 2);
  g.lo.head(d).setConstant(std::log(o.min_length_scale));
  g.hi.head(d).setConstant(std::log(o.max_length_scale));
  g.prior_mean.head(d).setConstant(std::log(0.5));
  g.prior_stddev.head(d).setConstant(1.5);
  g.lo(d) = std::log(o.min_signal_variance);
  g.hi(d) = std::log(o.max_signal_variance);
  g.prior_mean(d) = 0.0;
  g.prior_stddev(d) = 1.5;
  g.lo(d + 1) = std::log(o.min_noise_variance);
  g.hi(d + 1) = std::log(o.max_noise_variance);
  g.prior_mean(d + 1) = std::log(1e-3);
  g.prior_stddev(d + 1) = 3.0;
  return g;
}

// theta = lo + (hi - lo) * sigmoid(z): every z is inside the box.
Eigen::VectorXd ToBox(const FitGeometry& g, const Eigen::VectorXd& z) {
  return g.lo.array() + (g.hi - g.lo).array() / (1.0 + (-z.array()).exp());
}

Eigen::VectorXd FromBox(const FitGeometry& g, const Eigen::VectorXd& theta) {
  const Eigen::ArrayXd p = ((theta - g.lo).array() / (g.hi - g.lo).array()).max(1e-6).min(1.0 - 1e-6);
  return (p / (1.0 - p)).log().matrix();
}

}  // namespace

GpHyperparameters FitGpHyperparameters(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, Rng& rng,
                                       const GpFitOptions& options) {
  const Eigen::Index d = x.cols();
  const FitGeometry geometry = MakeGeometry(d, options);
  // Negative log posterior in the unconstrained coordinates z.
  const internal::Objective objective = [&](const Eigen::VectorXd& z, Eigen::VectorXd* gradient) {
    const Eigen::VectorXd theta = ToBox(geometry, z);
    const Eigen::ArrayXd deviation = (theta - geometry.prior_mean).array() / geometry.prior_stddev.array();
    Eigen::VectorXd dtheta;
    const double log_posterior =
        LogMarginalLikelihood(x, y, GpHyperparameters::Unpack(theta), gradient ? &dtheta : nullptr) -
        0.5 * deviation.square().sum();
    if (gradient != nullptr && std::isfinite(log_posterior)) {
      dtheta.array() -= deviation / geometry.prior_stddev.array();
      const Eigen::ArrayXd sigmoid = (theta - geometry.lo).array() / (geometry.hi - geometry.lo).array();
      *gradient = -(dtheta.array() * (geometry.hi - geometry.lo).array() * sigmoid * (1.0 - sigmoid)).matrix();
    }
    return -log_posterior;
  };
  internal::LbfgsOptions lbfgs;
  lbfgs.max_iterations = options.max_iterations;
  lbfgs.gradient_tolerance = 1e-5;
  lbfgs.value_tolerance = 1e-9;

  Eigen::VectorXd best = geometry.prior_mean;
  double best_value = std::numeric_limits<double>::infinity();
  for (int start = 0; start < std::max(1, options.restarts); ++start) {
    Eigen::VectorXd theta = geometry.prior_mean;
    if (start > 0) {
      for (Eigen::Index i = 0; i < d; ++i) theta(i) = rng.Uniform(std::log(0.05), std::log(2.0));
      theta(d) = rng.Uniform(std::log(0.3), std::log(3.0));
      theta(d + 1) = rng.Uniform(std::log(1e-6), std::log(1e-1));
    }
    Eigen::VectorXd z = FromBox(geometry, theta);
    const double value = internal::MinimizeLbfgs(objective, z, lbfgs);
    if (std::isfinite(value) && value < best_value) {
      best_value = value;
      best = ToBox(geometry, z);
    }
  }
  return GpHyperparameters::Unpack(best);
}

GaussianProcess::GaussianProcess(Eigen::MatrixXd x, Eigen::VectorXd y, GpHyperparameters h)
    : x_(std::move(x)), y_(std::move(y)), h_(std::move(h)) {
  if (x_.rows() != y_.size() || x_.cols() != h_.log_length_scales.size()) {
    throw ShapeError("GaussianProcess: " + std::to_string(x_.rows()) + " x " + std::to_string(x_.cols()) + " inputs, " +
                     std::to_string(y_.size()) + " targets and " + std::to_string(h_.log_length_scales.size()) +
                     " length scales do not fit together");
  }
  Factor();
}

void GaussianProcess::Factor() {
  Eigen::MatrixXd k = Matern52Kernel(x_, x_, h_);
  k.diagonal().array() += std::exp(h_.log_noise_variance);
  if (!FactorWithJitter(k, llt_)) {
    throw Error("GaussianProcess: the kernel matrix is not positive definite even with jitter");
  }
  alpha_ = llt_.solve(y_);
}

void GaussianProcess::Predict(const Eigen::MatrixXd& at, Eigen::VectorXd* mean, Eigen::VectorXd* variance) const {
  const Eigen::MatrixXd k_star = Matern52Kernel(at, x_, h_);  // m x n
  if (mean != nullptr) *mean = k_star * alpha_;
  if (variance != nullptr) {
    const Eigen::MatrixXd v = llt_.matrixL().solve(k_star.transpose());  // n x m
    *variance = (std::exp(h_.log_signal_variance) - v.colwise().squaredNorm().transpose().array()).max(0.0).matrix();
  }
}

void GaussianProcess::AddObservation(const Eigen::VectorXd& x, double y) {
  x_.conservativeResize(x_.rows() + 1, Eigen::NoChange);
  x_.row(x_.rows() - 1) = x.transpose();
  y_.conservativeResize(y_.size() + 1);
  y_(y_.size() - 1) = y;
  Factor();
}

double ExpectedImprovement(double mean, double stddev, double best) {
  const double improvement = best - mean;
  if (!(stddev > 0.0)) return std::max(improvement, 0.0);
  const double z = improvement / stddev;
  const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
  const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2.0 * 3.14159265358979323846);
  return std::max(improvement * cdf + stddev * pdf, 0.0);
}

}  // namespace lever::tune
