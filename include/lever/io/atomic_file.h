#pragma once
// Durable file replacement: a reader (or a process that starts after a crash) sees either the old
// content or all of the new, never a mix or a prefix. Writes into a model, job or bundle directory never
// follow a symbolic link: a link there that points elsewhere is refused, so lever cannot be led to
// overwrite or append to a file outside the directory.
#include <string>
#include <string_view>
#include <vector>

namespace lever {

/// Writes `bytes` to `path` atomically and durably: writes a temporary file in the same directory
/// (`<path>.tmp.<pid>`, created exclusively and never through a link), fsyncs it, renames it over `path`,
/// then fsyncs the directory so the rename itself survives a power loss. The temporary file is removed
/// when any step fails. Throws IoError naming the path, the failing step and the system's reason, also
/// when `path` is a symbolic link (it is neither followed nor replaced).
void WriteFileAtomically(const std::string& path, std::string_view bytes);

/// Appends `bytes` to `path` (creating it) in one write() per chunk, never through a symbolic link.
/// Throws IoError naming the path and the system's reason.
void AppendToFile(const std::string& path, std::string_view bytes);

/// A file the user named as an output (lever predict --output, curve files): written atomically as
/// WriteFileAtomically does, so a full disk leaves any earlier file whole and no truncated one. A symbolic
/// link the user gave is followed (the file it names is replaced), and a path that is not a regular file
/// (/dev/stdout, a FIFO) is written in place. Throws IoError naming the path.
void WriteOutputFile(const std::string& path, std::string_view bytes);

/// Throws ConfigError when `output` names the same file as one of `inputs` (the same path, or the same
/// device and inode through another name or a link): writing it would destroy the input. `flag` names
/// the output's flag in the message; empty inputs are skipped.
void CheckOutputIsNotAnInput(const std::string& output, const std::string& flag,
                             const std::vector<std::string>& inputs);

/// Which temporaries RemoveStaleTemporaries removes: in a directory lever owns (a model directory) both
/// kinds; beside a bundle, in a directory of the user's, only the bundles' hidden directories.
enum class StaleTemporaries { kFilesAndDirectories, kDirectoriesOnly };

/// Removes what a killed process left in `directory`: files `<name>.tmp.<pid>` (WriteFileAtomically) and
/// directories `.<name>.tmp-<pid>` (bundles being written) whose pid is no running process on this
/// machine. A running pid's are kept (it may still be writing them), and so is anything else. Call it
/// while holding the directory's DirLock (lever/io/dir_lock.h). Best effort: what cannot be removed stays.
/// Returns the number removed.
int RemoveStaleTemporaries(const std::string& directory,
                           StaleTemporaries which = StaleTemporaries::kFilesAndDirectories);

/// Fsyncs a directory, making the creation, renaming or removal of files in it durable. Throws IoError.
void SyncDirectory(const std::string& directory);

}  // namespace lever
