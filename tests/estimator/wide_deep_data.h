#pragma once
// A generated click-style dataset for wide-and-deep tests: P(click) = sigmoid(logit) with
//   logit = -0.3 + a_user . b_item                  low-rank preferences (2 factors): embeddings generalize
//                                                   them to user x item pairs never seen in training
//         + exception(user, item)                    120 pairs with +-3: a cross memorizes them; 30% of
//                                                   the examples show one of these pairs
//         + h(hour, device)                          an arbitrary 24 x 4 table
//         - 0.8 * standardized log(price)
// Users and items are ids (integer columns), hour 0..23, device 0..3, price a positive number.
#include <cmath>
#include <utility>
#include <vector>

#include "lever/data/table.h"
#include "lever/metrics/binary.h"
#include "lever/tensor/rng.h"

namespace lever::testing {

constexpr Index kUsers = 200;
constexpr Index kItems = 100;
constexpr int kFactors = 2;

struct ClickData {
  Table train, test;
  Tensor train_labels, test_labels;
};

struct ClickModel {
  std::vector<std::vector<double>> a, b;  // factors
  std::vector<std::pair<int64_t, int64_t>> exception_pairs;
  std::vector<double> exception_effect;
  std::vector<std::vector<double>> hour_device;

  explicit ClickModel(uint64_t seed) {
    Rng rng = Rng::Stream(seed, 1);
    a.assign(kUsers, std::vector<double>(kFactors));
    b.assign(kItems, std::vector<double>(kFactors));
    for (auto& v : a)
      for (double& x : v) x = 1.1 * rng.Normal();
    for (auto& v : b)
      for (double& x : v) x = 1.1 * rng.Normal();
    for (int e = 0; e < 120; ++e) {
      exception_pairs.emplace_back(static_cast<int64_t>(rng.UniformInt(kUsers)),
                                   static_cast<int64_t>(rng.UniformInt(kItems)));
      exception_effect.push_back(e % 2 == 0 ? 3.0 : -3.0);
    }
    hour_device.assign(24, std::vector<double>(4));
    for (auto& row : hour_device)
      for (double& x : row) x = 0.7 * rng.Normal();
  }

  double Logit(int64_t user, int64_t item, int64_t hour, int64_t device, double price) const {
    double logit = -0.3;
    for (int f = 0; f < kFactors; ++f)
      logit +=
          a[static_cast<size_t>(user)][static_cast<size_t>(f)] * b[static_cast<size_t>(item)][static_cast<size_t>(f)];
    for (size_t e = 0; e < exception_pairs.size(); ++e) {
      if (exception_pairs[e].first == user && exception_pairs[e].second == item) logit += exception_effect[e];
    }
    logit += hour_device[static_cast<size_t>(hour)][static_cast<size_t>(device)];
    logit -= 0.8 * (std::log(price) - 3.0) / 0.5;  // log price ~ N(3, 0.5)
    return logit;
  }
};

inline Table MakeClickTable(const ClickModel& model, Index rows, Rng& rng, Tensor& labels) {
  Table t;
  t.num_rows = rows;
  t.columns.resize(5);
  const char* names[] = {"user", "item", "hour", "device", "price"};
  for (int c = 0; c < 5; ++c) {
    t.columns[static_cast<size_t>(c)].name = names[c];
    t.columns[static_cast<size_t>(c)].type = c < 4 ? ColumnType::kInteger : ColumnType::kNumber;
  }
  labels.resize(rows, 1);
  for (Index i = 0; i < rows; ++i) {
    int64_t user = 0, item = 0;
    if (rng.Uniform(0.0, 1.0) < 0.3) {
      const auto& pair = model.exception_pairs[rng.UniformInt(model.exception_pairs.size())];
      user = pair.first;
      item = pair.second;
    } else {
      user = static_cast<int64_t>(rng.UniformInt(kUsers));
      item = static_cast<int64_t>(rng.UniformInt(kItems));
    }
    const auto hour = static_cast<int64_t>(rng.UniformInt(24));
    const auto device = static_cast<int64_t>(rng.UniformInt(4));
    const double price = std::exp(3.0 + 0.5 * rng.Normal());
    t.columns[0].integers.push_back(user);
    t.columns[1].integers.push_back(item);
    t.columns[2].integers.push_back(hour);
    t.columns[3].integers.push_back(device);
    t.columns[4].numbers.push_back(static_cast<float>(price));
    const double p = 1.0 / (1.0 + std::exp(-model.Logit(user, item, hour, device, price)));
    labels(i, 0) = rng.Uniform(0.0, 1.0) < p ? 1.0f : 0.0f;
  }
  return t;
}

inline ClickData MakeClickData(Index train_rows, Index test_rows, uint64_t seed) {
  const ClickModel model(seed);
  Rng rng = Rng::Stream(seed, 2);
  ClickData d;
  d.train = MakeClickTable(model, train_rows, rng, d.train_labels);
  d.test = MakeClickTable(model, test_rows, rng, d.test_labels);
  return d;
}

/// The planted model's AUC on a table made with the same seed (an upper bound for any model).
inline double PlantedAuc(const Table& table, const Tensor& labels, uint64_t seed) {
  const ClickModel model(seed);
  std::vector<double> scores, y;
  for (Index i = 0; i < table.num_rows; ++i) {
    const auto r = static_cast<size_t>(i);
    scores.push_back(model.Logit(table.columns[0].integers[r], table.columns[1].integers[r],
                                 table.columns[2].integers[r], table.columns[3].integers[r],
                                 table.columns[4].numbers[r]));
    y.push_back(labels(i, 0));
  }
  return AucRoc(scores, y);
}

}  // namespace lever::testing
