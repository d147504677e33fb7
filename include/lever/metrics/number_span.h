#pragma once
// A read-only view of numbers stored as float, double, int32 or int64, so every metric takes model
// outputs (float), reference data (double) and class ids (integers) without a copy or an overload per type.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <ranges>
#include <type_traits>

namespace lever {

/// Non-owning: it views a std::vector, std::span or std::array that must outlive it (pass it straight
/// into a metric). Default-constructed, it is empty, which metrics read as "not given" for weights.
class NumberSpan {
 public:
  NumberSpan() = default;

  template <std::ranges::contiguous_range Range>
  requires std::ranges::sized_range<Range> &&
      (std::same_as<std::remove_cv_t<std::ranges::range_value_t<Range>>, float> ||
       std::same_as<std::remove_cv_t<std::ranges::range_value_t<Range>>, double> ||
       std::same_as<std::remove_cv_t<std::ranges::range_value_t<Range>>, int32_t> ||
       std::same_as<std::remove_cv_t<std::ranges::range_value_t<Range>>, int64_t>)
          NumberSpan(const Range& values)  // NOLINT(google-explicit-constructor): a view converts implicitly
      : data_(std::ranges::data(values)), size_(std::ranges::size(values)) {
    using Value = std::remove_cv_t<std::ranges::range_value_t<Range>>;
    if constexpr (std::same_as<Value, float>)
      type_ = Type::kFloat;
    else if constexpr (std::same_as<Value, double>)
      type_ = Type::kDouble;
    else if constexpr (std::same_as<Value, int32_t>)
      type_ = Type::kInt32;
    else
      type_ = Type::kInt64;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  /// Element i as a double (exact for float and int32; int64 beyond 2^53 rounds).
  double operator[](size_t i) const {
    switch (type_) {
      case Type::kFloat:
        return static_cast<const float*>(data_)[i];
      case Type::kDouble:
        return static_cast<const double*>(data_)[i];
      case Type::kInt32:
        return static_cast<const int32_t*>(data_)[i];
      case Type::kInt64:
        return static_cast<double>(static_cast<const int64_t*>(data_)[i]);
    }
    return 0.0;
  }

 private:
  enum class Type { kFloat, kDouble, kInt32, kInt64 };
  const void* data_ = nullptr;
  size_t size_ = 0;
  Type type_ = Type::kDouble;
};

}  // namespace lever
