// The lever command-line tool: a thin layer over the library. Each subcommand lives in its own file.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "commands.h"
#include "lever/cpu.h"
#include "lever/error.h"
#include "lever/version.h"

namespace {

// lever runs OpenBLAS single-threaded (its own pool splits large products), but a threaded OpenBLAS starts
// its worker threads when it is loaded and they spin for about 0.1 s of a core. Functions in the
// executable's .preinit_array run before any shared library's initializer, so this tells OpenBLAS in time;
// main() takes the variable back out so programs lever starts (tuning trials) do not inherit it.
bool openblas_threads_set_here = false;
// Also first: on a CPU without the instruction set lever was built for (LEVER_ARCH), one clear message and
// exit status 1 before any of that code runs, instead of SIGILL somewhere later. Compiled for the baseline.
__attribute__((target("arch=x86-64"))) void RequireCpuFeatures() {
  const char* missing = lever::MissingCpuFeatures();
  if (missing[0] != '\0') {
    const char* parts[] = {
        "error: this lever was built for CPUs with ", lever::RequiredCpuFeatures(), "; this CPU lacks ", missing,
        ". Rebuild it on this machine, or for an older instruction set: "  // NOLINT(bugprone-suspicious-missing-comma)
        "cmake -DLEVER_ARCH=x86-64-v2 (docs/building.md).\n"};
    for (const char* part : parts) {
      if (::write(STDERR_FILENO, part, std::strlen(part)) < 0) break;
    }
    _exit(1);
  }
}
__attribute__((target("arch=x86-64"))) void BeforeEverything(int, char**, char**) {
  RequireCpuFeatures();
  if (std::getenv("OPENBLAS_NUM_THREADS") == nullptr) {
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    openblas_threads_set_here = true;
  }
}
__attribute__((section(".preinit_array"), used)) void (*const kPreinit)(int, char**, char**) = BeforeEverything;

// One line per subcommand: its name and the function, in its own file, that adds its flags to the app.
struct Subcommand {
  const char* name;
  lever::cli::Command (*add)(CLI::App& app);
};
// clang-format off
constexpr Subcommand kSubcommands[] = {
    {"train", lever::cli::RegisterTrain},
    {"sweep", lever::cli::RegisterSweep},
    {"doctor", lever::cli::RegisterDoctor},
    {"report", lever::cli::RegisterReport},
    {"playground", lever::cli::RegisterPlayground},
    {"linear", lever::cli::RegisterLinear},
    {"threshold", lever::cli::RegisterThreshold},
    {"eval", lever::cli::RegisterEval},
    {"predict", lever::cli::RegisterPredict},
    {"export", lever::cli::RegisterExport},
    {"tune", lever::cli::RegisterTune},
    {"names", lever::cli::RegisterNames},
};
// clang-format on

// Prints with stdio rather than fmt, which throws when stderr cannot be written: the exit code still tells.
int Report(const char* kind, const char* message, int code) {
  std::fprintf(stderr, "%s: %s\n", kind, message);
  return code;
}

// Output still in stdout's buffer is written here; a command's result lost to a full disk or a closed
// stdout is a failure (exit 1), not a silent success.
int CheckStdout(int code) {
  errno = 0;
  if (std::fflush(stdout) != 0)
    return Report("error", ("cannot write to standard output: " + std::string(std::strerror(errno))).c_str(),
                  code == 0 ? 1 : code);
  if (std::ferror(stdout) != 0)
    return Report("error", "cannot write to standard output: a write failed", code == 0 ? 1 : code);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  if (openblas_threads_set_here) unsetenv("OPENBLAS_NUM_THREADS");
  CLI::App app{"lever: train models with every knob exposed, read their curves, tune their knobs"};
  app.set_version_flag("--version", std::string("lever ") + lever::Version());
  app.require_subcommand(1);
  std::vector<lever::cli::Command> commands;
  for (const Subcommand& s : kSubcommands) commands.push_back(s.add(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error 2 (CLI11's own codes, 105 for a value out of range
    // and so on, are not lever's).
    return app.exit(e) == 0 ? 0 : 2;
  }
  int code = 0;
  try {
    for (size_t i = 0; i < commands.size(); ++i) {
      if (app.got_subcommand(kSubcommands[i].name)) code = commands[i]();
    }
  } catch (const lever::DivergenceError& e) {
    code = Report("error", e.what(), 3);
  } catch (const lever::Error& e) {
    code = Report("error", e.what(), 2);
  } catch (const std::filesystem::filesystem_error& e) {
    // A file system call the library left unchecked: an IoError naming the path and the reason.
    std::string what = e.what();
    if (what.rfind("filesystem error: ", 0) == 0) what.erase(0, std::string("filesystem error: ").size());
    if (const size_t bracket = what.find(" ["); bracket != std::string::npos) what.erase(bracket);
    code = Report("error", lever::IoError(e.path1().string() + ": " + what).what(), 2);
  } catch (const std::system_error& e) {  // fmt::print and WriteToStdout when stdout is full or closed
    code = Report("error", e.what(), 1);
  } catch (const std::exception& e) {
    code = Report("internal error", e.what(), 70);
  }
  return CheckStdout(code);
}
