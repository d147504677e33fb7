#include "lever/doctor/record_file.h"

#include <fmt/core.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "lever/error.h"
#include "lever/io/atomic_file.h"
#include "lever/io/dir_lock.h"

namespace lever {
namespace {

constexpr size_t kMaxStepLosses = 20000;

// NaN and infinities are written as null (JSON has no NaN) and read back as NaN.
nlohmann::ordered_json Number(double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr; }

double NumberAt(const nlohmann::json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key)) throw DataError(where + ": no \"" + key + "\"");
  const nlohmann::json& v = object[key];
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!v.is_number()) throw DataError(where + ": \"" + key + "\" is " + v.dump() + ", not a number");
  return v.get<double>();
}

// A whole number within the range `lever` writes (steps, sizes and counts far below 2^62).
int64_t WholeNumber(const nlohmann::json& v, const std::string& what) {
  constexpr int64_t kLargest = int64_t{1} << 62;
  const bool whole = v.is_number_integer() && !(v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{kLargest});
  if (!whole || v.get<int64_t>() > kLargest || v.get<int64_t>() < -kLargest) {
    throw DataError(what + " is " + v.dump() + ", not a whole number of a sensible size");
  }
  return v.get<int64_t>();
}

int64_t IntegerAt(const nlohmann::json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key)) throw DataError(where + ": no \"" + key + "\"");
  return WholeNumber(object[key], where + ": \"" + key + "\"");
}

// IntegerAt within [low, high]: the facts the rules compute with (units doubled, batches multiplied).
int64_t IntegerIn(const nlohmann::json& object, const char* key, const std::string& where, int64_t low, int64_t high) {
  const int64_t v = IntegerAt(object, key, where);
  if (v < low || v > high) {
    throw DataError(where + ": \"" + key + "\" is " + std::to_string(v) + ", outside " + std::to_string(low) + ".." +
                    std::to_string(high));
  }
  return v;
}

std::string TextAt(const nlohmann::json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) {
    throw DataError(where + ": \"" + key + "\" is missing or not a text");
  }
  return object[key].get<std::string>();
}

bool BoolAt(const nlohmann::json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_boolean()) {
    throw DataError(where + ": \"" + key + "\" is missing or not true/false");
  }
  return object[key].get<bool>();
}

const nlohmann::json& ArrayAt(const nlohmann::json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_array()) {
    throw DataError(where + ": \"" + key + "\" is missing or not a list");
  }
  return object[key];
}

}  // namespace

nlohmann::ordered_json StatisticsToJson(const std::vector<TrainingStatistics>& samples) {
  nlohmann::ordered_json statistics = nlohmann::ordered_json::array();
  for (const TrainingStatistics& s : samples) {
    nlohmann::ordered_json parameters = nlohmann::ordered_json::array(), activations = nlohmann::ordered_json::array();
    for (const ParameterStatistics& p : s.parameters) {
      parameters.push_back({{"name", p.name},
                            {"weight_norm", Number(p.weight_norm)},
                            {"gradient_norm", Number(p.gradient_norm)},
                            {"update_norm", Number(p.update_norm)},
                            {"update_ratio", Number(p.update_ratio)},
                            {"nonzero", p.nonzero},
                            {"size", p.size}});
    }
    for (const ActivationStatistics& a : s.activations) {
      activations.push_back({{"layer", a.layer},
                             {"activation", a.activation},
                             {"mean", Number(a.mean)},
                             {"stddev", Number(a.stddev)},
                             {"zero_fraction", Number(a.zero_fraction)},
                             {"dead_fraction", Number(a.dead_fraction)},
                             {"saturated_fraction", Number(a.saturated_fraction)},
                             {"saturates", a.saturates}});
    }
    statistics.push_back({{"step", s.step},
                          {"data_loss", Number(s.data_loss)},
                          {"regularization_loss", Number(s.regularization_loss)},
                          {"gradient_global_norm", Number(s.gradient_global_norm)},
                          {"learning_rate", Number(s.learning_rate)},
                          {"nonzero_weights", s.nonzero_weights},
                          {"kernel_weights", s.kernel_weights},
                          {"parameters", parameters},
                          {"activations", activations}});
  }
  return statistics;
}

