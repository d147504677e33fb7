// `lever eval` and `lever predict`: a trained model, an inference bundle (--model) or a --config job's newest
// checkpoint, evaluated on a labeled CSV file, or applied to one, writing probabilities and classes.
#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "lever/checkpoint/checkpoint_manager.h"
#include "lever/estimator/bundle.h"
#include "lever/error.h"
#include "train_job.h"

namespace lever::cli {
namespace {

struct ModelFlags {
  std::string config, job_dir, model, data, output;
  bool json = false;
};

std::vector<std::string> Overrides(CLI::App* cmd) {
  std::vector<std::string> overrides;
  for (const std::string& extra : cmd->remaining()) {
    if (extra.rfind("--", 0) != 0 || extra.find('=') == std::string::npos) {
      throw ConfigError("unknown argument '" + extra + "'; overrides are --key.path=value");
    }
    overrides.push_back(extra.substr(2));
  }
  return overrides;
}

// A bundle (--model), or a --config job with its newest checkpoint (an error when there is none).
Job LoadModel(const ModelFlags& f, CLI::App* cmd) {
  if (!f.model.empty()) {
    if (!f.config.empty() || !f.job_dir.empty() || !cmd->remaining().empty()) {
      throw ConfigError("--model takes a bundle as it was exported: no --config, --job-dir or overrides with it");
    }
    return LoadBundle(f.model);
  }
  if (f.config.empty()) throw ConfigError("give --model BUNDLE (from lever export) or --config run.yaml (a trained job)");
  Job job = PrepareJob(LoadJobConfigWithDir(f.config, Overrides(cmd), f.job_dir));
  const std::string& dir = job.config.run.model_dir;
  if (dir.empty()) throw ConfigError(f.config + ": no run.model_dir (or --job-dir): there is no trained model to use");
  if (!std::filesystem::exists(dir) || CheckpointManager(dir).Steps().empty()) {
    throw ConfigError("no checkpoint in " + dir + ": train first (lever train --config " + f.config + ")");
  }
  return job;
}

void AddCommon(CLI::App* cmd, ModelFlags& f) {
  cmd->add_option("--model", f.model, "an inference bundle written by lever export (instead of --config)");
  cmd->add_option("--config", f.config, "the run config the model was trained with (its data.train refits the columns)");
  cmd->add_option("--job-dir,--job_dir", f.job_dir, "with --config: the model directory, when not the config's run.model_dir");
  cmd->allow_extras();
}

int RunEval(const ModelFlags& f, CLI::App* cmd) {
  Job job = LoadModel(f, cmd);
  const std::string data = f.data.empty() ? job.config.eval : f.data;
  if (f.data.empty() && !f.model.empty() && !std::filesystem::exists(data)) {
    throw ConfigError("the bundle's evaluation file " + data + " is not here; pass --data a labeled CSV file");
  }
  const auto metrics = job.estimator->Evaluate(job.Read(data, true));
  if (f.json) {
    nlohmann::ordered_json out{{"data", data}};
    for (const auto& [name, value] : metrics) out[name] = value;
    fmt::print("{}\n", out.dump());
    return 0;
  }
  std::string line = fmt::format("{} ({} head, step {}):", data, job.head->Name(), job.estimator->global_step());
  for (const auto& [name, value] : metrics) {
    if (name != "global_step") line += fmt::format("  {} {:.4f}", name, value);
  }
  fmt::print("{}\n", line);
  return 0;
}

int RunPredict(const ModelFlags& f, CLI::App* cmd) {
  Job job = LoadModel(f, cmd);
  const Examples examples = job.Read(f.data, false);
  const Tensor p = job.estimator->Predict(examples);
  const std::string head = job.HeadKind();
  const bool jsonl = f.output.ends_with(".jsonl") || f.output.ends_with(".json") || (f.output.empty() && f.json);
  std::ofstream file;
  if (!f.output.empty()) {
    file.open(f.output);
    if (!file) throw IoError("cannot write " + f.output);
  }
  std::ostream& out = f.output.empty() ? std::cout : file;
  // CSV header: the classes' probabilities and the predicted class, or the prediction.
  if (!jsonl) {
    if (head == "binary") {
      out << "probability,class\n";
    } else if (head == "multi_class") {
      for (Index k = 0; k < p.cols(); ++k) out << "probability_" << k << ',';
      out << "class\n";
    } else {
      out << "prediction\n";
    }
  }
  for (Index i = 0; i < p.rows(); ++i) {
    if (head == "binary") {
      const int cls = p(i, 0) >= 0.5f ? 1 : 0;
      if (jsonl) {
        out << nlohmann::json{{"probability", p(i, 0)}, {"class", cls}}.dump() << '\n';
      } else {
        out << fmt::format("{:.9g},{}\n", p(i, 0), cls);
      }
    } else if (head == "multi_class") {
      Index best = 0;
      p.row(i).maxCoeff(&best);
      if (jsonl) {
        std::vector<float> probabilities(p.row(i).data(), p.row(i).data() + p.cols());
        out << nlohmann::json{{"probabilities", probabilities}, {"class", best}}.dump() << '\n';
      } else {
        for (Index k = 0; k < p.cols(); ++k) out << fmt::format("{:.9g},", p(i, k));
        out << best << '\n';
      }
    } else if (jsonl) {
      out << nlohmann::json{{"prediction", p(i, 0)}}.dump() << '\n';
    } else {
      out << fmt::format("{:.9g}\n", p(i, 0));
    }
  }
  out.flush();
  if (!out) throw IoError("cannot write " + (f.output.empty() ? std::string("the output") : f.output));
  return 0;
}

}  // namespace

Command RegisterEval(CLI::App& app) {
  auto f = std::make_shared<ModelFlags>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a trained model (a bundle, or a --config job's newest checkpoint) on a labeled CSV file");
  AddCommon(cmd, *f);
  cmd->add_option("--data", f->data, "the CSV file to evaluate on (default: the config's data.eval)");
  cmd->add_flag("--json", f->json, "print one JSON object");
  return [f, cmd] { return RunEval(*f, cmd); };
}

Command RegisterPredict(CLI::App& app) {
  auto f = std::make_shared<ModelFlags>();
  CLI::App* cmd = app.add_subcommand("predict", "Apply a trained model (a bundle, or a --config job's newest checkpoint) to a CSV file: probabilities and classes out");
  AddCommon(cmd, *f);
  cmd->add_option("--input,--data", f->data, "the CSV file to predict (the label column may be absent)")->required();
  cmd->add_option("--output", f->output, "where to write: .csv, or .jsonl / .json for JSON lines (default: stdout)");
  cmd->add_flag("--json", f->json, "JSON lines on stdout instead of CSV");
  return [f, cmd] { return RunPredict(*f, cmd); };
}

}  // namespace lever::cli
