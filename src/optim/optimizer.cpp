#include "lever/optim/optimizer.h"

#include "lever/error.h"
#include "lever/tensor/memory.h"

namespace lever {

Optimizer::Optimizer(std::shared_ptr<LearningRateSchedule> schedule) : schedule_(std::move(schedule)) {
  if (!schedule_) throw ConfigError("optimizer: a learning-rate schedule is required");
}

Optimizer::Slots& Optimizer::SlotsFor(Parameter& p) {
  auto it = slots_.find(&p);
  if (it != slots_.end()) return it->second;
  Slots s;
  const auto names = SlotNames();
  for (size_t k = 0; k < names.size(); ++k) {
    s.tensors.push_back(NewTable(p.value.rows(), p.value.cols(), SlotInitialValue(static_cast<int>(k))));
  }
  order_.emplace_back(p.name, &p);
  return slots_.emplace(&p, std::move(s)).first->second;
}

void Optimizer::GrowSlots(const Parameter& p) {
  auto it = slots_.find(&p);
  if (it == slots_.end()) return;
  const Index rows = p.value.rows();
  const Index cols = p.value.cols();
  for (size_t k = 0; k < it->second.tensors.size(); ++k) {
    Tensor& slot = it->second.tensors[k];
    if (slot.rows() == rows && slot.cols() == cols) continue;
    if (slot.rows() > rows || slot.cols() != cols) {
      throw ShapeError("optimizer: parameter '" + p.name + "' is now (" + std::to_string(rows) + ", " +
                       std::to_string(cols) + ") but its slots are (" + std::to_string(slot.rows()) + ", " +
                       std::to_string(slot.cols()) + "); a parameter may only gain rows between steps");
    }
    // A fresh table (huge pages where large), then the old rows: the new rows start as a new slot would.
    Tensor grown = NewTable(rows, cols, SlotInitialValue(static_cast<int>(k)));
    grown.topRows(slot.rows()) = slot;
    slot.swap(grown);
  }
}

size_t Optimizer::SlotBytes() const {
  size_t bytes = 0;
  for (const auto& entry : slots_) {
    for (const Tensor& t : entry.second.tensors) bytes += static_cast<size_t>(t.size()) * sizeof(float);
  }
  return bytes;
}

void Optimizer::Step(const ParameterList& params) {
  UpdateContext ctx{static_cast<float>(schedule_->Rate(iterations_)), iterations_ + 1, 0.0f, 0.0f};
  float* slot_ptrs[8];
  for (Parameter* p : params) {
    if (!p->trainable) continue;
    Slots& s = SlotsFor(*p);
    if (!s.tensors.empty() && s.tensors[0].rows() != p->value.rows()) GrowSlots(*p);  // a grown table
    const size_t nslots = s.tensors.size();
    ctx.l1 = static_cast<float>(p->l1);
    ctx.l2 = static_cast<float>(p->l2);
    const bool add_l2 = ctx.l2 != 0.0f && !HandlesL2();
    auto update = [&](Index offset, Index n) {
      float* w = p->value.data() + offset;
      float* g = p->grad.data() + offset;
      if (add_l2) {
        const float two_l2 = 2.0f * ctx.l2;
        for (Index i = 0; i < n; ++i) g[i] += two_l2 * w[i];
      }
      for (size_t k = 0; k < nslots; ++k) slot_ptrs[k] = s.tensors[k].data() + offset;
      UpdateSpan(w, g, slot_ptrs, n, ctx);
    };
    if (p->sparse_grad) {
      const Index cols = p->value.cols();
      const std::vector<Index>& rows = p->touched.rows();
      if (add_l2) {
        const float two_l2 = 2.0f * ctx.l2;
        for (Index r : rows) {
          for (Index j = 0; j < cols; ++j) p->grad(r, j) += two_l2 * p->value(r, j);
        }
      }
      for (size_t k = 0; k < nslots; ++k) slot_ptrs[k] = s.tensors[k].data();
      UpdateRows(p->value.data(), p->grad.data(), slot_ptrs, nslots, cols, rows, ctx);
    } else {
      update(0, p->value.size());
    }
  }
  ++iterations_;
}

void Optimizer::UpdateRows(float* w, float* g, float* const* slots, size_t nslots, Index cols,
                           const std::vector<Index>& rows, const UpdateContext& ctx) {
  float* row_slots[8];
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i + kPrefetchRows < rows.size()) {
      const Index ahead = rows[i + kPrefetchRows] * cols;
      __builtin_prefetch(w + ahead, 1);
      __builtin_prefetch(g + ahead, 1);
      for (size_t k = 0; k < nslots; ++k) __builtin_prefetch(slots[k] + ahead, 1);
    }
    const Index offset = rows[i] * cols;
    for (size_t k = 0; k < nslots; ++k) row_slots[k] = slots[k] + offset;
    UpdateSpan(w + offset, g + offset, row_slots, cols, ctx);
  }
}

void Optimizer::SaveState(StateWriter& out, const std::string& prefix) const {
  out.WriteScalar(prefix + "iterations", static_cast<double>(iterations_));
  const auto names = SlotNames();
  for (const auto& [name, param] : order_) {
    const Slots& s = slots_.at(param);
    for (size_t k = 0; k < names.size(); ++k) out.WriteTensor(prefix + name + "/" + names[k], s.tensors[k]);
  }
}

void Optimizer::LoadState(const StateReader& in, const ParameterList& params, const std::string& prefix) {
  iterations_ = static_cast<int64_t>(in.ReadScalar(prefix + "iterations"));
  const auto names = SlotNames();
  for (Parameter* p : params) {
    if (!p->trainable) continue;
    Slots& s = SlotsFor(*p);
    for (size_t k = 0; k < names.size(); ++k) {
      const std::string key = prefix + p->name + "/" + names[k];
      if (!in.Has(key)) continue;  // a slot never created (parameter not yet updated) stays at its initial value
      const Tensor& t = in.ReadTensor(key);
      if (t.rows() != p->value.rows() || t.cols() != p->value.cols()) {
        throw IoError("optimizer slot '" + key + "' has shape (" + std::to_string(t.rows()) + ", " +
                      std::to_string(t.cols()) + ") but the parameter is (" + std::to_string(p->value.rows()) + ", " +
                      std::to_string(p->value.cols()) + ")");
      }
      s.tensors[k] = t;
    }
  }
}

}  // namespace lever