std::vector<TrainingStatistics> StatisticsFromJson(const nlohmann::json& samples, const std::string& context) {
  if (!samples.is_array()) throw DataError(context + ": \"statistics\" is not an array");
  std::vector<TrainingStatistics> out;
  size_t index = 0;
  for (const nlohmann::json& s : samples) {
    const std::string where = context + ": statistics[" + std::to_string(index++) + "]";
    TrainingStatistics t;
    t.step = IntegerAt(s, "step", where);
    t.data_loss = NumberAt(s, "data_loss", where);
    t.regularization_loss = NumberAt(s, "regularization_loss", where);
    t.gradient_global_norm = NumberAt(s, "gradient_global_norm", where);
    t.learning_rate = NumberAt(s, "learning_rate", where);
    t.nonzero_weights = IntegerAt(s, "nonzero_weights", where);
    t.kernel_weights = IntegerAt(s, "kernel_weights", where);
    for (const nlohmann::json& p : ArrayAt(s, "parameters", where)) {
      t.parameters.push_back({.name = TextAt(p, "name", where),
                              .weight_norm = NumberAt(p, "weight_norm", where),
                              .gradient_norm = NumberAt(p, "gradient_norm", where),
                              .update_norm = NumberAt(p, "update_norm", where),
                              .update_ratio = NumberAt(p, "update_ratio", where),
                              .nonzero = IntegerAt(p, "nonzero", where),
                              .size = IntegerAt(p, "size", where)});
    }
    for (const nlohmann::json& a : ArrayAt(s, "activations", where)) {
      t.activations.push_back({.layer = TextAt(a, "layer", where),
                               .activation = TextAt(a, "activation", where),
                               .mean = NumberAt(a, "mean", where),
                               .stddev = NumberAt(a, "stddev", where),
                               .zero_fraction = NumberAt(a, "zero_fraction", where),
                               .dead_fraction = NumberAt(a, "dead_fraction", where),
                               .saturated_fraction = NumberAt(a, "saturated_fraction", where),
                               .saturates = BoolAt(a, "saturates", where)});
    }
    out.push_back(std::move(t));
  }
  return out;
}

nlohmann::ordered_json DoctorRecordToJson(const DoctorRecord& r, bool running) {
  const DoctorFacts& f = r.facts;
  nlohmann::ordered_json out;
  out["format"] = "lever.doctor_record";
  out["format_version"] = 1;
  out["running"] = running;
  out["facts"] = {{"optimizer", f.optimizer},
                  {"learning_rate", f.learning_rate},
                  {"batch_size", f.batch_size},
                  {"max_steps", f.max_steps},
                  {"activation", f.activation},
                  {"initializer", f.initializer},
                  {"hidden", f.hidden},
                  {"l1", f.l1},
                  {"l2", f.l2},
                  {"dropout", f.dropout},
                  {"batch_norm", f.batch_norm},
                  {"clip_norm", f.clip_norm},
                  {"classification", f.classification},
                  {"train_rows", f.train_rows},
                  {"label_variance", f.label_variance},
                  {"largest_input_stddev", f.largest_input_stddev},
                  {"largest_input_mean", f.largest_input_mean},
                  {"standardized", f.standardized},
                  {"config_job", f.config_job}};
  const size_t n = r.step_losses.size();
  const size_t stride = (n + kMaxStepLosses - 1) / kMaxStepLosses;
  out["steps"] = n;
  out["step_loss_stride"] = std::max<size_t>(1, stride);
  nlohmann::ordered_json losses = nlohmann::ordered_json::array();
  for (size_t begin = 0; begin < n; begin += std::max<size_t>(1, stride)) {
    const size_t end = std::min(n, begin + std::max<size_t>(1, stride));
    double sum = 0;
    for (size_t i = begin; i < end; ++i) sum += r.step_losses[i];
    losses.push_back(Number(sum / static_cast<double>(end - begin)));
  }
  out["step_losses"] = losses;
  nlohmann::ordered_json evaluations = nlohmann::ordered_json::array();
  for (const DoctorEvaluation& e : r.evaluations) {
    evaluations.push_back({{"step", e.step},
                           {"train_loss", Number(e.train_loss)},
                           {"validation_loss", Number(e.validation_loss)},
                           {"train_accuracy", Number(e.train_accuracy)},
                           {"validation_accuracy", Number(e.validation_accuracy)},
                           {"regularization_loss", Number(e.regularization_loss)}});
  }
  out["evaluations"] = evaluations;
  out["statistics"] = StatisticsToJson(r.statistics);
  out["diverged"] = r.diverged;
  out["diverged_at"] = r.diverged_at;
  out["converged"] = r.converged;
  out["interrupted"] = r.interrupted;
  return out;
}

