#pragma once
// One thing the training doctor (lever/doctor/doctor.h) found wrong with a run: a fixed id, how sure it
// is, the evidence in numbers and the knob to turn, with a concrete value.
//
//   doctor: dead_relu  layer dense_1: 94% of units output 0 on every example from step 400 (sgd at 3)
//           try: --learning-rate 0.3   (or --activation leaky_relu, elu)
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lever {

struct Finding {
  std::string id;            // learning_rate_too_high, dead_relu, ... (docs/doctor.md lists them)
  double confidence = 0.0;   // 0..1: how likely this is the cause; findings are printed most likely first
  std::string evidence;      // what was measured, with the numbers
  std::string knob;          // the change to try first, as flags: "--learning-rate 0.3"
  std::string alternatives;  // other changes that address it, or empty
  int64_t step = -1;         // the step the evidence is from (or starts at); -1: the whole run

  /// "doctor: <id>  <evidence>\n        try: <knob>   (or <alternatives>)\n".
  std::string Text() const;
  /// {id, confidence, evidence, knob, alternatives, step}.
  nlohmann::ordered_json ToJson() const;
};

/// A knob as `lever train`'s flags name it ("--learning-rate 0.3", "--hidden 16,16") as a run config's
/// override ("--estimator.learning_rate=0.3", "--estimator.hidden_units=[16,16]"); a flag a run config has
/// no key for stays as it is. Lists of knobs ("--activation leaky_relu, elu") are translated item by item.
std::string AsConfigOverride(const std::string& knobs);
/// `findings` with their knobs and alternatives as config overrides (AsConfigOverride).
std::vector<Finding> WithConfigKnobs(std::vector<Finding> findings);

/// The findings as `--doctor` prints them, most likely first; a healthy run's one line when there are none.
std::string FindingsText(const std::vector<Finding>& findings, const std::string& healthy_summary);

}  // namespace lever
