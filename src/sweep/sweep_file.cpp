#include "lever/sweep/sweep_file.h"

#include <cmath>
#include <filesystem>
#include <limits>

#include "lever/error.h"
#include "lever/io/text_file.h"

namespace lever {
namespace {

constexpr const char* kFormat = "lever.sweep";
constexpr int kVersion = 1;

nlohmann::ordered_json Finite(double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nullptr; }

// Checked reads of the file's fields: DataError naming where and what the field should hold.
const nlohmann::json& Field(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.is_object()) throw DataError(where + " is not a JSON object");
  if (!j.contains(key)) throw DataError(where + " has no \"" + key + "\"");
  return j[key];
}

const nlohmann::json& Array(const nlohmann::json& j, const char* key, const std::string& where) {
  const nlohmann::json& v = Field(j, key, where);
  if (!v.is_array()) throw DataError(where + ": \"" + key + "\" should be an array");
  return v;
}

std::string Text(const nlohmann::json& v, const std::string& where) {
  if (!v.is_string()) throw DataError(where + " should be text");
  return v.get<std::string>();
}

std::vector<std::string> Texts(const nlohmann::json& j, const char* key, const std::string& where) {
  std::vector<std::string> out;
  for (const nlohmann::json& v : Array(j, key, where)) out.push_back(Text(v, where + ": \"" + key + "\""));
  return out;
}

// A number, or null for NaN and infinity.
double Number(const nlohmann::json& v, const std::string& where) {
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!v.is_number()) throw DataError(where + " should be a number or null");
  return v.get<double>();
}

int64_t Whole(const nlohmann::json& v, const std::string& where) {
  if (!v.is_number_integer() && !v.is_number_unsigned()) throw DataError(where + " should be a whole number");
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    throw DataError(where + " is too large");
  return v.get<int64_t>();
}

}  // namespace

nlohmann::ordered_json SweepJson(const std::vector<SweepKnob>& knobs, const std::vector<SweepRun>& runs) {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["format_version"] = kVersion;
  nlohmann::ordered_json k = nlohmann::ordered_json::array();
  for (const SweepKnob& knob : knobs) k.push_back({{"name", knob.name}, {"flag", knob.flag}, {"values", knob.values}});
  j["knobs"] = k;
  nlohmann::ordered_json r = nlohmann::ordered_json::array();
  for (const SweepRun& run : runs) {
    nlohmann::ordered_json curve = nlohmann::ordered_json::array();
    for (const SweepPoint& p : run.curve) {
      curve.push_back({p.step, Finite(p.train_loss), Finite(p.test_loss), Finite(p.test_accuracy)});
    }
    r.push_back({{"values", run.values},
                 {"seed", run.seed},
                 {"curve", curve},
                 {"diverged", run.diverged},
                 {"diverged_at", run.diverged_at},
                 {"train_loss", Finite(run.train_loss)},
                 {"test_loss", Finite(run.test_loss)},
                 {"test_accuracy", Finite(run.test_accuracy)},
                 {"nonzero_weights", run.nonzero_weights},
                 {"kernel_weights", run.kernel_weights},
                 {"finding", run.finding},
                 {"seconds", Finite(run.seconds)}});
  }
  j["runs"] = r;
  return j;
}

SweepResults ReadSweepFile(const std::string& path) {
  std::error_code error;
  if (std::filesystem::exists(path, error) && !std::filesystem::is_regular_file(path, error)) {
    throw DataError(path + " is not a file (a directory, a pipe or a device); lever sweep -o DIR writes sweep.json");
  }
  const std::uintmax_t bytes = std::filesystem::file_size(path, error);
  if (!error && bytes > (std::uintmax_t{256} << 20)) throw DataError(path + ": not a lever sweep.json (over 256 MiB)");
  const nlohmann::json j = nlohmann::json::parse(ReadTextFile(path, "sweep.json"), nullptr, false);
  if (j.is_discarded()) throw DataError(path + ": not JSON");
  SweepResults s;
  if (!j.is_object() || !j.contains("format") || j["format"] != kFormat) {
    throw DataError(path + ": not a lever sweep file (format is not \"" + kFormat + "\")");
  }
  const nlohmann::json& version = Field(j, "format_version", path);
  if (!version.is_number_integer() || version.get<int64_t>() != kVersion) {
    throw DataError(path + ": format_version " + version.dump().substr(0, 40) + "; this lever reads version " +
                    std::to_string(kVersion));
  }
  size_t index = 0;
  for (const nlohmann::json& k : Array(j, "knobs", path)) {
    const std::string where = path + ": knobs[" + std::to_string(index++) + "]";
    s.knobs.push_back({Text(Field(k, "name", where), where + ": \"name\""),
                       Text(Field(k, "flag", where), where + ": \"flag\""), Texts(k, "values", where)});
  }
  index = 0;
  for (const nlohmann::json& r : Array(j, "runs", path)) {
    const std::string where = path + ": runs[" + std::to_string(index++) + "]";
    SweepRun run;
    run.values = Texts(r, "values", where);
    if (run.values.size() != s.knobs.size()) {
      throw DataError(path + ": run " + std::to_string(s.runs.size()) + " has " + std::to_string(run.values.size()) +
                      " knob values for " + std::to_string(s.knobs.size()) + " knobs");
    }
    const int64_t seed = Whole(Field(r, "seed", where), where + ": \"seed\"");
    if (seed < 0) throw DataError(where + ": \"seed\" should not be negative");
    run.seed = static_cast<uint64_t>(seed);
    for (const nlohmann::json& p : Array(r, "curve", where)) {
      if (!p.is_array() || p.size() != 4)
        throw DataError(path + ": a curve point is not [step, train, test, accuracy]");
      const std::string point = where + ": a curve point";
      run.curve.push_back(
          {Whole(p[0], point + "'s step"), Number(p[1], point), Number(p[2], point), Number(p[3], point)});
    }
    const nlohmann::json& diverged = Field(r, "diverged", where);
    if (!diverged.is_boolean()) throw DataError(where + ": \"diverged\" should be true or false");
    run.diverged = diverged.get<bool>();
    run.diverged_at = Whole(Field(r, "diverged_at", where), where + ": \"diverged_at\"");
    run.train_loss = Number(Field(r, "train_loss", where), where + ": \"train_loss\"");
    run.test_loss = Number(Field(r, "test_loss", where), where + ": \"test_loss\"");
    run.test_accuracy = Number(Field(r, "test_accuracy", where), where + ": \"test_accuracy\"");
    run.nonzero_weights = Whole(Field(r, "nonzero_weights", where), where + ": \"nonzero_weights\"");
    run.kernel_weights = Whole(Field(r, "kernel_weights", where), where + ": \"kernel_weights\"");
    run.finding = Text(Field(r, "finding", where), where + ": \"finding\"");
    run.seconds = Number(Field(r, "seconds", where), where + ": \"seconds\"");
    s.runs.push_back(std::move(run));
  }
  return s;
}

}  // namespace lever
