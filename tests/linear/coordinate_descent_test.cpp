#include "lever/linear/coordinate_descent.h"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>

#include "lever/error.h"
#include "lever/tensor/rng.h"

namespace lever {
namespace {

// Random sparse rows: `per_row` distinct features of `cols` per row, values 1 (binary) or in [-2, 2].
SparseRows RandomRows(Index rows, Index cols, int per_row, bool binary, uint64_t seed) {
  Rng rng(seed);
  SparseRows x;
  x.cols = cols;
  std::vector<int32_t> ids;
  for (Index i = 0; i < rows; ++i) {
    ids.clear();
    while (static_cast<int>(ids.size()) < per_row) {
      // Skewed popularity: low ids are common, as in click data.
      const double u = rng.Uniform();
      const auto id = static_cast<int32_t>(static_cast<double>(cols) * u * u);
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end());
    for (int32_t id : ids) x.Add(id, binary ? 1.0f : static_cast<float>(rng.Uniform() * 4.0 - 2.0));
    x.EndRow();
  }
  return x;
}

// Labels from a planted logistic model with a few nonzero weights.
std::vector<float> PlantedLabels(const SparseRows& x, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> w(static_cast<size_t>(x.cols), 0.0);
  for (auto& v : w) v = rng.Uniform() < 0.3 ? rng.Normal() * 1.5 : 0.0;
  std::vector<float> y(static_cast<size_t>(x.rows()));
  for (Index i = 0; i < x.rows(); ++i) {
    double m = -0.3;
    for (int64_t k = x.row_ptr[static_cast<size_t>(i)]; k < x.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
      m += w[static_cast<size_t>(x.ids[static_cast<size_t>(k)])] * x.values[static_cast<size_t>(k)];
    }
    y[static_cast<size_t>(i)] = rng.Uniform() < 1.0 / (1.0 + std::exp(-m)) ? 1.0f : 0.0f;
  }
  return y;
}

std::vector<double> Margins(const SparseRows& x, const CoordinateDescentResult& r) {
  std::vector<double> m(static_cast<size_t>(x.rows()), r.bias);
  for (Index i = 0; i < x.rows(); ++i) {
    for (int64_t k = x.row_ptr[static_cast<size_t>(i)]; k < x.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
      m[static_cast<size_t>(i)] += static_cast<double>(r.weights[static_cast<size_t>(x.ids[static_cast<size_t>(k)])]) *
                                   x.values[static_cast<size_t>(k)];
    }
  }
  return m;
}

// Checks the optimality (KKT) conditions of  mean loss + l1 sum c_j |w_j| + l2 sum w_j^2  at the result:
// for a nonzero weight the gradient of the smooth part equals -l1 c_j sign(w_j); for a zero weight its
// magnitude is at most l1 c_j; the bias's gradient is zero.
void ExpectOptimal(const SparseRows& x, const std::vector<float>& y, const CoordinateDescentOptions& o,
                   const CoordinateDescentResult& r, double tol) {
  const bool logistic = o.loss == "sigmoid_cross_entropy";
  const double n = static_cast<double>(x.rows());
  const std::vector<double> m = Margins(x, r);
  std::vector<double> dm(m.size());  // d loss_i / d margin_i, over n
  double bias_grad = 0.0;
  for (size_t i = 0; i < m.size(); ++i) {
    dm[i] = (logistic ? 1.0 / (1.0 + std::exp(-m[i])) - y[i] : 2.0 * (m[i] - y[i])) / n;
    bias_grad += dm[i];
  }
  EXPECT_NEAR(bias_grad, 0.0, tol);
  std::vector<double> grad(static_cast<size_t>(x.cols), 0.0), sum(grad.size(), 0.0), sum_sq(grad.size(), 0.0);
  for (Index i = 0; i < x.rows(); ++i) {
    for (int64_t k = x.row_ptr[static_cast<size_t>(i)]; k < x.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
      const auto j = static_cast<size_t>(x.ids[static_cast<size_t>(k)]);
      const double v = x.values[static_cast<size_t>(k)];
      grad[j] += dm[static_cast<size_t>(i)] * v;
      sum[j] += v;
      sum_sq[j] += v * v;
    }
  }
  int nonzero = 0;
  for (size_t j = 0; j < grad.size(); ++j) {
    double scale = 1.0;
    if (o.l1_scale == L1Scale::kStd) scale = std::sqrt(std::max(0.0, sum_sq[j] / n - (sum[j] / n) * (sum[j] / n)));
    const double w = r.weights[j];
    const double g = grad[j] + 2.0 * o.l2 * w;
    const double l1 = o.l1 * scale;
    if (w != 0.0) {
      ++nonzero;
      EXPECT_NEAR(g + l1 * (w > 0 ? 1.0 : -1.0), 0.0, tol) << "feature " << j << " weight " << w;
    } else {
      EXPECT_LE(std::fabs(g), l1 + tol) << "feature " << j;
    }
  }
  EXPECT_GT(nonzero, 0);
}

CoordinateDescentOptions Tight(std::string loss, double l1, double l2, L1Scale scale) {
  CoordinateDescentOptions o;
  o.loss = std::move(loss);
  o.l1 = l1;
  o.l2 = l2;
  o.l1_scale = scale;
  o.max_sweeps = 2000;
  o.tolerance = 1e-12;
  return o;
}

TEST(CoordinateDescentTest, LogisticL1IsOptimalOnOneHotRows) {
  const SparseRows x = RandomRows(3000, 200, 6, /*binary=*/true, 1);
  const std::vector<float> y = PlantedLabels(x, 2);
  const auto o = Tight("sigmoid_cross_entropy", 0.004, 0.0, L1Scale::kNone);
  const auto r = FitCoordinateDescent(x, y, o);
  EXPECT_TRUE(r.converged);
  ExpectOptimal(x, y, o, r, 2e-5);
  const auto zeros = std::count(r.weights.begin(), r.weights.end(), 0.0f);
  EXPECT_GT(zeros, 20);  // L1 leaves exact zeros
}

TEST(CoordinateDescentTest, LogisticElasticNetWithStdScaleIsOptimalOnRealValues) {
  const SparseRows x = RandomRows(3000, 150, 8, /*binary=*/false, 3);
  const std::vector<float> y = PlantedLabels(x, 4);
  const auto o = Tight("sigmoid_cross_entropy", 0.01, 0.001, L1Scale::kStd);
  const auto r = FitCoordinateDescent(x, y, o);
  EXPECT_TRUE(r.converged);
  ExpectOptimal(x, y, o, r, 2e-5);
}

TEST(CoordinateDescentTest, RidgeRegressionMatchesTheNormalEquations) {
  const SparseRows x = RandomRows(500, 30, 5, /*binary=*/false, 5);
  Rng rng(6);
  std::vector<float> y(static_cast<size_t>(x.rows()));
  for (auto& v : y) v = static_cast<float>(rng.Normal() * 2.0 + 1.0);
  const double l2 = 0.01;
  const auto o = Tight("mean_squared_error", 0.0, l2, L1Scale::kNone);
  const auto r = FitCoordinateDescent(x, y, o);
  // Dense solution of  mean (Xw + b - y)^2 + l2 |w|^2  with the bias as a last, unpenalized column.
  const Index n = x.rows(), d = x.cols;
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, d + 1);
  for (Index i = 0; i < n; ++i) {
    a(i, d) = 1.0;
    for (int64_t k = x.row_ptr[static_cast<size_t>(i)]; k < x.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
      a(i, x.ids[static_cast<size_t>(k)]) = x.values[static_cast<size_t>(k)];
    }
  }
  Eigen::VectorXd b(n);
  for (Index i = 0; i < n; ++i) b(i) = y[static_cast<size_t>(i)];
  Eigen::MatrixXd lhs = a.transpose() * a / static_cast<double>(n);
  lhs.topLeftCorner(d, d).diagonal().array() += l2;
  const Eigen::VectorXd want = lhs.ldlt().solve(a.transpose() * b / static_cast<double>(n));
  for (Index j = 0; j < d; ++j) EXPECT_NEAR(r.weights[static_cast<size_t>(j)], want(j), 1e-5) << "feature " << j;
  EXPECT_NEAR(r.bias, want(d), 1e-5);
}

TEST(CoordinateDescentTest, LassoRegressionIsOptimal) {
  const SparseRows x = RandomRows(800, 40, 6, /*binary=*/false, 7);
  Rng rng(8);
  std::vector<float> y(static_cast<size_t>(x.rows()));
  for (size_t i = 0; i < y.size(); ++i) y[i] = static_cast<float>(rng.Normal());
  for (Index i = 0; i < x.rows(); ++i) {
    for (int64_t k = x.row_ptr[static_cast<size_t>(i)]; k < x.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
      if (x.ids[static_cast<size_t>(k)] < 5) y[static_cast<size_t>(i)] += 2.0f * x.values[static_cast<size_t>(k)];
    }
  }
  const auto o = Tight("mean_squared_error", 0.05, 0.0, L1Scale::kNone);
  ExpectOptimal(x, y, o, FitCoordinateDescent(x, y, o), 1e-6);
}

TEST(CoordinateDescentTest, LargeL1LeavesOnlyTheBias) {
  const SparseRows x = RandomRows(1000, 50, 4, true, 9);
  const std::vector<float> y = PlantedLabels(x, 10);
  const auto r = FitCoordinateDescent(x, y, Tight("sigmoid_cross_entropy", 10.0, 0.0, L1Scale::kNone));
  EXPECT_EQ(std::count(r.weights.begin(), r.weights.end(), 0.0f), 50);
  const double positives = std::count(y.begin(), y.end(), 1.0f);
  const double rate = positives / static_cast<double>(y.size());
  EXPECT_NEAR(r.bias, std::log(rate / (1.0 - rate)), 1e-5);  // the bias alone fits the base rate
}

TEST(CoordinateDescentTest, SameResultOnOneThreadOrTwo) {
  // Enough rows that the transpose splits the work.
  const SparseRows x = RandomRows(140000, 5000, 5, true, 11);
  const std::vector<float> y = PlantedLabels(x, 12);
  CoordinateDescentOptions o;
  o.l1 = 1e-4;
  o.max_sweeps = 3;
  o.threads = 1;
  const auto one = FitCoordinateDescent(x, y, o);
  o.threads = 2;
  const auto two = FitCoordinateDescent(x, y, o);
  EXPECT_EQ(one.weights, two.weights);
  EXPECT_EQ(one.bias, two.bias);
}

TEST(CoordinateDescentTest, ObjectiveNeverRisesAndProgressReportsEverySweep) {
  const SparseRows x = RandomRows(2000, 100, 6, true, 13);
  const std::vector<float> y = PlantedLabels(x, 14);
  CoordinateDescentOptions o;
  o.l1 = 0.002;
  o.l1_scale = L1Scale::kStd;
  o.max_sweeps = 30;
  o.tolerance = 1e-9;
  std::vector<double> objectives;
  const auto r = FitCoordinateDescent(x, y, o, [&](const CoordinateDescentProgress& p) {
    EXPECT_EQ(p.sweep, static_cast<int>(objectives.size()) + 1);
    objectives.push_back(p.objective);
  });
  ASSERT_EQ(static_cast<int>(objectives.size()), r.sweeps);
  for (size_t s = 1; s < objectives.size(); ++s) EXPECT_LE(objectives[s], objectives[s - 1] + 1e-12);
  EXPECT_DOUBLE_EQ(r.objective, objectives.back());
}

TEST(CoordinateDescentTest, ClearErrors) {
  const SparseRows x = RandomRows(10, 5, 2, true, 15);
  std::vector<float> y(10, 1.0f);
  CoordinateDescentOptions o;
  o.loss = "sparse_softmax_cross_entropy";
  EXPECT_THROW(FitCoordinateDescent(x, y, o), ConfigError);
  o.loss = "sigmoid_cross_entropy";
  o.l1 = -1.0;
  EXPECT_THROW(FitCoordinateDescent(x, y, o), ConfigError);
  o.l1 = 0.0;
  y[3] = 2.0f;
  try {
    FitCoordinateDescent(x, y, o);
    FAIL() << "a label of 2 was accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("row 4"), std::string::npos) << e.what();
  }
  y.pop_back();
  EXPECT_THROW(FitCoordinateDescent(x, y, o), DataError);
  EXPECT_THROW(FitCoordinateDescent(SparseRows{}, {}, o), DataError);
  EXPECT_THROW(ParseL1Scale("standard"), ConfigError);
}

// Targets around 150 on small feature values (as in scikit-learn's diabetes table): weights in the
// hundreds. The squared loss's exact coordinate steps reach them; a capped step would need ~75 sweeps
// for the bias alone.
std::vector<float> ShiftedTargets(const SparseRows& x, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> y(static_cast<size_t>(x.rows()));
  for (Index i = 0; i < x.rows(); ++i) {
    double t = 150.0 + 10.0 * rng.Normal();
    for (int64_t k = x.row_ptr[static_cast<size_t>(i)]; k < x.row_ptr[static_cast<size_t>(i) + 1]; ++k) {
      t += 40.0 * (x.ids[static_cast<size_t>(k)] % 3 == 0 ? 1.0 : -0.5) * x.values[static_cast<size_t>(k)];
    }
    y[static_cast<size_t>(i)] = static_cast<float>(t);
  }
  return y;
}

TEST(CoordinateDescentTest, ReportsTheSweepsWhenMaxSweepsStopsIt) {
  const SparseRows x = RandomRows(400, 20, 5, /*binary=*/false, 11);
  const std::vector<float> y = ShiftedTargets(x, 12);
  CoordinateDescentOptions o;
  o.loss = "mean_squared_error";
  o.max_sweeps = 1;
  const auto r = FitCoordinateDescent(x, y, o);
  EXPECT_FALSE(r.converged);
  EXPECT_FALSE(r.convergence.converged);
  EXPECT_EQ(r.sweeps, 1);
  EXPECT_EQ(r.convergence.iterations, 1);
  EXPECT_GT(r.convergence.change, o.tolerance);
  EXPECT_EQ(r.convergence.limit, "max_sweeps");
  EXPECT_NE(r.convergence.reason.find("not converged: 1 sweeps (max_sweeps)"), std::string::npos)
      << r.convergence.reason;
  EXPECT_NE(r.convergence.reason.find("raise max_sweeps"), std::string::npos) << r.convergence.reason;

  o.max_sweeps = 3;
  const auto three = FitCoordinateDescent(x, y, o);
  EXPECT_FALSE(three.convergence.converged);
  EXPECT_EQ(three.convergence.iterations, 3);
  EXPECT_NE(three.convergence.reason.find("3 sweeps"), std::string::npos) << three.convergence.reason;
}

TEST(CoordinateDescentTest, SquaredLossOnLargeTargetsConvergesWithTheDefaults) {
  const SparseRows x = RandomRows(400, 20, 5, /*binary=*/false, 11);
  const std::vector<float> y = ShiftedTargets(x, 12);
  CoordinateDescentOptions o;
  o.loss = "mean_squared_error";
  const auto r = FitCoordinateDescent(x, y, o);
  EXPECT_TRUE(r.converged);
  EXPECT_TRUE(r.convergence.converged);
  EXPECT_TRUE(r.convergence.reason.empty()) << r.convergence.reason;
  EXPECT_LT(r.sweeps, o.max_sweeps);
  EXPECT_EQ(r.convergence.iterations, r.sweeps);
  EXPECT_LE(r.convergence.change, o.tolerance);
  EXPECT_NEAR(r.bias, 150.0, 5.0);
  // Close to the least-squares optimum: the training MSE is near the noise's variance (100).
  EXPECT_LT(r.loss, 110.0);
}

}  // namespace
}  // namespace lever
