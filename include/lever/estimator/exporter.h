#pragma once
// What train_and_evaluate hands every evaluation to after the hooks have seen it (EvalSpec::exporters).
#include "lever/train/hook.h"

namespace lever {

class Estimator;

/// Sees every evaluation of train_and_evaluate after the hooks have (EvalSpec::exporters); `is_final`
/// marks the evaluation after training ended (max_steps reached or a hook stopped it; not a stop request).
class Exporter {
 public:
  virtual ~Exporter() = default;
  virtual void Export(Estimator& estimator, const EvalReport& report, bool is_final) = 0;
};

}  // namespace lever
