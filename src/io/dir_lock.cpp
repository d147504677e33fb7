#include "lever/io/dir_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lever/error.h"

namespace lever {
namespace {

// The pid the holder wrote into its lock file; 0 when it has not yet (or the file holds something else).
long PidInFile(int fd) {
  char text[32] = {};
  const ssize_t n = ::pread(fd, text, sizeof(text) - 1, 0);
  if (n <= 0) return 0;
  char* end = nullptr;
  const long pid = std::strtol(text, &end, 10);
  return pid > 0 && (*end == '\n' || *end == '\0') ? pid : 0;
}

}  // namespace

long FlockHolder(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  // Lines like "1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234567 0 EOF": the pid, then the device's major and
  // minor numbers in hex and the inode in decimal.
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    std::istringstream fields(line);
    std::string id, kind, mode, access, device;
    long pid = 0;
    if (!(fields >> id >> kind >> mode >> access >> pid >> device) || kind != "FLOCK") continue;
    unsigned major_number = 0, minor_number = 0;
    unsigned long inode = 0;
    if (std::sscanf(device.c_str(), "%x:%x:%lu", &major_number, &minor_number, &inode) != 3) continue;
    if (major_number == major(st.st_dev) && minor_number == minor(st.st_dev) && inode == st.st_ino && pid > 0)
      return pid;
  }
  return 0;
}

DirLock::DirLock(const std::string& directory, const std::string& file_name, const std::string& busy,
                 const std::string& remedy) {
  const bool on_file = !file_name.empty();
  path_ = on_file ? (std::filesystem::path(directory) / file_name).string() : directory;
  fd_ = on_file ? ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644)
                : ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) {
    const int error = errno;
    throw IoError("cannot open the lock " + std::string(on_file ? "file" : "directory") + " '" + path_ +
                  "': " + std::strerror(error) +
                  (error == ELOOP ? "; it is a symbolic link, which lever does not follow: remove it"
                                  : "; check that the directory exists and is writable"));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    // /proc/locks knows; the file only tells what its last lever writer wrote (a process that locks it
    // otherwise, flock(1) say, leaves an earlier pid there), so it is the fallback, and only a live pid.
    long holder = FlockHolder(path_);
    if (holder == 0 && on_file) holder = PidInFile(fd_);
    if (holder > 0 && ::kill(static_cast<pid_t>(holder), 0) != 0 && errno == ESRCH) holder = 0;
    ::close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK) {
      throw IoError("cannot lock '" + path_ + "': " + std::strerror(error) +
                    "; use a local directory whose file system supports flock");
    }
    throw ConfigError(busy + ": " + (holder > 0 ? "pid " + std::to_string(holder) : std::string("a process")) +
                      " holds " + path_ + "; " + remedy);
  }
  if (on_file) {
    // For the message a refused process prints; the lock itself is the flock.
    const std::string pid = std::to_string(::getpid()) + "\n";
    const bool written =
        ::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
    (void)written;  // unwritten, a refused writer's message falls back on FlockHolder
  }
}

DirLock::~DirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace lever
