#pragma once
// Durable file replacement: a reader (or a process that starts after a crash) sees either the old
// content or all of the new, never a mix or a prefix.
#include <string>
#include <string_view>

namespace lever {

/// Writes `bytes` to `path` atomically and durably: writes a temporary file in the same directory
/// (`<path>.tmp.<pid>`), fsyncs it, renames it over `path`, then fsyncs the directory so the rename
/// itself survives a power loss. The temporary file is removed when any step fails. Throws IoError
/// naming the path, the failing step and the system's reason.
void WriteFileAtomically(const std::string& path, std::string_view bytes);

/// Fsyncs a directory, making the creation, renaming or removal of files in it durable. Throws IoError.
void SyncDirectory(const std::string& directory);

}  // namespace lever
