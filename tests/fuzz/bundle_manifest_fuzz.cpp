// An inference bundle's manifest (`lever predict --model DIR`): the input is DIR/bundle.json, beside the
// fixed files of a real exported bundle (tests/fuzz/bundle/: a wide_and_deep model with a multi_class head
// of 3 classes, a vocabulary file in assets/, one checkpoint in variables/). ReadBundleManifest reads the
// manifest alone, then LoadBundle checks it against those files; a bundle it accepts predicts two rows,
// formatted as `lever predict` writes them, so what the manifest sets (head, classes, class names, target
// scale) is used as well as parsed. corpus/bundle_manifest/ holds that bundle's bundle.json and variants.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "fuzz/fuzz_input.h"
#include "lever/error.h"
#include "lever/estimator/bundle.h"
#include "lever/estimator/predictions.h"

namespace {

namespace fs = std::filesystem;

// The fixture's files, copied once into this process's scratch directory (the loader reads nothing
// outside the bundle, and the repository's copy stays as it is).
const fs::path& BundleDirectory() {
  static const fs::path dir = [] {
    const fs::path d = lever::fuzz::ScratchDirectory() / "bundle";
    fs::remove_all(d);
    fs::copy(fs::path(LEVER_FUZZ_SOURCE_DIR) / "bundle", d, fs::copy_options::recursive);
    return d;
  }();
  return dir;
}

// Rows for the bundle's inputs (a, b, city), one with a city outside the vocabulary.
const std::string& InputFile() {
  static const std::string path = lever::fuzz::WriteInput("a,b,city\n0.2,0.7,paris\n0.9,0.4,rome\n", "input.csv");
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path& dir = BundleDirectory();
  lever::fuzz::WriteInput(lever::fuzz::AsText(data, size), "bundle/bundle.json");
  try {
    (void)lever::ReadBundleManifest(dir.string());  // alone, as exporters read earlier bundles' metrics
  } catch (const lever::Error&) {
  }
  try {
    const lever::Job job = lever::LoadBundle(dir.string());
    const lever::Examples examples = job.Read(InputFile(), false);
    const lever::Tensor p = job.estimator->Predict(examples);
    const lever::PredictionFormat format(job.HeadKind(), job.labels);
    (void)format.CsvHeader(p.cols());
    for (lever::Index i = 0; i < p.rows(); ++i) {
      (void)format.CsvRow(p, i);
      (void)format.JsonRow(p, i);
    }
  } catch (const lever::Error&) {
  }
  return 0;
}
