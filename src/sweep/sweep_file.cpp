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

double Number(const nlohmann::json& v) {
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  return v.get<double>();  // type_error for anything but a number
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
  const std::uintmax_t bytes = std::filesystem::file_size(path, error);
  if (!error && bytes > (std::uintmax_t{256} << 20)) throw DataError(path + ": not a lever sweep.json (over 256 MiB)");
  const nlohmann::json j = nlohmann::json::parse(ReadTextFile(path, "sweep.json"), nullptr, false);
  if (j.is_discarded()) throw DataError(path + ": not JSON");
  SweepResults s;
  try {
    if (!j.is_object() || j.value("format", "") != kFormat) {
      throw DataError(path + ": not a lever sweep file (format is not \"" + kFormat + "\")");
    }
    if (j.at("format_version").get<int>() != kVersion) {
      throw DataError(path + ": format_version " + j.at("format_version").dump() + "; this lever reads version " +
                      std::to_string(kVersion));
    }
    for (const nlohmann::json& k : j.at("knobs")) {
      s.knobs.push_back({k.at("name").get<std::string>(), k.at("flag").get<std::string>(),
                         k.at("values").get<std::vector<std::string>>()});
    }
    for (const nlohmann::json& r : j.at("runs")) {
      SweepRun run;
      run.values = r.at("values").get<std::vector<std::string>>();
      if (run.values.size() != s.knobs.size()) {
        throw DataError(path + ": run " + std::to_string(s.runs.size()) + " has " + std::to_string(run.values.size()) +
                        " knob values for " + std::to_string(s.knobs.size()) + " knobs");
      }
      run.seed = r.at("seed").get<uint64_t>();
      for (const nlohmann::json& p : r.at("curve")) {
        if (!p.is_array() || p.size() != 4)
          throw DataError(path + ": a curve point is not [step, train, test, accuracy]");
        run.curve.push_back({p[0].get<int64_t>(), Number(p[1]), Number(p[2]), Number(p[3])});
      }
      run.diverged = r.at("diverged").get<bool>();
      run.diverged_at = r.at("diverged_at").get<int64_t>();
      run.train_loss = Number(r.at("train_loss"));
      run.test_loss = Number(r.at("test_loss"));
      run.test_accuracy = Number(r.at("test_accuracy"));
      run.nonzero_weights = r.at("nonzero_weights").get<int64_t>();
      run.kernel_weights = r.at("kernel_weights").get<int64_t>();
      run.finding = r.at("finding").get<std::string>();
      run.seconds = Number(r.at("seconds"));
      s.runs.push_back(std::move(run));
    }
  } catch (const nlohmann::json::exception& e) {
    throw DataError(path + ": not a lever sweep file: " + e.what());
  }
  return s;
}

}  // namespace lever