void WriteDoctorJson(const std::string& directory, const std::vector<Finding>& findings,
                     const std::string& healthy_summary) {
  nlohmann::ordered_json out;
  out["healthy"] = findings.empty();
  out["summary"] = findings.empty() ? healthy_summary : findings.front().evidence;
  out["findings"] = nlohmann::ordered_json::array();
  for (const Finding& f : findings) out["findings"].push_back(f.ToJson());
  WriteFileAtomically((std::filesystem::path(directory) / "doctor.json").string(), out.dump(2) + "\n");
}

RecordedRunState RunStateOf(const DoctorRecord& r, bool running, const std::string& job_dir) {
  RecordedRunState s;
  s.step = r.diverged              ? r.diverged_at
           : r.evaluations.empty() ? static_cast<int64_t>(r.step_losses.size())
                                   : r.evaluations.back().step;
  const bool killed = running && std::ifstream("/proc/locks").good() &&
                      FlockHolder((std::filesystem::path(job_dir) / "lever.lock").string()) == 0;
  const int64_t of = r.facts.max_steps;
  if (r.diverged) {
    s.name = "diverged", s.text = fmt::format("diverged at step {}", s.step);
  } else if (killed) {
    s.name = "stopped";
    s.text = fmt::format("stopped at step {} of {}: the run that wrote it is no longer running (killed?)", s.step, of);
  } else if (running) {
    s.name = "running", s.text = fmt::format("running, step {} of {}", s.step, of);
  } else if (r.interrupted) {
    s.name = "stopped", s.text = fmt::format("interrupted at step {} of {}", s.step, of);
  } else {
    s.name = "finished", s.text = fmt::format("finished, {} steps", s.step);
  }
  return s;
}

