#pragma once
// What the fuzz targets share: the input as a file for the parsers that read one, and the rule that a
// lever::Error is the expected end of bad input (anything else escaping, a crash, a leak or a hang is a
// finding).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace lever::fuzz {

/// The input as text.
inline std::string_view AsText(const uint8_t* data, size_t size) { return {reinterpret_cast<const char*>(data), size}; }

/// A scratch directory of this process (under TMPDIR), created on first use.
inline const std::filesystem::path& ScratchDirectory() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path d = std::filesystem::temp_directory_path() / ("lever_fuzz_" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

/// Writes the input to `name` in the scratch directory (replacing what the last input wrote) and returns
/// its path.
inline std::string WriteInput(std::string_view bytes, const std::string& name) {
  const std::filesystem::path path = ScratchDirectory() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  return path.string();
}

}  // namespace lever::fuzz
