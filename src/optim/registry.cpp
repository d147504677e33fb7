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

namespace lever {
namespace {

using Options = std::map<std::string, double>;
using Factory = std::function<std::unique_ptr<Optimizer>(std::shared_ptr<LearningRateSchedule>, const Options&)>;

struct Entry {
  const char* name;
  Options defaults;
  Factory make;
};

// One line per optimizer: its name, its options with defaults, and how to build it.
const std::vector<Entry>& Registry() {
  static const std::vector<Entry> entries = {
      {"sgd", {}, [](auto s, const Options&) { return std::make_unique<Sgd>(s); }},
      {"momentum", {{"momentum", 0.9}},
       [](auto s, const Options& o) { return std::make_unique<Momentum>(s, MomentumOptions{o.at("momentum"), false}); }},
      {"nesterov", {{"momentum", 0.9}},
       [](auto s, const Options& o) { return std::make_unique<Momentum>(s, MomentumOptions{o.at("momentum"), true}); }},
      {"adagrad", {{"initial_accumulator_value", 0.1}, {"epsilon", 1e-7}},
       [](auto s, const Options& o) {
         return std::make_unique<Adagrad>(s, AdagradOptions{o.at("initial_accumulator_value"), o.at("epsilon")});
       }},
      {"adadelta", {{"rho", 0.95}, {"epsilon", 1e-7}},
       [](auto s, const Options& o) { return std::make_unique<Adadelta>(s, AdadeltaOptions{o.at("rho"), o.at("epsilon")}); }},
      {"rmsprop", {{"rho", 0.9}, {"momentum", 0.0}, {"epsilon", 1e-7}, {"centered", 0.0}},
       [](auto s, const Options& o) {
         return std::make_unique<Rmsprop>(
             s, RmspropOptions{o.at("rho"), o.at("momentum"), o.at("epsilon"), o.at("centered") != 0.0});
       }},
      {"adam", {{"beta1", 0.9}, {"beta2", 0.999}, {"epsilon", 1e-8}},
       [](auto s, const Options& o) {
         return std::make_unique<Adam>(s, AdamOptions{o.at("beta1"), o.at("beta2"), o.at("epsilon")});
       }},
      {"ftrl",
       {{"learning_rate_power", -0.5}, {"initial_accumulator_value", 0.1}, {"l1", 0.0}, {"l2", 0.0}, {"l2_shrinkage", 0.0}},
       [](auto s, const Options& o) {
         return std::make_unique<Ftrl>(s, FtrlOptions{o.at("learning_rate_power"), o.at("initial_accumulator_value"),
                                                      o.at("l1"), o.at("l2"), o.at("l2_shrinkage")});
       }},
  };
  return entries;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

const Entry& Find(const std::string& name) {
  for (const Entry& e : Registry()) {
    if (name == e.name) return e;
  }
  throw ConfigError("unknown optimizer '" + name + "'. Valid optimizers: " + Join(OptimizerNames()) + ".");
}

}  // namespace

std::vector<std::string> OptimizerNames() {
  std::vector<std::string> names;
  for (const Entry& e : Registry()) names.emplace_back(e.name);
  return names;
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
                        (valid.empty() ? std::string("(none besides the learning rate)") : Join(valid)) + ".");
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
