#pragma once
// The TensorFlow Playground's datasets, generated from a seed: four binary classification sets (circle, xor,
// gauss, spiral) and two regression sets (plane, multigauss), with the Playground's noise and
// train/test split and its seven input features; and three multi-class sets in the same plane with the same
// knobs (spiral3, rings3, gauss4: the Playground's spiral, circle and gauss with three or four classes).
#include <cstdint>
#include <string>
#include <vector>

#include "lever/data/dataset.h"
#include "lever/registry.h"

namespace lever {

struct PlaygroundSpec {
  std::string dataset = "circle";  // circle, xor, gauss, spiral, spiral3, rings3, gauss4, plane, multigauss
  /// Points to generate; 0 means the Playground's own counts (500 classification, 1200 regression). The
  /// classes of a multi-class set share them as evenly as whole points allow (within one point).
  int num_samples = 0;
  double noise = 0.0;        // the Playground's slider 0..50 divided by 100: 0 to 0.5
  double train_ratio = 0.5;  // fraction of the points used for training, in (0, 1)
  uint64_t seed = 1;
  /// Inputs, any of x1, x2, x1_sq, x2_sq, x1_x2, sin_x1, sin_x2 (also "x1^2", "x1*x2", "sin(x1)", ...).
  std::vector<std::string> features = {"x1", "x2"};
};

struct PlaygroundData {
  Dataset train;
  Dataset test;
  /// Classification: labels are class ids 0..classes-1 (0/1 for the binary sets); otherwise regression
  /// targets (multigauss in [-1, 1], plane in [-1.2, 1.2]).
  bool classification = true;
  /// 2 for the binary sets, 3 for spiral3 and rings3, 4 for gauss4; 0 for regression (no classes).
  int classes = 2;
  /// The raw (x1, x2) coordinates of every point, train first then test (for plotting).
  Tensor train_points;
  Tensor test_points;
};

/// Generates a dataset. Throws ConfigError for an unknown dataset or feature (listing the valid ones),
/// noise outside [0, 0.5], a train ratio outside (0, 1), or fewer than 4 points.
PlaygroundData MakePlaygroundData(const PlaygroundSpec& spec);

/// Computes the selected features of raw (x1, x2) points: (points, 2) -> (points, features).
Tensor PlaygroundFeatures(const Tensor& points, const std::vector<std::string>& features);

std::vector<std::string> PlaygroundDatasetNames();
std::vector<std::string> PlaygroundFeatureNames();
/// Every dataset and input feature with its help (and a feature's other spellings), in table order.
std::vector<NameEntry> PlaygroundDatasetEntries();
std::vector<NameEntry> PlaygroundFeatureEntries();
/// True for the classification datasets (binary and multi-class); an unknown name is a ConfigError listing the
/// valid ones.
bool IsPlaygroundClassification(const std::string& dataset);
/// The number of classes `dataset`'s labels have: 2 for circle, xor, gauss and spiral (labels 0/1), 3 for
/// spiral3 and rings3, 4 for gauss4, 0 for the regression sets. An unknown name is a ConfigError listing the
/// valid ones.
int PlaygroundClasses(const std::string& dataset);

}  // namespace lever
