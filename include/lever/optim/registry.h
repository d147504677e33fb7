#pragma once
// Builds optimizers by name: the CLI, config files, the tuner and the playground go through here.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lever/optim/optimizer.h"
#include "lever/registry.h"

namespace lever {

/// An optimizer described by name and hyperparameters, as a user types them.
struct OptimizerSpec {
  std::string name = "sgd";  // OptimizerNames(); the table is in src/optim/registry.cpp
  double learning_rate = 0.01;
  /// Optimizer-specific hyperparameters by name (e.g. {"beta1", 0.9}); booleans as 0/1.
  std::map<std::string, double> options = {};
  /// When set, replaces the constant learning_rate.
  std::shared_ptr<LearningRateSchedule> schedule = nullptr;
};

/// Throws ConfigError for an unknown name (listing the valid ones), a non-positive learning rate, or an
/// option the optimizer does not have (listing its options).
std::unique_ptr<Optimizer> MakeOptimizer(const OptimizerSpec& spec);

/// Every registered optimizer name, in table order.
std::vector<std::string> OptimizerNames();
/// Throws ConfigError listing the valid names when `name` is not an optimizer's name or alias.
void CheckOptimizer(const std::string& name);

/// Every optimizer with its help and options (option=default, ...), in table order (`lever names`).
std::vector<NameEntry> OptimizerEntries();

/// The options an optimizer accepts, with their defaults.
std::map<std::string, double> OptimizerDefaults(const std::string& name);

}  // namespace lever
