#include "lever/tune/space.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "lever/error.h"
#include "lever/io/excerpt.h"

namespace lever::tune {

double ScaleToUnit(ScaleType scale, double lo, double hi, double value) {
  if (!(hi > lo)) return 0.5;
  double u = 0.0;
  switch (scale) {
    case ScaleType::kLog:
      u = (std::log(value) - std::log(lo)) / (std::log(hi) - std::log(lo));
      break;
    case ScaleType::kReverseLog:
      u = 1.0 - (std::log(hi + lo - value) - std::log(lo)) / (std::log(hi) - std::log(lo));
      break;
    case ScaleType::kLinear:
    case ScaleType::kNone:
      u = (value - lo) / (hi - lo);
      break;
  }
  return u;
}

double ScaleFromUnit(ScaleType scale, double lo, double hi, double u) {
  if (!(hi > lo)) return lo;
  // The ends map exactly, whatever exp and log round to.
  if (u <= 0.0) return lo;
  if (u >= 1.0) return hi;
  double v = 0.0;
  switch (scale) {
    case ScaleType::kLog:
      v = std::exp(std::log(lo) + u * (std::log(hi) - std::log(lo)));
      break;
    case ScaleType::kReverseLog:
      v = hi + lo - lo * std::exp((1.0 - u) * (std::log(hi) - std::log(lo)));
      break;
    case ScaleType::kLinear:
    case ScaleType::kNone:
      v = lo + u * (hi - lo);
      break;
  }
  return std::clamp(v, lo, hi);
}

namespace {

std::string ShortestText(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

}  // namespace

SearchSpace::SearchSpace(std::vector<ParameterSpec> params) : params_(std::move(params)) {
  ValidateParameters(params_);
  for (ParameterSpec& p : params_) {
    // A numeric parameter without a scale is linear (Cloud ML's NONE).
    if (p.type != ParameterType::kCategorical && p.scale == ScaleType::kNone) p.scale = ScaleType::kLinear;
    if (p.type == ParameterType::kDiscrete) {
      p.min_value = p.discrete_values.front();
      p.max_value = p.discrete_values.back();
    }
    if (p.type == ParameterType::kCategorical) {
      p.min_value = 0.0;
      p.max_value = static_cast<double>(p.categorical_values.size() - 1);
    }
    offsets_.push_back(encoded_dimension_);
    encoded_dimension_ += p.type == ParameterType::kCategorical ? static_cast<int>(p.categorical_values.size()) : 1;
    std::vector<double> unit;
    for (const double v : p.discrete_values) unit.push_back(ScaleToUnit(p.scale, p.min_value, p.max_value, v));
    discrete_u_.push_back(std::move(unit));
  }
}

double SearchSpace::ToUnit(int i, double value) const {
  const ParameterSpec& p = parameter(i);
  switch (p.type) {
    case ParameterType::kInteger:
      return ScaleToUnit(p.scale, p.min_value - 0.5, p.max_value + 0.5, value);
    case ParameterType::kCategorical:
      return (value + 0.5) / static_cast<double>(p.categorical_values.size());
    case ParameterType::kDouble:
    case ParameterType::kDiscrete:
      break;
  }
  return ScaleToUnit(p.scale, p.min_value, p.max_value, value);
}

double SearchSpace::FromUnit(int i, double u) const {
  const ParameterSpec& p = parameter(i);
  u = std::isnan(u) ? 0.5 : std::clamp(u, 0.0, 1.0);
  switch (p.type) {
    case ParameterType::kDouble:
      return ScaleFromUnit(p.scale, p.min_value, p.max_value, u);
    case ParameterType::kInteger: {
      const double relaxed = ScaleFromUnit(p.scale, p.min_value - 0.5, p.max_value + 0.5, u);
      // Cells are half-open, [k - 0.5, k + 0.5): floor(x + 0.5) rounds halves up, and the top end
      // (u = 1) belongs to the largest value.
      return std::clamp(std::floor(relaxed + 0.5), p.min_value, p.max_value);
    }
    case ParameterType::kDiscrete: {
      const std::vector<double>& unit = discrete_u_[static_cast<size_t>(i)];
      const auto above = std::lower_bound(unit.begin(), unit.end(), u);
      size_t index = static_cast<size_t>(above - unit.begin());
      if (index == unit.size() || (index > 0 && u - unit[index - 1] <= *above - u)) --index;
      return p.discrete_values[index];
    }
    case ParameterType::kCategorical: {
      const double k = static_cast<double>(p.categorical_values.size());
      return std::min(std::floor(u * k), k - 1.0);
    }
  }
  return 0.0;
}

Eigen::VectorXd SearchSpace::Encode(const Assignment& assignment) const {
  Check(assignment);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(encoded_dimension_);
  for (int i = 0; i < size(); ++i) {
    const double v = assignment[static_cast<size_t>(i)];
    if (parameter(i).type == ParameterType::kCategorical) {
      x(offsets_[static_cast<size_t>(i)] + static_cast<int>(v)) = 1.0;
    } else {
      x(offsets_[static_cast<size_t>(i)]) = ToUnit(i, v);
    }
  }
  return x;
}

Assignment SearchSpace::Decode(const Eigen::VectorXd& encoded) const {
  if (encoded.size() != encoded_dimension_) {
    throw ShapeError("SearchSpace::Decode: expected " + std::to_string(encoded_dimension_) + " coordinates, got " +
                     std::to_string(encoded.size()));
  }
  Assignment assignment(params_.size());
  for (int i = 0; i < size(); ++i) {
    const int offset = offsets_[static_cast<size_t>(i)];
    if (parameter(i).type == ParameterType::kCategorical) {
      const int k = static_cast<int>(parameter(i).categorical_values.size());
      int best = 0;
      for (int j = 1; j < k; ++j) {
        if (encoded(offset + j) > encoded(offset + best)) best = j;
      }
      assignment[static_cast<size_t>(i)] = best;
    } else {
      assignment[static_cast<size_t>(i)] = FromUnit(i, encoded(offset));
    }
  }
  return assignment;
}

Assignment SearchSpace::Sample(Rng& rng) const {
  Assignment assignment(params_.size());
  for (int i = 0; i < size(); ++i) {
    const ParameterSpec& p = parameter(i);
    double v = 0.0;
    switch (p.type) {
      case ParameterType::kDouble:
      case ParameterType::kInteger:
        v = FromUnit(i, rng.Uniform());
        break;
      case ParameterType::kDiscrete:
        v = p.discrete_values[rng.UniformInt(p.discrete_values.size())];
        break;
      case ParameterType::kCategorical:
        v = static_cast<double>(rng.UniformInt(p.categorical_values.size()));
        break;
    }
    assignment[static_cast<size_t>(i)] = v;
  }
  return assignment;
}

void SearchSpace::Check(const Assignment& assignment) const {
  if (assignment.size() != params_.size()) {
    throw ConfigError("an assignment has " + std::to_string(assignment.size()) + " values but the study has " +
                      std::to_string(params_.size()) + " parameters");
  }
  for (int i = 0; i < size(); ++i) {
    const ParameterSpec& p = parameter(i);
    const double v = assignment[static_cast<size_t>(i)];
    bool ok = std::isfinite(v);
    switch (p.type) {
      case ParameterType::kDouble:
        ok = ok && v >= p.min_value && v <= p.max_value;
        break;
      case ParameterType::kInteger:
      case ParameterType::kCategorical:
        ok = ok && v == std::round(v) && v >= p.min_value && v <= p.max_value;
        break;
      case ParameterType::kDiscrete:
        ok = ok && std::binary_search(p.discrete_values.begin(), p.discrete_values.end(), v);
        break;
    }
    if (!ok) {
      throw ConfigError("parameter '" + p.name + "' (" + ToString(p.type) + ") has no value " + FormatValue(v) +
                        " in the search space");
    }
  }
}

std::string SearchSpace::ValueText(int i, double value) const {
  const ParameterSpec& p = parameter(i);
  switch (p.type) {
    case ParameterType::kInteger:
      return std::to_string(static_cast<long long>(std::llround(value)));
    case ParameterType::kCategorical:
      return p.categorical_values.at(static_cast<size_t>(value));
    case ParameterType::kDouble:
    case ParameterType::kDiscrete:
      break;
  }
  return ShortestText(value);
}

double SearchSpace::ParseValue(int i, const std::string& text) const {
  const ParameterSpec& p = parameter(i);
  double v = std::numeric_limits<double>::quiet_NaN();
  if (p.type == ParameterType::kCategorical) {
    const auto it = std::find(p.categorical_values.begin(), p.categorical_values.end(), text);
    if (it != p.categorical_values.end()) v = static_cast<double>(it - p.categorical_values.begin());
  } else {
    const char* end = text.data() + text.size();
    const auto result = std::from_chars(text.data(), end, v);
    if (result.ec != std::errc() || result.ptr != end) v = std::numeric_limits<double>::quiet_NaN();
  }
  Assignment probe(params_.size());
  for (int j = 0; j < size(); ++j) probe[static_cast<size_t>(j)] = parameter(j).min_value;
  probe[static_cast<size_t>(i)] = v;
  try {
    Check(probe);
  } catch (const ConfigError&) {
    throw ConfigError("parameter '" + p.name + "' (" + ToString(p.type) + ") has no value " + QuoteExcerpt(text) +
                      " in the search space; was the study spec changed since the trial ran?");
  }
  return v;
}

std::vector<std::string> SearchSpace::Flags(const Assignment& assignment) const {
  Check(assignment);
  std::vector<std::string> flags;
  for (int i = 0; i < size(); ++i) {
    flags.push_back("--" + parameter(i).name + "=" + ValueText(i, assignment[static_cast<size_t>(i)]));
  }
  return flags;
}

std::string SearchSpace::Describe(const Assignment& assignment) const {
  Check(assignment);
  std::string out;
  for (int i = 0; i < size(); ++i) {
    out += (i > 0 ? ", " : "") + parameter(i).name + "=" + ValueText(i, assignment[static_cast<size_t>(i)]);
  }
  return out;
}

}  // namespace lever::tune