DoctorRecord ReadDoctorRecord(const std::string& path, bool* running) {
  std::error_code kind_error;
  if (std::filesystem::exists(path, kind_error) && !std::filesystem::is_regular_file(path, kind_error)) {
    throw IoError(path +
                  " is not a file (a directory, a pipe or a device): a doctor record is the file lever "
                  "train --doctor --job-dir DIR writes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw IoError("cannot read " + path +
                  ": no doctor record there (train with lever train --doctor --job-dir DIR to write one)");
  }
  // lever writes at most 20,000 step losses and a few hundred samples: a few megabytes.
  constexpr std::uintmax_t kMaxBytes = std::uintmax_t{64} << 20;
  std::error_code size_error;
  const std::uintmax_t bytes = std::filesystem::file_size(path, size_error);
  if (!size_error && bytes > kMaxBytes) {
    throw DataError(path + ": " + std::to_string(bytes >> 20) + " MiB, more than a doctor record's 64 MiB at most");
  }
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) throw DataError(path + ": not valid JSON");
  if (!j.is_object() || !j.contains("format") || j["format"] != "lever.doctor_record") {
    throw DataError(path + ": not a lever doctor record (\"format\" should be \"lever.doctor_record\")");
  }
  if (IntegerAt(j, "format_version", path) != 1) {
    throw DataError(path + ": format_version " + j["format_version"].dump() + ", this lever reads 1");
  }
  DoctorRecord r;
  const std::string facts_where = path + ": facts";
  if (!j.contains("facts") || !j["facts"].is_object()) throw DataError(path + ": no \"facts\" object");
  const nlohmann::json& f = j["facts"];
  r.facts.optimizer = TextAt(f, "optimizer", facts_where);
  r.facts.learning_rate = NumberAt(f, "learning_rate", facts_where);
  constexpr int64_t kLargeCount = int64_t{1} << 40;
  r.facts.batch_size = IntegerIn(f, "batch_size", facts_where, 1, kLargeCount);
  r.facts.max_steps = IntegerIn(f, "max_steps", facts_where, 0, kLargeCount);
  r.facts.activation = TextAt(f, "activation", facts_where);
  // Records of earlier versions have no initializer: the model's own.
  if (f.contains("initializer")) r.facts.initializer = TextAt(f, "initializer", facts_where);
  for (const nlohmann::json& units : ArrayAt(f, "hidden", facts_where)) {
    const int64_t n = WholeNumber(units, facts_where + ": \"hidden\" holds a layer that");
    if (n < 1 || n > kLargeCount)
      throw DataError(facts_where + ": \"hidden\" holds a layer of " + units.dump() + " units");
    r.facts.hidden.push_back(n);
  }
  r.facts.l1 = NumberAt(f, "l1", facts_where);
  r.facts.l2 = NumberAt(f, "l2", facts_where);
  r.facts.dropout = NumberAt(f, "dropout", facts_where);
  r.facts.batch_norm = BoolAt(f, "batch_norm", facts_where);
  r.facts.clip_norm = NumberAt(f, "clip_norm", facts_where);
  r.facts.classification = BoolAt(f, "classification", facts_where);
  r.facts.train_rows = IntegerIn(f, "train_rows", facts_where, 0, kLargeCount);
  r.facts.label_variance = NumberAt(f, "label_variance", facts_where);
  r.facts.largest_input_stddev = NumberAt(f, "largest_input_stddev", facts_where);
  r.facts.largest_input_mean = NumberAt(f, "largest_input_mean", facts_where);
  r.facts.standardized = BoolAt(f, "standardized", facts_where);
  r.facts.config_job = BoolAt(f, "config_job", facts_where);
  const int64_t stride = IntegerAt(j, "step_loss_stride", path);
  if (stride < 1 || stride > (int64_t{1} << 40)) throw DataError(path + ": step_loss_stride " + std::to_string(stride));
  for (const nlohmann::json& v : ArrayAt(j, "step_losses", path)) {
    const double loss = v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.is_number() ? v.get<double>() : -1;
    if (!v.is_null() && !v.is_number()) throw DataError(path + ": step_losses holds " + v.dump());
    // A stride's mean stands for each of its steps (the rules read means over fractions of the run).
    for (int64_t k = 0; k < stride && r.step_losses.size() < (size_t{1} << 22); ++k) {
      r.step_losses.push_back(static_cast<float>(loss));
    }
  }
  const int64_t steps = IntegerAt(j, "steps", path);
  if (steps < 0) throw DataError(path + ": steps " + std::to_string(steps));
  if (static_cast<size_t>(steps) < r.step_losses.size()) r.step_losses.resize(static_cast<size_t>(steps));
  size_t index = 0;
  for (const nlohmann::json& e : ArrayAt(j, "evaluations", path)) {
    const std::string where = path + ": evaluations[" + std::to_string(index++) + "]";
    r.evaluations.push_back({.step = IntegerAt(e, "step", where),
                             .train_loss = NumberAt(e, "train_loss", where),
                             .validation_loss = NumberAt(e, "validation_loss", where),
                             .train_accuracy = NumberAt(e, "train_accuracy", where),
                             .validation_accuracy = NumberAt(e, "validation_accuracy", where),
                             .regularization_loss = NumberAt(e, "regularization_loss", where)});
  }
  r.statistics = StatisticsFromJson(ArrayAt(j, "statistics", path), path);
  r.diverged = BoolAt(j, "diverged", path);
  r.diverged_at = IntegerAt(j, "diverged_at", path);
  r.converged = BoolAt(j, "converged", path);
  r.interrupted = j.contains("interrupted") && BoolAt(j, "interrupted", path);  // absent in older records
  if (running != nullptr) *running = BoolAt(j, "running", path);
  return r;
}

}  // namespace lever
