#pragma once
// Small configuration files (YAML) read whole, and the directory their relative paths resolve against.
#include <string>

namespace lever {

/// The whole of a plain text file. Throws IoError "cannot open <what> '<path>': <reason>; check the path" when it
/// cannot be opened, "'<path>' is a directory, not a <what>" for a directory, and an IoError when reading
/// fails.
std::string ReadTextFile(const std::string& path, const std::string& what);

/// The directory `path` is in ("." for a bare file name).
std::string DirectoryOf(const std::string& path);

}  // namespace lever
