// The lever command-line tool: a thin layer over the library. Each subcommand lives in its own file.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <exception>

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
    const char* parts[] = {"error: this lever was built for CPUs with ", lever::RequiredCpuFeatures(),
                           "; this CPU lacks ", missing,
                           ". Rebuild it on this machine, or for an older instruction set: "
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

}  // namespace

int main(int argc, char** argv) {
  if (openblas_threads_set_here) unsetenv("OPENBLAS_NUM_THREADS");
  CLI::App app{"lever: train models with every knob exposed, read their curves, tune their knobs"};
  app.set_version_flag("--version", std::string("lever ") + lever::Version());
  app.require_subcommand(1);
  lever::cli::Command train = lever::cli::RegisterTrain(app);
  lever::cli::Command linear = lever::cli::RegisterLinear(app);
  lever::cli::Command threshold = lever::cli::RegisterThreshold(app);
  lever::cli::Command eval = lever::cli::RegisterEval(app);
  lever::cli::Command predict = lever::cli::RegisterPredict(app);
  lever::cli::Command export_model = lever::cli::RegisterExport(app);
  lever::cli::Command tune = lever::cli::RegisterTune(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (app.got_subcommand("train")) return train();
    if (app.got_subcommand("linear")) return linear();
    if (app.got_subcommand("threshold")) return threshold();
    if (app.got_subcommand("eval")) return eval();
    if (app.got_subcommand("predict")) return predict();
    if (app.got_subcommand("export")) return export_model();
    if (app.got_subcommand("tune")) return tune();
  } catch (const lever::DivergenceError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 3;
  } catch (const lever::Error& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "internal error: {}\n", e.what());
    return 70;
  }
  return 0;
}
