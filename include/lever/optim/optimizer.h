#pragma once
// The optimizer interface. Each optimizer is one small file implementing UpdateSpan(): the update of a
// run of contiguous coordinates given their gradients and slots. The base class walks the parameters
// (whole tensors for dense gradients, only the touched rows for row-sparse ones), applies L2 to the
// gradient, tracks the step count and the learning-rate schedule, and owns, saves and restores slots.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "lever/io/state.h"
#include "lever/nn/parameter.h"
#include "lever/optim/schedule.h"

namespace lever {

/// What UpdateSpan sees besides the coordinates.
struct UpdateContext {
  float learning_rate;  // from the schedule at this step
  int64_t t;            // 1-based count of updates including this one (Adam's bias correction)
  float l1;             // the parameter's L1 strength (apply as a proximal step)
  float l2;             // the parameter's L2 strength (already added to the gradient unless the
                        // optimizer handles regularization itself)
};

/// Soft thresholding, the proximal operator of threshold * |w|: exact zeros for |w| <= threshold.
/// NaN passes through (divergence stays visible); branch-free, so loops using it vectorize.
inline float SoftThreshold(float w, float threshold) { return w - std::clamp(w, -threshold, threshold); }

class Optimizer {
 public:
  explicit Optimizer(std::shared_ptr<LearningRateSchedule> schedule);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// One update of every trainable parameter in `params` from its current gradient. The gradient is
  /// consumed: L2 is added to it in place. Row-sparse gradients update only the parameter's touched rows.
  void Step(const ParameterList& params);
  /// Registry name, e.g. "adam".
  virtual std::string Name() const = 0;
  /// Name and every hyperparameter, e.g. "Adam(learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08)".
  virtual std::string Describe() const = 0;

  /// Saves the step count and every slot (keys "<prefix>iterations", "<prefix><param>/<slot>").
  void SaveState(StateWriter& out, const std::string& prefix = "optimizer/") const;
  /// Restores what SaveState wrote; slots of parameters not yet seen are created on the way.
  void LoadState(const StateReader& in, const ParameterList& params, const std::string& prefix = "optimizer/");

  /// Grows `p`'s slots to the parameter's current number of rows after its table grew (a lazily
  /// allocated embedding, lever/nn/lazy_embedding.h): existing rows keep their state, new rows start at
  /// SlotInitialValue (AdaGrad's initial accumulator, for example). Step() does this by itself; nothing
  /// happens for a parameter without slots yet. A parameter with fewer rows than its slots, or other
  /// columns, is a ShapeError.
  void GrowSlots(const Parameter& p);
  /// Bytes held by the slots of every parameter seen so far.
  size_t SlotBytes() const;

  int64_t iterations() const { return iterations_; }
  /// The rate the next Step() will use.
  double current_learning_rate() const { return schedule_->Rate(iterations_); }
  const LearningRateSchedule& schedule() const { return *schedule_; }

 protected:
  /// Names of the per-coordinate slots this optimizer keeps (e.g. {"m", "v"}), and their initial value.
  virtual std::vector<std::string> SlotNames() const = 0;
  virtual float SlotInitialValue(int /*slot*/) const { return 0.0f; }
  /// True when UpdateSpan folds L2 into its own update (FTRL); otherwise the base adds 2 * l2 * w to g.
  virtual bool HandlesL2() const { return false; }
  /// Updates n contiguous coordinates: weights w, gradients g, and slots[k] at the same offset.
  virtual void UpdateSpan(float* w, float* g, float* const* slots, Index n, const UpdateContext& ctx) = 0;
  /// Updates the listed rows of a (rows, cols) parameter whose weights, gradients and slots start at
  /// w, g and slots[k]. The default calls UpdateSpan row by row, prefetching a few rows ahead (rows are
  /// scattered over large tables); optimizers override it where one fused loop pays.
  virtual void UpdateRows(float* w, float* g, float* const* slots, size_t nslots, Index cols,
                          const std::vector<Index>& rows, const UpdateContext& ctx);
  /// How far ahead row updates prefetch.
  static constexpr size_t kPrefetchRows = 8;

 private:
  struct Slots {
    std::vector<Tensor> tensors;
  };
  Slots& SlotsFor(Parameter& p);

  std::shared_ptr<LearningRateSchedule> schedule_;
  int64_t iterations_ = 0;
  std::unordered_map<const Parameter*, Slots> slots_;
  std::vector<std::pair<std::string, const Parameter*>> order_;  // for saving in a stable order
};

}  // namespace lever
