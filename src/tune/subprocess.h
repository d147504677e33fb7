#pragma once
// A child process for one trial (POSIX: fork and execve, no shell). The child leads its own process
// group, so a stop signal reaches whatever it started too; it gets SIGKILL if the tuner dies (Linux's
// PR_SET_PDEATHSIG), so a killed tuner leaves no trainer writing into a trial directory it will reuse.
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lever::tune::internal {

struct SubprocessOptions {
  std::vector<std::string> argv;           // argv[0] as FindProgram resolved it
  std::map<std::string, std::string> env;  // set on top of the tuner's environment
  std::string working_directory;           // empty = the tuner's
  std::string stdout_path, stderr_path;    // created or truncated
};

class Subprocess {
 public:
  /// Starts the process. Throws IoError when it cannot (output files, fork, or exec failing: "cannot run
  /// 'x': Permission denied").
  explicit Subprocess(const SubprocessOptions& options);
  /// Kills the process group (SIGKILL) and reaps the child if it is still running.
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  /// Non-blocking: the wait status (as waitpid gives it) once the child has exited.
  std::optional<int> Poll();
  /// Sends `signal` to the child's process group (nothing once it has been reaped).
  void SignalGroup(int signal);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

/// The path execve needs for `program`: itself when it holds a '/', otherwise the first executable
/// <dir>/<program> along $PATH. Throws ConfigError saying where it looked.
std::string FindProgram(const std::string& program);

/// "exit code 3", "killed by signal 9 (Killed)".
std::string DescribeWaitStatus(int status);

/// The last `lines` lines of a text file (at most its last 64 KiB), "" when it cannot be read.
std::string TailOfFile(const std::string& path, int lines);

}  // namespace lever::tune::internal
