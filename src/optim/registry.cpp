#include "lever/optim/registry.h"

#include <cmath>
#include <functional>
#include <sstream>

#include "lever/error.h"
#include "lever/optim/adadelta.h"
#include "lever/optim/adagrad.h"
#include "lever/optim/adam.h"
#include "lever/optim/ftrl.h"
#include "lever/optim/momentum.h"
#include "lever/optim/rmsprop.h"
#include "lever/optim/sgd.h"
#include "lever/registry.h"

namespace lever {
namespace {

using Options = std::map<std::string, double>;
using Factory = std::function<std::unique_ptr<Optimizer>(std::shared_ptr<LearningRateSchedule>, const Options&)>;

struct Entry {
  const char* name;
  std::vector<std::string> aliases;
  const char* help;
  Options defaults;
  Factory make;
};

// One line per optimizer: its name, aliases, one-line help, its options with defaults, and how to build it.
// clang-format off
const std::vector<Entry>& Registry() {
  static const std::vector<Entry> entries = {
      {"sgd", {}, "plain gradient descent", {}, [](auto s, const Options&) { return std::make_unique<Sgd>(s); }},
      {"momentum", {}, "heavy-ball momentum", {{"momentum", 0.9}},
       [](auto s, const Options& o) { return std::make_unique<Momentum>(s, MomentumOptions{o.at("momentum"), false}); }},
      {"nesterov", {}, "Nesterov momentum", {{"momentum", 0.9}},
       [](auto s, const Options& o) { return std::make_unique<Momentum>(s, MomentumOptions{o.at("momentum"), true}); }},
      {"adagrad", {}, "per-weight rates from summed squared gradients", {{"initial_accumulator_value", 0.1}, {"epsilon", 1e-7}},
       [](auto s, const Options& o) {
         return std::make_unique<Adagrad>(s, AdagradOptions{o.at("initial_accumulator_value"), o.at("epsilon")});
       }},
      {"adadelta", {}, "Adagrad with decaying averages and unit-corrected steps", {{"rho", 0.95}, {"epsilon", 1e-7}},
       [](auto s, const Options& o) { return std::make_unique<Adadelta>(s, AdadeltaOptions{o.at("rho"), o.at("epsilon")}); }},
      {"rmsprop", {}, "rates from a moving average of squared gradients", {{"rho", 0.9}, {"momentum", 0.0}, {"epsilon", 1e-7}, {"centered", 0.0}},
       [](auto s, const Options& o) {
         return std::make_unique<Rmsprop>(
             s, RmspropOptions{o.at("rho"), o.at("momentum"), o.at("epsilon"), o.at("centered") != 0.0});
       }},
      {"adam", {}, "momentum and RMSprop with bias correction (Kingma and Ba 2015)", {{"beta1", 0.9}, {"beta2", 0.999}, {"epsilon", 1e-8}},
       [](auto s, const Options& o) {
         return std::make_unique<Adam>(s, AdamOptions{o.at("beta1"), o.at("beta2"), o.at("epsilon")});
       }},
      {"adamw", {}, "Adam with decoupled weight decay (Loshchilov and Hutter 2019), as PyTorch's AdamW",
       {{"beta1", 0.9}, {"beta2", 0.999}, {"epsilon", 1e-8}, {"weight_decay", 0.01}},
       [](auto s, const Options& o) {
         return std::make_unique<AdamW>(
             s, AdamWOptions{o.at("beta1"), o.at("beta2"), o.at("epsilon"), o.at("weight_decay")});
       }},
      {"ftrl", {}, "follow the regularized leader, for sparse linear models (McMahan et al. 2013)",
       {{"learning_rate_power", -0.5}, {"initial_accumulator_value", 0.1}, {"l1", 0.0}, {"l2", 0.0}, {"l2_shrinkage", 0.0}},
       [](auto s, const Options& o) {
         return std::make_unique<Ftrl>(s, FtrlOptions{o.at("learning_rate_power"), o.at("initial_accumulator_value"),
                                                      o.at("l1"), o.at("l2"), o.at("l2_shrinkage")});
       }},
  };
  return entries;
}
// clang-format on

const Entry& Find(const std::string& name) { return internal::LookUp(Registry(), name, "optimizer"); }

}  // namespace

std::vector<std::string> OptimizerNames() { return internal::EntryNames(Registry()); }

void CheckOptimizer(const std::string& name) { Find(name); }

std::vector<NameEntry> OptimizerEntries() {
  std::vector<NameEntry> out = internal::Describe(Registry());
  for (size_t i = 0; i < out.size(); ++i) {
    const Options& defaults = Registry()[i].defaults;
    if (defaults.empty()) continue;
    out[i].help +=
        " (--opt " + JoinNames(defaults, [](const auto& kv) { return kv.first + "=" + FormatValue(kv.second); }) + ")";
  }
  return out;
}

std::map<std::string, double> OptimizerDefaults(const std::string& name) { return Find(name).defaults; }

std::unique_ptr<Optimizer> MakeOptimizer(const OptimizerSpec& spec) {
  const Entry& entry = Find(spec.name);
  Options options = entry.defaults;
  for (const auto& [key, value] : spec.options) {
    if (entry.defaults.count(key) == 0) {
      std::vector<std::string> valid;
      for (const auto& kv : entry.defaults) valid.push_back(kv.first);
      throw ConfigError("optimizer '" + spec.name + "' has no option '" + key + "'. Its options: " +
                        (valid.empty() ? std::string("(none besides the learning rate)") : JoinNames(valid)) + ".");
    }
    if (!std::isfinite(value)) throw ConfigError("optimizer option '" + key + "' must be a finite number");
    options[key] = value;
  }
  std::shared_ptr<LearningRateSchedule> schedule = spec.schedule;
  if (!schedule) {
    if (!(spec.learning_rate > 0.0) || !std::isfinite(spec.learning_rate)) {
      std::ostringstream msg;
      msg << "learning rate must be a positive number, got " << spec.learning_rate
          << ". Typical values: 0.001 to 0.1 (Adam 0.001, SGD 0.01).";
      throw ConfigError(msg.str());
    }
    schedule = ConstantSchedule(spec.learning_rate);
  }
  return entry.make(schedule, options);
}

}  // namespace lever
