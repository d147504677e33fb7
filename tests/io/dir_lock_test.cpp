// DirLock: one writer per directory. Another process holding the lock is refused at once with its pid
// (from the lock file, or /proc/locks for a directory's own flock); the lock goes when its holder dies,
// SIGKILL included; a lock file that is a symbolic link is not followed.
#include "lever/io/dir_lock.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "lever/error.h"
#include "lever/io/text_file.h"
#include "testing/files.h"

namespace lever {
namespace {

namespace fs = std::filesystem;
using testing::Contains;
using testing::ErrorOf;

using testing::TempDir;

// A child process that takes the lock, says so through a pipe, and waits to be killed.
class LockHolder {
 public:
  LockHolder(const std::string& directory, const std::string& file_name) {
    int ready[2];
    EXPECT_EQ(pipe(ready), 0);
    pid_ = fork();
    if (pid_ == 0) {
      close(ready[0]);
      try {
        const DirLock lock(directory, file_name, "busy", "wait");
        const char byte = 1;
        if (write(ready[1], &byte, 1) != 1) _exit(2);
        for (;;) pause();
      } catch (...) {
        _exit(1);
      }
    }
    close(ready[1]);
    char byte = 0;
    EXPECT_EQ(read(ready[0], &byte, 1), 1) << "the child could not take the lock";
    close(ready[0]);
  }
  ~LockHolder() { Kill(); }
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

TEST(DirLockTest, AnotherProcessHoldingTheLockFileIsNamedByPid) {
  TempDir dir;
  LockHolder holder(dir.path, "lever.lock");
  const std::string message = ErrorOf<ConfigError>([&] {
    DirLock lock(dir.path, "lever.lock", "another lever process is writing '" + dir.path + "'", "wait for it");
  });
  EXPECT_TRUE(Contains(message, "another lever process is writing '" + dir.path + "': pid " +
                                    std::to_string(holder.pid()) + " holds " + dir.path + "/lever.lock; wait for it"));
  holder.Kill();  // however it dies, the kernel drops its lock
  const DirLock lock(dir.path, "lever.lock", "busy", "wait");
  EXPECT_EQ(ReadTextFile(dir.path + "/lever.lock", "lock"), std::to_string(getpid()) + "\n");
}

TEST(DirLockTest, ADirectoryLockedItselfNamesTheHolderFromProcLocks) {
  TempDir dir;
  LockHolder holder(dir.path, "");
  const std::string message = ErrorOf<ConfigError>([&] { DirLock lock(dir.path, "", "busy", "wait"); });
  EXPECT_TRUE(Contains(message, "busy: pid " + std::to_string(holder.pid()) + " holds " + dir.path + "; wait"));
  EXPECT_TRUE(fs::is_empty(dir.path)) << "a directory's own lock creates no file";
  holder.Kill();
  const DirLock lock(dir.path, "", "busy", "wait");
}

TEST(DirLockTest, ASecondLockInTheSameProcessIsRefusedToo) {
  TempDir dir;
  const DirLock first(dir.path, "lever.lock", "busy", "wait");
  EXPECT_TRUE(Contains(ErrorOf<ConfigError>([&] { DirLock second(dir.path, "lever.lock", "busy", "wait"); }),
                       "pid " + std::to_string(getpid())));
}

TEST(DirLockTest, ALockFileThatIsASymbolicLinkIsNotFollowed) {
  TempDir dir;
  const std::string outside = testing::WriteFile("outside.txt", "keep me\n");
  fs::create_symlink(outside, dir.path + "/lever.lock");
  EXPECT_TRUE(
      Contains(ErrorOf<IoError>([&] { DirLock lock(dir.path, "lever.lock", "busy", "wait"); }), "symbolic link"));
  EXPECT_EQ(ReadTextFile(outside, "outside"), "keep me\n");
}

TEST(DirLockTest, AMissingDirectoryIsAnIoErrorNamingIt) {
  TempDir dir;
  EXPECT_TRUE(Contains(ErrorOf<IoError>([&] { DirLock lock(dir.path + "/missing", "lever.lock", "busy", "wait"); }),
                       dir.path + "/missing/lever.lock"));
}

}  // namespace
}  // namespace lever
