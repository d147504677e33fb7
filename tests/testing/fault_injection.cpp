// LD_PRELOAD shim for crash and fault tests: LEVER_FAULT="CALL:N:ACTION[,CALL:N:ACTION...]" makes the Nth
// call (counted from 1 in this process) to CALL do ACTION instead of its work. ACTION is kill (SIGKILL before
// the call: the process dies with the file half done), or an errno name (ENOSPC, EIO, EDQUOT, EACCES, EROFS)
// that the call fails with.
//
// CALL is write, fsync, rename, unlink or remove (std::filesystem::remove), each counted alone; LEVER_FAULT_PATH,
// when set, counts only rename, unlink and remove calls whose path contains it (write and fsync are always
// counted). The resume test chooses its kill points this way, by call count, not by time.
//
// CALL io counts every call that writes or commits a file, together: write, pwrite, pwrite64, writev, fsync,
// fdatasync, close of a descriptor open for writing, rename, renameat and renameat2; with LEVER_FAULT_PATH only
// those whose file (a descriptor's, through /proc/self/fd) or either rename path contains it, and never
// standard input, output or error, nor a forked child's calls before it execs (a subprocess's redirections). A failed
// close still closes the descriptor, as Linux's does. LEVER_FAULT_LOG=FILE appends one line per counted io call to
// FILE, "N CALL PATH", so a test can count the calls of a clean run and then fail each in turn.
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

enum Call { kWrite, kFsync, kRename, kUnlink, kRemove, kIo, kCalls };
const char* const kNames[kCalls] = {"write", "fsync", "rename", "unlink", "remove", "io"};

struct Fault {
  long at = 0;    // 0: none
  int error = 0;  // 0: kill
};

Fault faults[kCalls];
std::atomic<long> counts[kCalls];
std::atomic<bool> parsed{false};
pid_t counting_pid = 0;  // a forked child shares the counts until it execs: its calls are not this process's

int ErrorNumber(const char* name) {
  if (std::strcmp(name, "ENOSPC") == 0) return ENOSPC;
  if (std::strcmp(name, "EIO") == 0) return EIO;
  if (std::strcmp(name, "EDQUOT") == 0) return EDQUOT;
  if (std::strcmp(name, "EACCES") == 0) return EACCES;
  if (std::strcmp(name, "EROFS") == 0) return EROFS;
  return -1;
}

void Parse() {
  counting_pid = getpid();
  const char* spec = std::getenv("LEVER_FAULT");
  if (spec != nullptr) {
    char buffer[512];
    std::snprintf(buffer, sizeof(buffer), "%s", spec);
    char* save = nullptr;
    for (char* item = strtok_r(buffer, ",", &save); item != nullptr; item = strtok_r(nullptr, ",", &save)) {
      char call[32], action[32];
      long at = 0;
      if (std::sscanf(item, "%31[a-z]:%ld:%31[A-Za-z]", call, &at, action) != 3 || at < 1) {
        std::fprintf(stderr, "fault_injection: bad LEVER_FAULT item '%s'\n", item);
        std::abort();
      }
      int which = -1;
      for (int c = 0; c < kCalls; ++c) {
        if (std::strcmp(call, kNames[c]) == 0) which = c;
      }
      const int error = std::strcmp(action, "kill") == 0 ? 0 : ErrorNumber(action);
      if (which < 0 || error < 0) {
        std::fprintf(stderr, "fault_injection: bad LEVER_FAULT item '%s'\n", item);
        std::abort();
      }
      faults[which] = Fault{at, error};
    }
  }
  parsed = true;
}

// True when the call is to fail (errno set); kills the process when that is the action.
bool Act(Call call) {
  if (faults[call].error == 0) raise(SIGKILL);
  errno = faults[call].error;
  return true;
}

// True when this call is to fail (errno set); kills the process when that is the action.
bool Inject(Call call, const char* path) {
  if (!parsed) Parse();
  if (faults[call].at == 0) return false;
  const char* filter = std::getenv("LEVER_FAULT_PATH");
  if (path != nullptr && filter != nullptr && std::strstr(path, filter) == nullptr) return false;
  if (++counts[call] != faults[call].at) return false;
  return Act(call);
}

