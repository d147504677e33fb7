#include "lever/io/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "lever/error.h"
#include "lever/io/text_file.h"

namespace lever {
namespace {

namespace fs = std::filesystem;

IoError SystemError(const std::string& what, const std::string& path, int error) {
  if (error == ELOOP) {
    return IoError("cannot " + what + " '" + path +
                   "': it is a symbolic link, and lever does not write through links (it could overwrite a file "
                   "elsewhere); remove the link");
  }
  return IoError("cannot " + what + " '" + path + "': " + std::strerror(error) +
                 "; check that the directory exists, is writable and has free space");
}

// Closes on scope exit; the explicit Close() reports the error close() can return after a write.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int Close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

void WriteAll(int fd, std::string_view bytes, const std::string& path) {
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SystemError("write", path, errno);
    }
    written += static_cast<size_t>(n);
  }
}

bool IsSymlink(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

// Creates `path` for writing, exclusively and not through a link. A file of that name is what an earlier
// process with this pid left (pids are reused): it is removed (a link itself, not its target) first.
int CreateExclusively(const std::string& path) {
  constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::open(path.c_str(), kFlags, 0644);
  if (fd < 0 && errno == EEXIST && ::unlink(path.c_str()) == 0) fd = ::open(path.c_str(), kFlags, 0644);
  return fd;
}

// The pid at the end of a temporary's name: "<name>.tmp.<pid>" for files, ".<name>.tmp-<pid>" for
// directories; 0 for any other name.
long TemporaryPid(const std::string& name, bool directory) {
  const std::string marker = directory ? ".tmp-" : ".tmp.";
  const size_t at = name.rfind(marker);
  if (at == std::string::npos || at == 0 || (directory && name[0] != '.')) return 0;
  const std::string digits = name.substr(at + marker.size());
  if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stol(digits);
}

bool ProcessIsRunning(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH; }

}  // namespace

void SyncDirectory(const std::string& directory) {
  FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) throw SystemError("open directory", directory, errno);
  if (::fsync(fd.get()) != 0) throw SystemError("fsync directory", directory, errno);
}

void WriteFileAtomically(const std::string& path, std::string_view bytes) {
  if (IsSymlink(path)) throw SystemError("write", path, ELOOP);
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  try {
    FileDescriptor fd(CreateExclusively(temporary));
    if (fd.get() < 0) throw SystemError("create", temporary, errno);
    WriteAll(fd.get(), bytes, temporary);
    if (::fsync(fd.get()) != 0) throw SystemError("fsync", temporary, errno);
    if (fd.Close() != 0) throw SystemError("close", temporary, errno);
    if (std::rename(temporary.c_str(), path.c_str()) != 0) throw SystemError("rename a file to", path, errno);
  } catch (...) {
    std::remove(temporary.c_str());
    throw;
  }
  SyncDirectory(DirectoryOf(path));
}

void AppendToFile(const std::string& path, std::string_view bytes) {
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (fd.get() < 0) throw SystemError("open", path, errno);
  WriteAll(fd.get(), bytes, path);
  if (fd.Close() != 0) throw SystemError("close", path, errno);
}

void WriteOutputFile(const std::string& path, std::string_view bytes) {
  std::error_code error;
  std::string target = path;
  if (IsSymlink(path)) {
    target = fs::weakly_canonical(path, error).string();
    if (error) throw IoError("cannot follow the link '" + path + "': " + error.message());
  }
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) throw IoError("cannot write '" + path + "': it is a directory; name a file");
    FileDescriptor fd(::open(target.c_str(), O_WRONLY | O_CLOEXEC));
    if (fd.get() < 0) throw SystemError("open", path, errno);
    WriteAll(fd.get(), bytes, path);
    if (fd.Close() != 0) throw SystemError("close", path, errno);
    return;
  }
  WriteFileAtomically(target, bytes);
}

void CheckOutputIsNotAnInput(const std::string& output, const std::string& flag,
                             const std::vector<std::string>& inputs) {
  if (output.empty()) return;
  std::error_code error;
  const fs::path out = fs::weakly_canonical(output, error);
  for (const std::string& input : inputs) {
    if (input.empty()) continue;
    std::error_code ignored;
    const bool same = (!error && out == fs::weakly_canonical(input, ignored)) || fs::equivalent(output, input, ignored);
    if (same) {
      throw ConfigError(flag + " " + output + " is the input file " + input +
                        "; writing it would destroy the input: name another output file");
    }
  }
}

int RemoveStaleTemporaries(const std::string& directory, StaleTemporaries which) {
  std::error_code error;
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    std::error_code ignored;
    const bool is_directory = entry.is_directory(ignored) && !entry.is_symlink(ignored);
    if (!is_directory && which == StaleTemporaries::kDirectoriesOnly) continue;
    const long pid = TemporaryPid(name, is_directory);
    if (pid > 0 && !ProcessIsRunning(pid)) stale.push_back(entry.path());
  }
  int removed = 0;
  for (const fs::path& path : stale) {
    std::error_code ignored;
    if (fs::remove_all(path, ignored) > 0 && !ignored) ++removed;
  }
  return removed;
}

}  // namespace lever
