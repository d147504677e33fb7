#include "lever/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "lever/error.h"
#include "lever/io/text_file.h"

namespace lever {
namespace {

IoError SystemError(const std::string& what, const std::string& path, int error) {
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

}  // namespace

void SyncDirectory(const std::string& directory) {
  FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) throw SystemError("open directory", directory, errno);
  if (::fsync(fd.get()) != 0) throw SystemError("fsync directory", directory, errno);
}

void WriteFileAtomically(const std::string& path, std::string_view bytes) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  try {
    FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
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

}  // namespace lever