template <class F>
F Next(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

// The file a descriptor names ("" when it cannot be told).
void PathOf(int fd, char* path, size_t size) {
  char link[64];
  std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(link, path, size - 1);
  path[n > 0 ? n : 0] = '\0';
}

// `path` made absolute against the working directory, as /proc/self/fd names a descriptor's file.
const char* Absolute(const char* path, char* buffer, size_t size) {
  if (path == nullptr || path[0] == '/') return path;
  char directory[2048];
  if (getcwd(directory, sizeof(directory)) == nullptr) return path;
  std::snprintf(buffer, size, "%s/%s", directory, path[0] == '.' && path[1] == '/' ? path + 2 : path);
  return buffer;
}

// The io counter: true when this call is to fail. `fd` (>= 0) or the paths say which file the call is about.
bool InjectIo(const char* name, int fd, const char* path, const char* other_path = nullptr) {
  if (!parsed) Parse();
  const char* log = std::getenv("LEVER_FAULT_LOG");
  if (faults[kIo].at == 0 && log == nullptr) return false;
  if ((fd >= 0 && fd <= 2) || getpid() != counting_pid) return false;
  char buffer[4096], other[4096];
  if (fd >= 0) {
    PathOf(fd, buffer, sizeof(buffer));
    path = buffer;
  } else {
    path = Absolute(path, buffer, sizeof(buffer));
    other_path = Absolute(other_path, other, sizeof(other));
  }
  const char* filter = std::getenv("LEVER_FAULT_PATH");
  if (filter != nullptr && std::strstr(path, filter) == nullptr &&
      (other_path == nullptr || std::strstr(other_path, filter) == nullptr)) {
    return false;
  }
  const long n = ++counts[kIo];
  if (log != nullptr) {
    static auto real_write = Next<ssize_t (*)(int, const void*, size_t)>("write");
    char line[4200];
    const int length = std::snprintf(line, sizeof(line), "%ld %s %s\n", n, name, path);
    const int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out >= 0) {
      if (real_write(out, line, static_cast<size_t>(length)) < 0) std::perror("fault_injection: LEVER_FAULT_LOG");
      static auto real_close = Next<int (*)(int)>("close");
      real_close(out);
    }
  }
  if (n != faults[kIo].at) return false;
  return Act(kIo);
}

bool OpenForWriting(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_ACCMODE) != O_RDONLY;
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* data, size_t size) {
  static auto real = Next<ssize_t (*)(int, const void*, size_t)>("write");
  if (fd > 2 && Inject(kWrite, nullptr)) return -1;
  if (InjectIo("write", fd, nullptr)) return -1;
  return real(fd, data, size);
}

ssize_t pwrite(int fd, const void* data, size_t size, off_t offset) {
  static auto real = Next<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
  if (InjectIo("pwrite", fd, nullptr)) return -1;
  return real(fd, data, size, offset);
}

ssize_t pwrite64(int fd, const void* data, size_t size, off64_t offset) {
  static auto real = Next<ssize_t (*)(int, const void*, size_t, off64_t)>("pwrite64");
  if (InjectIo("pwrite64", fd, nullptr)) return -1;
  return real(fd, data, size, offset);
}

ssize_t writev(int fd, const struct iovec* parts, int count) {
  static auto real = Next<ssize_t (*)(int, const struct iovec*, int)>("writev");
  if (InjectIo("writev", fd, nullptr)) return -1;
  return real(fd, parts, count);
}

int fsync(int fd) {
  static auto real = Next<int (*)(int)>("fsync");
  if (Inject(kFsync, nullptr)) return -1;
  if (InjectIo("fsync", fd, nullptr)) return -1;
  return real(fd);
}

int fdatasync(int fd) {
  static auto real = Next<int (*)(int)>("fdatasync");
  if (InjectIo("fdatasync", fd, nullptr)) return -1;
  return real(fd);
}

int close(int fd) {
  static auto real = Next<int (*)(int)>("close");
  if (fd > 2 && OpenForWriting(fd) && InjectIo("close", fd, nullptr)) {
    const int saved = errno;
    real(fd);
    errno = saved;
    return -1;
  }
  return real(fd);
}

int rename(const char* from, const char* to) {
  static auto real = Next<int (*)(const char*, const char*)>("rename");
  if (Inject(kRename, to)) return -1;
  if (InjectIo("rename", -1, to, from)) return -1;
  return real(from, to);
}

int renameat(int from_dir, const char* from, int to_dir, const char* to) {
  static auto real = Next<int (*)(int, const char*, int, const char*)>("renameat");
  if (InjectIo("renameat", -1, to, from)) return -1;
  return real(from_dir, from, to_dir, to);
}

int renameat2(int from_dir, const char* from, int to_dir, const char* to, unsigned int flags) {
  static auto real = Next<int (*)(int, const char*, int, const char*, unsigned int)>("renameat2");
  if (InjectIo("renameat2", -1, to, from)) return -1;
  return real(from_dir, from, to_dir, to, flags);
}

int unlink(const char* path) {
  static auto real = Next<int (*)(const char*)>("unlink");
  if (Inject(kUnlink, path)) return -1;
  return real(path);
}

int remove(const char* path) {
  static auto real = Next<int (*)(const char*)>("remove");
  if (Inject(kRemove, path)) return -1;
  return real(path);
}

}  // extern "C"
