#pragma once
// An inference bundle: a trained job's model in one directory that applies to new data without the
// training file, the run config's paths or the run's model directory (the role of TensorFlow's
// SavedModel). `lever export` writes one; `lever predict --model` and `lever eval --model` use one.
//
//   <bundle>/bundle.json   manifest: format and version, lever version, time, global step, model type,
//                          head and outputs, label, input columns and their types, the evaluation of
//                          these variables (when known), where the model came from, and the size and
//                          CRC-32C of every file below except variables/ (whose commit record has its own)
//   <bundle>/config.yaml   the run config with every override applied, run.model_dir removed, vocabulary
//                          files pointing into assets/
//   <bundle>/schema.yaml   the training file's schema (lever/data/schema.h), label included
//   <bundle>/assets/       copies of the vocabulary files
//   <bundle>/variables/    a model directory holding one checkpoint (docs/checkpoints.md): the variables
//                          under "model/", each feature set's fitted statistics under "wide/features/"
//                          and "deep/features/" (for example "deep/features/age/mean", an F64 scalar)
//
// A bundle is written to a temporary sibling directory, fsynced and renamed into place, so a reader sees
// the old bundle or the new one, never a mix. docs/checkpoints.md describes the files for tools.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "lever/estimator/exporter.h"
#include "lever/estimator/job.h"
#include "lever/train/hooks.h"

namespace lever {

/// Writes `job`'s model with the estimator's current variables (it must have trained, evaluated or
/// predicted, so they exist) to `directory`, replacing a bundle there. `metrics` is the evaluation of
/// these variables, kept in the manifest. Throws ConfigError when `directory` exists and is not a bundle
/// (nothing is overwritten) and IoError when a file cannot be written.
void ExportBundle(const Job& job, const std::string& directory, const std::map<std::string, double>& metrics = {});

/// The same from the newest good checkpoint in the job's run.model_dir (its estimator need not have
/// run). Returns that checkpoint's step. Throws ConfigError when there is no checkpoint.
int64_t ExportBundleFromCheckpoint(const Job& job, const std::string& directory,
                                   const std::map<std::string, double>& metrics = {});

/// Loads a bundle: checks the manifest's format and version and every file's size and checksum, reads
/// the config and schema, builds the feature columns with their fitted statistics, the head and an
/// estimator whose model_dir is the bundle's variables/ (Predict and Evaluate restore from it; do not
/// train it). Throws IoError naming the file and what is wrong.
Job LoadBundle(const std::string& directory);

/// The manifest (bundle.json) of a bundle, checked for format and version. Throws IoError.
nlohmann::json ReadBundleManifest(const std::string& directory);

/// Exports the job's model as a bundle after evaluations of train_and_evaluate (EvalSpec::exporters),
/// into `<base_directory>/<global step>/`, keeping the newest `keep` bundles there:
///   kFinal   once, after training ends;
///   kLatest  after every evaluation;
///   kBest    after each evaluation whose `metric` beats every earlier export's (their manifests are read
///            at the start, so a resumed run continues the comparison).
class BundleExporter : public Exporter {
 public:
  enum class Strategy { kFinal, kLatest, kBest };
  /// `job` must outlive the exporter; its estimator is the one trained.
  BundleExporter(const Job& job, std::string base_directory, Strategy strategy, std::string metric = "loss",
                 bool maximize = false, int keep = 5);
  void Export(Estimator& estimator, const EvalReport& report, bool is_final) override;
  /// Bundles written by this exporter in this run, in order.
  const std::vector<std::string>& exported() const { return exported_; }

 private:
  const Job& job_;
  std::string base_;
  Strategy strategy_;
  std::string metric_;
  bool maximize_;
  int keep_;
  bool have_best_ = false;
  double best_ = 0.0;
  std::vector<std::string> exported_;
};

/// "final", "latest" or "best" as a strategy; throws ConfigError naming the valid ones otherwise.
BundleExporter::Strategy ParseExportStrategy(const std::string& name);

}  // namespace lever
