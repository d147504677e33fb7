// `lever sweep`: "adjust the knobs and see their effect". Every combination of --knob values trains as
// `lever train` would with the arguments after `--` (lever train's flags, or --config run.yaml and overrides), several
// at a time (lever/sweep/sweep.h); the table, the curves and (two knobs) the heatmap go to the terminal and to
// --output.
#include "lever/sweep/sweep.h"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <thread>

#include "commands.h"
#include "console.h"
#include "lever/error.h"
#include "lever/io/atomic_file.h"
#include "lever/io/dir_lock.h"
#include "lever/sweep/plots.h"
#include "lever/sweep/sweep_file.h"
#include "lever/tensor/gemm.h"
#include "run_flags.h"

namespace lever::cli {
namespace {

struct SweepFlags {
  std::vector<std::string> knobs;
  int seeds = 1;
  int jobs = 0;
  std::string output = "sweep";
  bool quiet = false;
  std::vector<std::string> train_args;  // after --
};

// `-- --config run.yaml [--key.path=value ...]`: a run config and its overrides; false for lever train's flags.
bool ConfigArguments(const std::vector<std::string>& args, SweepSpec& spec) {
  const auto config = std::find_if(args.begin(), args.end(),
                                   [](const std::string& a) { return a == "--config" || a.starts_with("--config="); });
  if (config == args.end()) return false;
  for (auto a = args.begin(); a != args.end(); ++a) {
    if (a == config) {
      if (a->starts_with("--config=")) {
        spec.config = a->substr(9);
      } else if (++a == args.end()) {
        throw ConfigError("after --, --config needs a run config file");
      } else {
        spec.config = *a;
      }
    } else if (a->starts_with("--") && a->find('=') != std::string::npos && a->find('.') < a->find('=')) {
      spec.config_overrides.push_back(a->substr(2));
    } else {
      throw ConfigError(
          "after -- with --config, only overrides of the run config (--key.path=value) may follow, "
          "not '" +
          *a + "'");
    }
  }
  return true;
}

int Run(const SweepFlags& f, const std::vector<std::string>& train_args) {
  SweepSpec spec;
  if (!ConfigArguments(train_args, spec)) spec.base = TrainArguments(train_args, "after --, lever train's flags");
  for (const std::string& k : f.knobs) spec.knobs.push_back(ParseSweepKnob(k));
  spec.seeds = f.seeds;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  spec.jobs = f.jobs > 0 ? f.jobs : cores;
  if (spec.jobs > 1) SetGemmThreads(1);  // the runs share the cores; each multiplies on its own thread
  std::mutex print;
  // On a terminal one line counts up; into a file or a pipe, a line per tenth of the runs (and the last).
  const bool terminal = IsTerminal(stderr);
  int shown = 0;  // runs end in parallel and may report out of order: the count only goes up
  const auto done = [&](int finished, int total) {
    if (f.quiet) return;
    const std::lock_guard<std::mutex> lock(print);
    if (finished <= shown) return;
    shown = finished;
    if (terminal) {
      fmt::print(stderr, "\rsweep: {}/{} runs", finished, total);
      if (finished == total) fmt::print(stderr, "\n");
    } else if (finished == total || (10 * finished) / total != (10 * (finished - 1)) / total) {
      fmt::print(stderr, "sweep: {}/{} runs\n", finished, total);
    }
  };
  // The output directory before any run, so a path that cannot be written wastes no training.
  std::error_code error;
  std::filesystem::create_directories(f.output, error);
  if (error) throw IoError("cannot create the output directory " + f.output + ": " + error.message());
  const std::filesystem::path out(f.output);
  // A job's or a study's directory is theirs: `lever report` there would draw them, not the sweep.
  for (const char* other : {"doctor_record.json", "study.db", "result.json"}) {
    if (std::filesystem::exists(out / other, error)) {
      throw ConfigError("--output " + f.output + " holds " + other +
                        " (a training job or a tuning study); give the "
                        "sweep a directory of its own");
    }
  }
  // One sweep at a time in a directory, and no file written through a link, checked before any run.
  const DirLock lock(f.output, "lever.lock", "another lever sweep is writing " + f.output,
                     "wait for it, or give this sweep another --output");
  for (const char* name : {"sweep.csv", "sweep.json", "curves.svg", "heatmap.svg"}) {
    if (std::filesystem::is_symlink(out / name, error)) {
      throw IoError("cannot write '" + (out / name).string() +
                    "': it is a symbolic link, and lever does not write through links; remove the link");
    }
  }
  const auto start = std::chrono::steady_clock::now();
  const std::vector<SweepRun> runs = RunSweep(spec, done);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The table first: a file that then cannot be written loses no result.
  fmt::print("{}", SweepTableText(spec.knobs, runs));
  Flush(stdout);
  WriteFileAtomically((out / "sweep.csv").string(), SweepTableCsv(spec.knobs, runs));
  WriteFileAtomically((out / "sweep.json").string(), SweepJson(spec.knobs, runs).dump() + "\n");
  WriteFileAtomically((out / "curves.svg").string(), SweepCurvesSvg(spec.knobs, runs));
  const std::string heatmap = SweepHeatmapSvg(spec.knobs, runs);
  if (!heatmap.empty()) {
    WriteFileAtomically((out / "heatmap.svg").string(), heatmap);
  } else if (std::filesystem::remove(out / "heatmap.svg", error), error) {  // an earlier two-knob sweep's
    throw IoError("cannot remove the earlier sweep's " + (out / "heatmap.svg").string() + ": " + error.message());
  }
  fmt::print("{} runs in {:.2f}s, {} at a time; {}/sweep.csv, {}/sweep.json, {}/curves.svg{}\n", runs.size(), seconds,
             std::min<size_t>(static_cast<size_t>(spec.jobs), runs.size()), f.output, f.output, f.output,
             heatmap.empty() ? "" : ", " + f.output + "/heatmap.svg");
  Flush(stdout);
  return 0;
}

}  // namespace

Command RegisterSweep(CLI::App& app) {
  auto f = std::make_shared<SweepFlags>();
  CLI::App* cmd = app.add_subcommand(
      "sweep",
      "Train every combination of knob values and show their effect: lever sweep --knob learning_rate=0.01,0.1,1 "
      "-- <lever train flags>");
  cmd->add_option("--knob", f->knobs,
                  "name=v1,v2,... (repeatable): learning_rate (lr), steps, batch_size, clip_norm, l1, l2, dropout, "
                  "activation, initializer, optimizer, hidden (values separated by '/': hidden=8/8,8/16,16) "
                  "and features (by ';', quoted: 'features=x1,x2;x1,x2,x1x2')")
      ->required()
      ->allow_extra_args(false);  // one value per --knob, so `--` after it still starts lever train's flags
  cmd->add_option("--seeds", f->seeds, "seeds per combination (--seed, +1, ...), to show the spread")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_option("--jobs,-j", f->jobs, "runs trained at the same time (0 = the machine's cores)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--output,-o", f->output,
                  "directory for sweep.csv, sweep.json, curves.svg and (two knobs) heatmap.svg")
      ->capture_default_str();
  cmd->add_flag("--quiet,-q", f->quiet, "no progress on stderr");
  cmd->add_option("train_args", f->train_args,
                  "after --: lever train's flags for every run (data, model, optimizer), or --config run.yaml "
                  "[--key.path=value ...]");
  return [f] { return Run(*f, f->train_args); };
}

}  // namespace lever::cli
