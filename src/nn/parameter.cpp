#include "lever/nn/parameter.h"

#include "lever/error.h"
#include "lever/memory_limit.h"
#include "lever/tensor/memory.h"

namespace lever {
namespace {
// A variable and its gradient, float each, both allocated here (optimizer slots come on top, some lazily: not
// counted, so a model that fits is never refused).
constexpr double kBytesPerNumber = 2 * sizeof(float);
}  // namespace

Index Parameter::CountNonzero() const { return (value.array() != 0.0f).count(); }

Parameter& ParameterStore::Create(const std::string& name, Index rows, Index cols) {
  if (Find(name) != nullptr) throw ConfigError("parameter '" + name + "' already exists; layer names must be unique");
  if (rows <= 0 || cols <= 0) {
    throw ShapeError("parameter '" + name + "' needs a positive shape, got (" + std::to_string(rows) + ", " +
                     std::to_string(cols) + ")");
  }
  // Every model's variables come through here: the input decides their sizes (hidden_units, hash buckets,
  // the feature space), so a model that cannot fit is an error naming it before anything is allocated.
  const double numbers = static_cast<double>(TotalSize()) + static_cast<double>(rows) * static_cast<double>(cols);
  CheckFitsInMemory(numbers * kBytesPerNumber,
                    "variable '" + name + "' (" + std::to_string(rows) + " x " + std::to_string(cols) +
                        ") brings the model to " + FormatValue(numbers) + " numbers, which with their gradients",
                    "make the model smaller (hidden_units, hash_buckets, an embedding's dimension, the number of "
                    "features), or raise LEVER_MEMORY_LIMIT if the machine has more");
  auto p = std::make_unique<Parameter>();
  p->name = name;
  p->value = NewTable(rows, cols);
  p->grad = NewTable(rows, cols);
  p->touched.Reset(rows);
  params_.push_back(std::move(p));
  return *params_.back();
}

Parameter* ParameterStore::Find(const std::string& name) {
  for (auto& p : params_) {
    if (p->name == name) return p.get();
  }
  return nullptr;
}

const Parameter* ParameterStore::Find(const std::string& name) const {
  for (const auto& p : params_) {
    if (p->name == name) return p.get();
  }
  return nullptr;
}

ParameterList ParameterStore::Trainable() const {
  ParameterList out;
  for (const auto& p : params_) {
    if (p->trainable) out.push_back(p.get());
  }
  return out;
}

ParameterList ParameterStore::All() const {
  ParameterList out;
  for (const auto& p : params_) out.push_back(p.get());
  return out;
}

Index ParameterStore::TotalSize() const {
  Index n = 0;
  for (const auto& p : params_) n += p->size();
  return n;
}

Index ParameterStore::TrainableSize() const {
  Index n = 0;
  for (const auto& p : params_) {
    if (p->trainable) n += p->size();
  }
  return n;
}

bool IsKernelName(const std::string& name) { return name.ends_with("/kernel") || name.ends_with("/weights"); }

double RegularizationPenalty(const ParameterList& parameters) {
  double total = 0.0;
  for (const Parameter* p : parameters) {
    if (p->l1 != 0.0) total += p->l1 * static_cast<double>(p->value.cwiseAbs().sum());
    if (p->l2 != 0.0) total += p->l2 * static_cast<double>(p->value.squaredNorm());
  }
  return total;
}

}  // namespace lever
