#include "lever/train/run_arguments.h"

#include <fmt/core.h>

#include <filesystem>
#include <type_traits>

#include "lever/error.h"
#include "lever/losses/registry.h"

namespace lever {
namespace {

// A number as the flag reads it back: the shortest text that parses to the same double.
std::string Number(double value) { return fmt::format("{}", value == 0.0 ? 0.0 : value); }

// `items` joined by commas; an item holding a comma would read back as two, so it is refused.
template <typename T>
std::string List(const std::vector<T>& items, const char* flag) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string item;
    if constexpr (std::is_same_v<T, std::string>) {
      item = items[i];
    } else if constexpr (std::is_floating_point_v<T>) {
      item = Number(items[i]);
    } else {
      item = std::to_string(items[i]);
    }
    if (item.find(',') != std::string::npos) {
      throw ConfigError(fmt::format("{} entry '{}' holds a comma, which no {} list can carry", flag, item, flag));
    }
    out += (i == 0 ? "" : ",") + item;
  }
  return out;
}

std::string Absolute(const std::string& path) {
  return path.empty() ? path : std::filesystem::absolute(path).lexically_normal().string();
}

}  // namespace

int64_t RunSteps(const TrainingRun& run) {
  return run.data().holdout.size() > 0 ? run.spec().config.max_steps : run.trainer().step();
}

std::vector<std::string> RunArguments(const TrainingRun& run) {
  const TrainingRunSpec& spec = run.spec();
  const TrainingDataSpec& data = spec.data;
  const TrainConfig& c = spec.config;
  const MlpSpec& mlp = spec.mlp;
  std::vector<std::string> args;
  const auto flag = [&args](const char* name, const std::string& value) {
    args.emplace_back(name);
    args.push_back(value);
  };
  if (data.seed != c.seed) {
    throw ConfigError(fmt::format(
        "the data's seed ({}) differs from the training seed ({}); lever train's --seed sets both, so no command "
        "line gives this run",
        data.seed, c.seed));
  }
  const bool table = !data.train_file.empty();
  if (table) {
    flag("--train-file", Absolute(data.train_file));
    if (data.test_file.empty()) {
      flag("--train-percent", Number(data.train_percent));  // one table split by the seed
    } else {
      flag("--test-file", Absolute(data.test_file));
    }
    if (!data.schema.empty()) flag("--schema", Absolute(data.schema));
    for (const auto& [column, type] : data.column_types) {
      flag("--column-type", column + "=" + ColumnTypeName(type));
    }
    if (!data.na_values.empty()) flag("--na-values", List(data.na_values, "--na-values"));
    flag("--label", data.label);
    if (data.task != "auto") flag("--task", data.task);
    if (!data.label_vocabulary.empty()) flag("--label-vocabulary", List(data.label_vocabulary, "--label-vocabulary"));
    if (!data.positive_class.empty()) flag("--positive-class", data.positive_class);
    args.emplace_back(data.standardize ? "--standardize" : "--no-standardize");
    flag("--validation-split", Number(data.validation_split));
    flag("--patience", std::to_string(spec.patience));
  } else {
    flag("--dataset", data.dataset);
    flag("--features", List(data.features, "--features"));
    flag("--noise", Number(data.noise));
    flag("--train-percent", Number(data.train_percent));
    if (data.samples != 0) flag("--samples", std::to_string(data.samples));
  }
  flag("--hidden", List(mlp.hidden, "--hidden"));
  flag("--activation", mlp.activation);
  flag("--initializer", mlp.initializer);
  if (mlp.regularizer.l1 != 0.0) flag("--l1", Number(mlp.regularizer.l1));
  if (mlp.regularizer.l2 != 0.0) flag("--l2", Number(mlp.regularizer.l2));
  if (mlp.dropout != 0.0) flag("--dropout", Number(mlp.dropout));
  if (mlp.batch_norm) args.emplace_back("--batch-norm");
  // The loss only where it is not the one the labels call for (an explicit loss also names a table's task).
  if (CanonicalLossName(c.loss) != CanonicalLossName(run.data().default_loss)) flag("--loss", c.loss);
  flag("--optimizer", c.optimizer.name);
  flag("--learning-rate", Number(c.optimizer.learning_rate));
  for (const auto& [name, value] : c.optimizer.options) flag("--opt", name + "=" + Number(value));
  const ScheduleSpec& s = spec.schedule;
  if (s.name != "constant") {
    flag("--lr-schedule", s.name);
    if (s.decay_steps != 0) flag("--decay-steps", std::to_string(s.decay_steps));
    if (s.decay_rate != ScheduleSpec{}.decay_rate) flag("--decay-rate", Number(s.decay_rate));
    if (s.staircase) args.emplace_back("--staircase");
    if (!s.boundaries.empty()) flag("--boundaries", List(s.boundaries, "--boundaries"));
    if (!s.values.empty()) flag("--values", List(s.values, "--values"));
    if (s.alpha != 0.0) flag("--alpha", Number(s.alpha));
    if (s.warmup_steps != 0) flag("--warmup-steps", std::to_string(s.warmup_steps));
  } else if (c.optimizer.schedule) {
    throw ConfigError(
        "the run's learning-rate schedule was given as an object (OptimizerSpec::schedule), which no flag "
        "spells; give it as TrainingRunSpec::schedule (a ScheduleSpec, as --lr-schedule does)");
  }
  flag("--batch-size", std::to_string(c.batch_size));
  flag("--steps", std::to_string(RunSteps(run)));
  flag("--seed", std::to_string(c.seed));
  if (c.clip_norm != 0.0) flag("--clip-norm", Number(c.clip_norm));
  if (c.clip_value != 0.0) flag("--clip-value", Number(c.clip_value));
  return args;
}

std::string TrainCommandLine(const std::vector<std::string>& arguments) {
  std::string out = "lever train";
  for (const std::string& a : arguments) {
    const bool plain =
        !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._,:/=+-@%") ==
                          std::string::npos;
    if (plain) {
      out += " " + a;
      continue;
    }
    // Single quotes keep everything but a single quote, which closes, is escaped and reopens.
    out += " '";
    for (const char ch : a) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    out += "'";
  }
  return out;
}

}  // namespace lever
