#include "lever/train/run_result.h"

#include "lever/io/atomic_file.h"

namespace lever {

nlohmann::ordered_json RunResult::ToJson() const {
  nlohmann::ordered_json j{{"global_step", global_step}, {"steps", steps}, {"train_seconds", train_seconds}};
  for (const auto& [name, value] : metrics) j[name] = value;
  if (!task.empty()) j["task"] = task;
  if (!classes.empty()) j["classes"] = classes;
  if (holdout.best_step >= 0) {
    j["early_stopping"] = {{"holdout_rows", holdout_rows},
                           {"best_step", holdout.best_step},
                           {"holdout_loss", holdout.holdout_loss},
                           {"stopped_early", holdout.stopped_early}};
  }
  if (convergence) {
    j["convergence"] = {{"converged", convergence->converged},
                        {"change", convergence->change},
                        {"tolerance", convergence->tolerance},
                        {"reason", convergence->reason}};
  }
  for (auto it = extras.begin(); it != extras.end(); ++it) j[it.key()] = it.value();
  return j;
}

void RunResult::Write(const std::string& path) const { WriteFileAtomically(path, ToJson().dump(2) + "\n"); }

}  // namespace lever
