// `lever linear`: fast linear and logistic regression on sparse data (LIBSVM files streamed from disk,
// or CSV tables through feature columns). The work is in lever/linear (RunLinearJob).
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "commands.h"
#include "console.h"
#include "flags.h"
#include "lever/error.h"
#include "lever/linear/linear_job.h"
#include "lever/optim/registry.h"
#include "lever/registry.h"

namespace lever::cli {
namespace {

struct LinearFlags {
  LinearJobOptions job;
  std::vector<std::string> optimizer_options, column_types;
  bool json = false, quiet = false;
  // Flags that only one solver reads, to reject them with the other.
  std::vector<CLI::Option*> online_only, cd_only;
};

void CheckSolverFlags(const LinearFlags& f) {
  const std::string& solver = f.job.solver;
  for (const CLI::Option* o : solver == "cd" ? f.online_only : f.cd_only) {
    if (o->count() > 0) {
      throw ConfigError(o->get_name() + " does not apply to --solver " + solver +
                        (solver == "cd" ? " (coordinate descent has no optimizer, steps or batches; see --max-sweeps)"
                                        : "; it is a coordinate-descent setting (--solver cd)"));
    }
  }
}

int Run(LinearFlags& f) {
  LinearJobOptions& job = f.job;
  job.Validate();
  CheckSolverFlags(f);
  AddOptimizerOptions(f.optimizer_options, job.optimizer);
  job.column_types = ParseColumnTypes(f.column_types, "--column-type");
  LinearProgressFn progress;
  std::function<void(const std::string&)> info;
  if (!f.quiet && !f.json) {
    progress = [](const LinearProgress& p) {
      fmt::print("step {}  examples {}  passes {:.2f}  train loss {:.5f}  {:.0f} examples/s\n", p.step, p.examples,
                 p.passes, p.loss, p.seconds > 0 ? static_cast<double>(p.examples) / p.seconds : 0.0);
    };
    info = [](const std::string& text) { fmt::print("{}\n", text); };
  }
  const LinearJobResult r = RunLinearJob(job, progress, info);
  if (f.json) {
    fmt::print("{}\n", r.ToJson().dump());
    return 0;
  }
  Flush(stdout);  // the warning after the progress lines, also when both go to one file
  if (!r.convergence.converged) fmt::print(stderr, "warning: {}\n", r.not_converged_reason);
  WriteToStdout(r.Text(job));
  return 0;
}

}  // namespace

Command RegisterLinear(CLI::App& app) {
  auto f = std::make_shared<LinearFlags>();
  LinearJobOptions& o = f->job;
  CLI::App* cmd = app.add_subcommand("linear", "Train a linear or logistic model on sparse data (LIBSVM or CSV)");
  cmd->add_option("--train", o.train_file,
                  "training data: LIBSVM (.svm, .libsvm, any name) or CSV (.csv; .tsv is tab-separated), optionally "
                  "gzipped")
      ->required();
  cmd->add_option("--test", o.test_file, "test data in the same format");
  cmd->add_option("--format", o.format, "auto (by extension), libsvm or csv")->capture_default_str();
  cmd->add_option("--num-features", o.num_features,
                  "LIBSVM: size of the feature space; given, the file is streamed (parsed while training), otherwise "
                  "read into memory");
  cmd->add_flag("--zero-based", o.zero_based, "LIBSVM: indices start at 0 (feature id = index), not at 1");
  cmd->add_option("--schema", o.schema, "CSV: schema YAML (default: inferred from the file)");
  cmd->add_option("--column-type", f->column_types, "CSV: column=type (number, integer, string), repeatable");
  cmd->add_option("--na-values", o.na_values,
                  "CSV: comma-separated texts that mean missing (default: empty, NA, N/A, NaN, nan, null, NULL, ?); "
                  "missing numbers take the training mean, missing texts are their own category");
  cmd->add_option("--columns", o.columns, "CSV: YAML with feature_columns (default: one column per input column)");
  cmd->add_option("--label", o.label,
                  "CSV: the label column, numbers or text (two values: the second sorted one positive); a,b,c: one "
                  "yes/no label per column (multi-label)");
  cmd->add_option("--loss", o.loss,
                  "auto (CSV: the labels decide, as in lever train: two values logistic, a few classes softmax, other "
                  "numbers squared; LIBSVM: logistic, softmax with --classes), logistic, squared or softmax, or any "
                  "loss name or alias of lever train")
      ->capture_default_str();
  cmd->add_option("--classes", o.classes,
                  "softmax: number of classes, at least 2 (labels 0..classes-1); required for LIBSVM, for CSV the "
                  "labels give them (text labels: their sorted values)");
  cmd->add_option("--solver", o.solver,
                  "online: the --optimizer step by step (streaming or in memory); cd: coordinate descent in memory "
                  "(logistic or squared loss)")
      ->capture_default_str();
  auto online = [&](CLI::Option* option) { f->online_only.push_back(option->capture_default_str()); };
  auto cd = [&](CLI::Option* option) { f->cd_only.push_back(option); };
  online(cmd->add_option("--optimizer", o.optimizer.name, JoinNames(OptimizerNames())));
  online(cmd->add_option("--learning-rate,--lr", o.optimizer.learning_rate,
                         "> 0, or 0 = TensorFlow's default min(0.2, 1/sqrt(feature columns))"));
  f->online_only.push_back(cmd->add_option("--opt", f->optimizer_options, "optimizer option key=value, repeatable"));
  cmd->add_option("--l1-scale", o.l1_scale,
                  "none (every weight pays --l1) or std (weight j pays --l1 times feature j's standard deviation: the "
                  "L1 penalty of standardized features; online: FTRL's fused kernel, over the examples seen so far)")
      ->capture_default_str();
  cd(cmd->add_option("--max-sweeps", o.max_sweeps,
                     "cd: most sweeps over the features (default: 20 for logistic, 100 for squared loss); "
                     "a warning says when they ran out before --tolerance was met"));
  cd(cmd->add_option("--tolerance", o.tolerance,
                     "cd: stop when a sweep lowers the objective by less than this "
                     "fraction")
         ->capture_default_str());
  cmd->add_option("--l1", o.l1, "L1 penalty on the mean loss (exact zeros)")->capture_default_str();
  cmd->add_option("--l2", o.l2, "L2 penalty on the mean loss")->capture_default_str();
  online(cmd->add_option("--batch-size", o.batch_size,
                         "examples per step; 0 = min(256, rows / 16) in memory (at least 16 steps a pass), 256 "
                         "streamed"));
  online(cmd->add_option("--steps", o.steps, "training steps (0 = use --passes)"));
  online(cmd->add_option("--passes", o.passes,
                         "passes over the training data when --steps is 0; 0 = in memory until the loss of a pass "
                         "stops falling (5 passes without a 0.1% gain, at most 100), streamed 1"));
  online(cmd->add_option("--shuffle-buffer", o.shuffle_buffer,
                         "streaming: examples held for shuffling (0 = file "
                         "order)"));
  cmd->add_option("--seed", o.seed, "seed for shuffling")->capture_default_str();
  cmd->add_flag("--skip-bad-rows", o.bad_rows.skip, "skip malformed rows instead of stopping, and print how many");
  cmd->add_option("--max-bad-rows", o.bad_rows.max_skipped,
                  "with --skip-bad-rows: fail after this many per file (0 = no limit)")
      ->capture_default_str();
  cmd->add_option("--report-every", o.report_every, "progress line every N steps (default 1000)");
  cmd->add_option("--top", o.top, "print the N largest weights with their feature names");
  cmd->add_flag("--json", f->json, "print one JSON line with the results");
  cmd->add_flag("--quiet,-q", f->quiet, "print only the result");
  return [f] { return Run(*f); };
}

}  // namespace lever::cli
