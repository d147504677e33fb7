// LD_PRELOAD shim for crash and fault tests: LEVER_FAULT="CALL:N:ACTION[,CALL:N:ACTION...]" makes the Nth
// call (counted from 1 in this process) to CALL do ACTION instead of its work. CALL is write, fsync,
// rename, unlink or remove (std::filesystem::remove); ACTION is kill (SIGKILL before the call: the process dies with
// the file half done), or an errno name (ENOSPC, EIO, EACCES, EROFS) that the call fails with. LEVER_FAULT_PATH, when
// set, counts only rename, unlink and remove calls whose path contains it (write and fsync are always counted). The
// resume and fault-injection tests choose their kill points this way, by call count, not by time.
#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

enum Call { kWrite, kFsync, kRename, kUnlink, kRemove, kCalls };
const char* const kNames[kCalls] = {"write", "fsync", "rename", "unlink", "remove"};

struct Fault {
  long at = 0;    // 0: none
  int error = 0;  // 0: kill
};

Fault faults[kCalls];
long counts[kCalls];
bool parsed = false;

int ErrorNumber(const char* name) {
  if (std::strcmp(name, "ENOSPC") == 0) return ENOSPC;
  if (std::strcmp(name, "EIO") == 0) return EIO;
  if (std::strcmp(name, "EACCES") == 0) return EACCES;
  if (std::strcmp(name, "EROFS") == 0) return EROFS;
  return -1;
}

void Parse() {
  parsed = true;
  const char* spec = std::getenv("LEVER_FAULT");
  if (spec == nullptr) return;
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

// True when this call is to fail (errno set); kills the process when that is the action.
bool Inject(Call call, const char* path) {
  if (!parsed) Parse();
  if (faults[call].at == 0) return false;
  const char* filter = std::getenv("LEVER_FAULT_PATH");
  if (path != nullptr && filter != nullptr && std::strstr(path, filter) == nullptr) return false;
  if (++counts[call] != faults[call].at) return false;
  if (faults[call].error == 0) {
    raise(SIGKILL);
  }
  errno = faults[call].error;
  return true;
}

template <class F>
F Next(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* data, size_t size) {
  static auto real = Next<ssize_t (*)(int, const void*, size_t)>("write");
  if (fd > 2 && Inject(kWrite, nullptr)) return -1;
  return real(fd, data, size);
}

int fsync(int fd) {
  static auto real = Next<int (*)(int)>("fsync");
  if (Inject(kFsync, nullptr)) return -1;
  return real(fd);
}

int rename(const char* from, const char* to) {
  static auto real = Next<int (*)(const char*, const char*)>("rename");
  if (Inject(kRename, to)) return -1;
  return real(from, to);
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
