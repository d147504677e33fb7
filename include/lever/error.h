#pragma once
// Errors lever throws. Every message names where, shows the offending values and says what to do.
#include <sstream>
#include <stdexcept>
#include <string>

namespace lever {

/// A number as a user would type it (0.1, 1e-05, 3), for error messages.
inline std::string FormatValue(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

/// Base of every exception lever throws.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message), message_(message) {}
  Error(const std::string& kind, const std::string& message)
      : std::runtime_error(kind + ": " + message), message_(message) {}
  /// The message without the "ConfigError: " prefix, for wrapping into another error.
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

/// A knob or configuration value is invalid (unknown name, out-of-range number, empty layer, ...).
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error("ConfigError", message) {}
};

/// Input data is malformed or inconsistent with what the model expects.
class DataError : public Error {
 public:
  explicit DataError(const std::string& message) : Error("DataError", message) {}
};

/// Tensor shapes do not fit together when a graph is built.
class ShapeError : public Error {
 public:
  explicit ShapeError(const std::string& message) : Error("ShapeError", message) {}
};

/// Reading or writing a file failed.
class IoError : public Error {
 public:
  explicit IoError(const std::string& message) : Error("IoError", message) {}
};

/// Training produced a non-finite loss or gradient.
class DivergenceError : public Error {
 public:
  DivergenceError(const std::string& message, long step) : Error("DivergenceError", message), step_(step) {}
  long step() const { return step_; }

 private:
  long step_;
};

}  // namespace lever
