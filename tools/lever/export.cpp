// `lever export`: a trained `lever train --config` job's newest checkpoint as an inference bundle
// (lever/estimator/bundle.h) that `lever predict --model` and `lever eval --model` use without the
// training file.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "console.h"
#include "flags.h"
#include "lever/error.h"
#include "lever/estimator/bundle.h"
#include "train_job.h"

namespace lever::cli {
namespace {

struct ExportFlags {
  std::string config, job_dir, output;
  bool no_eval = false;
  bool json = false;
};

int RunExport(const ExportFlags& f, CLI::App* cmd) {
  Job job = LoadTrainedJob(f.config, ConfigOverrides(cmd), f.job_dir);
  std::map<std::string, double> metrics;
  int64_t step = 0;
  if (f.no_eval) {
    step = ExportBundleFromCheckpoint(job, f.output);
  } else {
    // Evaluating restores the newest good checkpoint; those variables, the ones evaluated, are exported.
    metrics = job.estimator->Evaluate(job.Read(job.config.eval, true));
    step = job.estimator->global_step();
    ExportBundle(job, f.output, metrics);
  }
  const nlohmann::json manifest = ReadBundleManifest(f.output);
  if (f.json) {
    fmt::print("{}\n", manifest.dump());
    return 0;
  }
  std::string line = fmt::format(
      "exported step {} ({} model, {} head{}, {} input columns) to {}", step, job.config.type, job.HeadKind(),
      job.HeadKind() == "multi_class" ? fmt::format(" of {} classes", job.head->LogitsDimension()) : "",
      manifest["inputs"].size(), f.output);
  fmt::print("{}\n", line);
  if (!metrics.empty()) fmt::print("  {}:{}\n", job.config.eval, MetricsText(metrics));
  return 0;
}

}  // namespace

Command RegisterExport(CLI::App& app) {
  auto f = std::make_shared<ExportFlags>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write a trained --config job's newest checkpoint as an inference bundle (for lever predict --model)");
  cmd->add_option("--config", f->config, "the run config the model was trained with")->required();
  cmd->add_option("--job-dir,--job_dir", f->job_dir, "the model directory, when not the config's run.model_dir");
  cmd->add_option("--output,-o", f->output, "the bundle directory to write (an earlier bundle there is replaced)")
      ->required();
  cmd->add_flag("--no-eval", f->no_eval, "do not evaluate on data.eval first (the manifest then has no metrics)");
  cmd->add_flag("--json", f->json, "print the bundle's manifest as one JSON object");
  cmd->allow_extras();
  return [f, cmd] { return RunExport(*f, cmd); };
}

}  // namespace lever::cli
