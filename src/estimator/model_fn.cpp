#include "lever/estimator/model_fn.h"

#include <charconv>
#include <cstdio>
#include <functional>

#include "lever/error.h"
#include "lever/nn/initializer.h"

namespace lever {

const char* ModeName(Mode mode) {
  switch (mode) {
    case Mode::kTrain:
      return "train";
    case Mode::kEval:
      return "eval";
    case Mode::kPredict:
      return "predict";
  }
  return "?";
}

void Params::Set(const std::string& name, double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  values_[name] = buffer;
}

std::string Params::GetString(const std::string& name, const std::string& fallback) const {
  const auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

double Params::GetDouble(const std::string& name, double fallback) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  double v = 0.0;
  const char* end = it->second.data() + it->second.size();
  const auto [ptr, ec] = std::from_chars(it->second.data(), end, v);
  if (ec != std::errc() || ptr != end) {
    throw ConfigError("parameter '" + name + "' is '" + it->second + "', expected a number");
  }
  return v;
}

int64_t Params::GetInt(const std::string& name, int64_t fallback) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return fallback;
  int64_t v = 0;
  const char* end = it->second.data() + it->second.size();
  const auto [ptr, ec] = std::from_chars(it->second.data(), end, v);
  if (ec != std::errc() || ptr != end) {
    throw ConfigError("parameter '" + name + "' is '" + it->second + "', expected a whole number");
  }
  return v;
}

ModelFnContext::ModelFnContext(Mode mode, Graph& graph, FeatureInputs inputs, Var label_input, const Params& params,
                               ParameterStore& store, uint64_t seed, std::vector<Sequential*>* models)
    : features(std::move(inputs)),
      labels(label_input),
      mode_(mode),
      graph_(graph),
      params_(params),
      store_(store),
      seed_(seed),
      models_(models) {}

Parameter& ModelFnContext::GetOrCreate(const std::string& name, Index rows, Index cols, const std::string& initializer,
                                       Regularizer regularizer, bool sparse) {
  Parameter* p = store_.Find(name);
  if (!p) {
    if (rows <= 0 || cols <= 0) {
      throw ConfigError("variable '" + name + "' needs a positive shape, got " + std::to_string(rows) + " x " +
                        std::to_string(cols));
    }
    p = &store_.Create(name, rows, cols);
    // Seeded by name, so adding a variable does not change the others' initial values.
    uint64_t name_hash = 14695981039346656037ULL;  // FNV-1a: the same on every platform, unlike std::hash
    for (const char c : name) name_hash = (name_hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    Rng rng = Rng::Stream(seed_, name_hash, 0x5EEDULL);
    Initialize(initializer, p->value, rng);
    p->l1 = regularizer.l1;
    p->l2 = regularizer.l2;
    p->sparse_grad = sparse;
  } else if (p->value.rows() != rows || p->value.cols() != cols) {
    throw ConfigError("variable '" + name + "' was created " + std::to_string(p->value.rows()) + " x " +
                      std::to_string(p->value.cols()) + " and is asked for as " + std::to_string(rows) + " x " +
                      std::to_string(cols) + ": a model function must build the same variables in every mode");
  } else if (p->sparse_grad != sparse) {
    throw ConfigError("variable '" + name + "' was created " + (p->sparse_grad ? "sparse" : "dense") +
                      " and is asked for as " + (sparse ? "sparse" : "dense"));
  }
  return *p;
}

Var ModelFnContext::Variable(const std::string& name, Index rows, Index cols, const std::string& initializer,
                             Regularizer regularizer) {
  Parameter& p = GetOrCreate(name, rows, cols, initializer, regularizer, false);
  return graph_.Bind(name, &p.value, training() && p.trainable ? &p.grad : nullptr);
}

Var ModelFnContext::SparseVariable(const std::string& name, Index rows, Index cols, const std::string& initializer,
                                   Regularizer regularizer) {
  Parameter& p = GetOrCreate(name, rows, cols, initializer, regularizer, true);
  const bool grad = training() && p.trainable;
  return graph_.Bind(name, &p.value, grad ? &p.grad : nullptr, grad ? &p.touched : nullptr);
}

Var ModelFnContext::Apply(Sequential& model, const Var& input) {
  if (!model.built()) model.Build(input.cols(), seed_);
  if (model.input_units() != input.cols()) {
    throw ConfigError("model '" + model.name() + "' was built for " + std::to_string(model.input_units()) +
                      " inputs and is applied to " + std::to_string(input.cols()));
  }
  bool known = false;
  for (const Sequential* m : *models_) known = known || m == &model;
  if (!known) models_->push_back(&model);
  return model.Apply(input, LayerContext{training(), taps_});
}

}  // namespace lever
