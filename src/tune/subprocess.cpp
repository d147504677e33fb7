#include "tune/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "lever/error.h"

extern char** environ;

namespace lever::tune::internal {
namespace {

bool IsExecutable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// Everything the child needs is built before fork: after it, only async-signal-safe calls.
[[noreturn]] void RunChild(const char* path, char* const* argv, char* const* envp, const char* directory,
                           const char* out_path, const char* err_path, int report_fd, pid_t parent) {
  auto die = [report_fd](int error) {
    const ssize_t ignored = write(report_fd, &error, sizeof error);
    (void)ignored;
    _exit(127);
  };
  if (setpgid(0, 0) != 0) die(errno);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) die(errno);
  if (getppid() != parent) _exit(127);  // the tuner died before prctl: do not run orphaned
  if (directory[0] != '\0' && chdir(directory) != 0) die(errno);
  const int in = open("/dev/null", O_RDONLY);
  const int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
  const int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
  if (in < 0 || out < 0 || err < 0) die(errno);
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) die(errno);
  for (const int fd : {in, out, err}) {
    if (fd > 2) close(fd);
  }
  // Signals the tuner ignores or blocks (a tuner started with `&` ignores SIGINT) must not stay so in the
  // trainer: every disposition back to the default, nothing blocked.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
  }
  execve(path, argv, envp);
  die(errno);
  _exit(127);
}

}  // namespace

Subprocess::Subprocess(const SubprocessOptions& options) {
  if (options.argv.empty()) throw ConfigError("a trial needs a command to run");
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (options.env.count(name) == 0) env_text.push_back(entry);
  }
  for (const auto& [name, value] : options.env) env_text.push_back(name + "=" + value);
  std::vector<char*> argv, envp;
  for (const std::string& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : env_text) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  const pid_t parent = getpid();
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) throw IoError(std::string("cannot create a pipe: ") + std::strerror(errno));
  pid_ = fork();
  if (pid_ < 0) {
    const int error = errno;
    close(report[0]);
    close(report[1]);
    throw IoError(std::string("cannot start a trial process: ") + std::strerror(error));
  }
  if (pid_ == 0) {
    close(report[0]);
    RunChild(options.argv[0].c_str(), argv.data(), envp.data(), options.working_directory.c_str(),
             options.stdout_path.c_str(), options.stderr_path.c_str(), report[1], parent);
  }
  close(report[1]);
  // The pipe closes on a successful exec; otherwise the child sends errno first.
  int error = 0;
  ssize_t got;
  do {
    got = read(report[0], &error, sizeof error);
  } while (got < 0 && errno == EINTR);
  close(report[0]);
  if (got == static_cast<ssize_t>(sizeof error)) {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    throw IoError("cannot run '" + options.argv[0] + "'" +
                  (options.working_directory.empty() ? "" : " in '" + options.working_directory + "'") + ": " +
                  std::strerror(error));
  }
}

Subprocess::~Subprocess() {
  if (pid_ > 0 && !status_) {
    kill(-pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

std::optional<int> Subprocess::Poll() {
  if (status_ || pid_ <= 0) return status_;
  int status = 0;
  const pid_t done = waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    status_ = status;
    // The trainer is gone; whatever it started in its process group (a shell script's python) goes too,
    // so nothing from this trial keeps writing its metric file while the next one runs.
    kill(-pid_, SIGKILL);
  }
  return status_;
}

void Subprocess::SignalGroup(int signal) {
  if (pid_ > 0 && !status_) kill(-pid_, signal);
}

std::string FindProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");
  const std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + program;
    if (IsExecutable(candidate)) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  throw ConfigError("the trainer program '" + program + "' is not an executable on PATH (" + dirs +
                    "); install it, give its path, or fix trainer.command");
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = strsignal(sig);
    return "killed by signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : std::string());
  }
  return "wait status " + std::to_string(status);
}

std::string TailOfFile(const std::string& path, int lines) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  const std::streamoff size = in.tellg();
  const std::streamoff start = size > 65536 ? size - 65536 : 0;
  in.seekg(start);
  std::string text(static_cast<size_t>(size - start), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  size_t begin = 0;
  int newlines = 0;
  for (size_t i = text.size(); i-- > 0;) {
    if (text[i] == '\n' && ++newlines == lines) {
      begin = i + 1;
      break;
    }
  }
  return text.substr(begin);
}

}  // namespace lever::tune::internal
