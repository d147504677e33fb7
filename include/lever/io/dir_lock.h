#pragma once
// One writer per directory: an exclusive flock held while a process writes a model directory, a study or a
// bundle's parent. The kernel drops the lock when its holder dies, however it dies (SIGKILL included), so
// a killed writer never leaves the directory locked. Readers (lever eval, lever predict) take no lock.
//
//   const DirLock lock(model_dir, "lever.lock", "another lever process is writing the model directory '" +
//                      model_dir + "'", "wait for it to end, or stop it, then run again");
#include <string>

namespace lever {

class DirLock {
 public:
  /// Takes the lock without waiting, on `<directory>/<file_name>` (created when missing, the holder's pid
  /// written into it) or, with an empty `file_name`, on the directory itself (no file is created). When
  /// another process holds it, throws ConfigError "<busy>: pid N holds <lock>; <remedy>" (the pid as
  /// /proc/locks tells it, else the lock file if that pid runs; "a process" when neither does). Throws IoError naming
  /// the path when the directory or file cannot be opened, or is a symbolic link.
  DirLock(const std::string& directory, const std::string& file_name, const std::string& busy,
          const std::string& remedy);
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

  /// The locked file or directory.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

/// The pid of a process holding a flock on the file or directory `path`, as /proc/locks lists it; 0 when
/// none is listed (or /proc/locks cannot be read).
long FlockHolder(const std::string& path);

}  // namespace lever
