#pragma once
// A directory as a zip archive in memory (libarchive): what `lever playground` sends when the page exports
// a run.
#include <filesystem>
#include <string>

namespace lever::cli {

/// The regular files under `directory` (links and other kinds left out), in name order, as a zip archive
/// whose entries are named `prefix/<path below directory>`. Throws IoError naming the file that cannot be
/// read or the archive's error.
std::string ZipDirectory(const std::filesystem::path& directory, const std::string& prefix);

}  // namespace lever::cli
