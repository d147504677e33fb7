#include "lever/tune/gaussian_process.h"

#include <gtest/gtest.h>

#include <cmath>

namespace lever::tune {
namespace {

GpHyperparameters Hyper(std::initializer_list<double> length_scales, double signal_variance, double noise_variance) {
  GpHyperparameters h;
  h.log_length_scales.resize(static_cast<Eigen::Index>(length_scales.size()));
  Eigen::Index i = 0;
  for (const double l : length_scales) h.log_length_scales(i++) = std::log(l);
  h.log_signal_variance = std::log(signal_variance);
  h.log_noise_variance = std::log(noise_variance);
  return h;
}

// Two observations in 1-D, l = 0.5, s^2 = 2, noise 0.01: X = (0.2, 0.9), y = (1, -0.5), predict at 0.4.
// The expected numbers come from the 2 x 2 closed form (K^-1 = adj(K) / det(K)) evaluated in plain
// Python with the math module:
//   k(r) = s2 (1 + sqrt(5) r + 5/3 r^2) exp(-sqrt(5) r), r = |x - x'| / l
//   mean = k*^T K^-1 y, var = s2 - k*^T K^-1 k*, log p = -1/2 y^T K^-1 y - 1/2 log det K - log(2 pi)
TEST(GaussianProcessTest, PosteriorMatchesTheHandComputedTwoPointCase) {
  const GpHyperparameters h = Hyper({0.5}, 2.0, 0.01);
  Eigen::MatrixXd x(2, 1);
  x << 0.2, 0.9;
  Eigen::VectorXd y(2);
  y << 1.0, -0.5;
  EXPECT_NEAR(Matern52Kernel(x.row(0), x.row(1), h)(0, 0), 0.646455059263522, 1e-14);
  const GaussianProcess gp(x, y, h);
  Eigen::MatrixXd at(1, 1);
  at << 0.4;
  Eigen::VectorXd mean, variance;
  gp.Predict(at, &mean, &variance);
  EXPECT_NEAR(mean(0), 0.6604610085405931, 1e-12);
  EXPECT_NEAR(variance(0), 0.3187936364545192, 1e-12);
  EXPECT_NEAR(LogMarginalLikelihood(x, y, h), -2.917472535198248, 1e-12);
}

TEST(GaussianProcessTest, InterpolatesNoiselessObservationsAndRevertsFarAway) {
  const GpHyperparameters h = Hyper({0.3, 0.3}, 1.5, 1e-8);
  Eigen::MatrixXd x(3, 2);
  x << 0.1, 0.1, 0.5, 0.8, 0.9, 0.2;
  Eigen::VectorXd y(3);
  y << 0.3, -1.0, 2.0;
  GaussianProcess gp(x, y, h);
  Eigen::VectorXd mean, variance;
  gp.Predict(x, &mean, &variance);
  EXPECT_TRUE(mean.isApprox(y, 1e-5)) << mean.transpose();
  EXPECT_LT(variance.maxCoeff(), 1e-6);
  Eigen::MatrixXd far(1, 2);
  far << 40.0, -40.0;
  gp.Predict(far, &mean, &variance);
  EXPECT_NEAR(mean(0), 0.0, 1e-12);
  EXPECT_NEAR(variance(0), 1.5, 1e-12);
  // A fantasy observation pins the posterior there.
  Eigen::Vector2d point(0.3, 0.6);
  gp.AddObservation(point, 0.7);
  gp.Predict(point.transpose(), &mean, &variance);
  EXPECT_EQ(gp.size(), 4);
  EXPECT_NEAR(mean(0), 0.7, 1e-5);
}

TEST(GaussianProcessTest, MarginalLikelihoodGradientMatchesFiniteDifferences) {
  Rng rng(17);
  const int n = 7, d = 3;
  Eigen::MatrixXd x(n, d);
  Eigen::VectorXd y(n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < d; ++j) x(i, j) = rng.Uniform();
    y(i) = rng.Normal();
  }
  for (const GpHyperparameters& h : {Hyper({0.3, 1.2, 0.7}, 0.8, 0.05), Hyper({2.0, 0.1, 0.5}, 3.0, 1e-4)}) {
    Eigen::VectorXd gradient;
    LogMarginalLikelihood(x, y, h, &gradient);
    const Eigen::VectorXd packed = h.Pack();
    ASSERT_EQ(gradient.size(), d + 2);
    double worst = 0.0;
    for (Eigen::Index k = 0; k < packed.size(); ++k) {
      const double eps = 1e-6;
      Eigen::VectorXd plus = packed, minus = packed;
      plus(k) += eps;
      minus(k) -= eps;
      const double numeric = (LogMarginalLikelihood(x, y, GpHyperparameters::Unpack(plus)) -
                              LogMarginalLikelihood(x, y, GpHyperparameters::Unpack(minus))) /
                             (2 * eps);
      worst = std::max(worst, std::fabs(numeric - gradient(k)) / std::max(1.0, std::fabs(numeric)));
    }
    EXPECT_LT(worst, 1e-6) << gradient.transpose();
  }
}

TEST(GaussianProcessTest, ExpectedImprovementMatchesItsFormula) {
  // Values from the closed form in Python's math module (Phi via erfc).
  EXPECT_NEAR(ExpectedImprovement(0.0, 1.0, 0.0), 0.3989422804014327, 1e-15);  // phi(0)
  EXPECT_NEAR(ExpectedImprovement(1.0, 2.0, 0.0), 0.39559311480261217, 1e-15);
  EXPECT_NEAR(ExpectedImprovement(-0.3, 0.5, 0.2), 0.5416577352938432, 1e-15);
  EXPECT_EQ(ExpectedImprovement(1.0, 0.0, 3.0), 2.0);  // certain: the improvement itself
  EXPECT_EQ(ExpectedImprovement(3.0, 0.0, 1.0), 0.0);
  EXPECT_GE(ExpectedImprovement(50.0, 1.0, 0.0), 0.0);  // far tail: tiny, never negative
  EXPECT_LT(ExpectedImprovement(50.0, 1.0, 0.0), 1e-300);
}

TEST(GaussianProcessTest, FittingFindsTheRelevantInput) {
  // y depends on the first input only: its length scale should come out much shorter.
  Rng rng(4);
  const int n = 25;
  Eigen::MatrixXd x(n, 2);
  Eigen::VectorXd y(n);
  for (int i = 0; i < n; ++i) {
    x(i, 0) = rng.Uniform();
    x(i, 1) = rng.Uniform();
    y(i) = std::sin(6.0 * x(i, 0));
  }
  y = (y.array() - y.mean()) / std::sqrt((y.array() - y.mean()).square().mean());
  Rng fit_rng(1);
  const GpHyperparameters h = FitGpHyperparameters(x, y, fit_rng);
  EXPECT_LT(h.log_length_scales(0), h.log_length_scales(1) - 1.0) << h.Pack().transpose();
  EXPECT_LT(std::exp(h.log_noise_variance), 1e-2);
  // The fit is at least as likely as the starting point.
  GpHyperparameters start = Hyper({0.5, 0.5}, 1.0, 1e-3);
  EXPECT_GT(LogMarginalLikelihood(x, y, h), LogMarginalLikelihood(x, y, start));
}

}  // namespace
}  // namespace lever::tune
