#include "lever/estimator/bundle.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include "io/yaml_reader.h"
#include "lever/checkpoint/checkpoint_manager.h"
#include "lever/error.h"
#include "lever/estimator/predictions.h"
#include "lever/features/config.h"
#include "lever/features/table_source.h"
#include "lever/io/atomic_file.h"
#include "lever/io/crc32c.h"
#include "lever/io/dir_lock.h"
#include "lever/io/excerpt.h"
#include "lever/io/text_file.h"
#include "lever/registry.h"
#include "lever/version.h"
#include "vocabulary_files.h"

namespace lever {
namespace {

nlohmann::ordered_json TargetScaleJson(const TargetScale& scale) {
  return {{"mean", scale.mean}, {"stddev", scale.stddev}};
}

namespace fs = std::filesystem;

constexpr const char* kFormat = "lever-bundle";
constexpr int kFormatVersion = 1;
constexpr const char* kManifest = "bundle.json";

// What a bundle may make lever read: the manifest, and each file it lists (the config, the schema, a
// vocabulary file). variables/ is a checkpoint, which checks its sizes itself.
constexpr uint64_t kMaxManifestBytes = uint64_t{16} << 20;
constexpr uint64_t kMaxBundleFileBytes = uint64_t{1} << 30;
constexpr const char* kManifestLimitText = "the 16 MiB a bundle.json may hold";

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path.string() + ": cannot read: " + std::strerror(errno));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// `name` (from the manifest or the config, so from whoever wrote the bundle) as a path inside the
// bundle `root`: relative, without "." or ".." parts, and inside root once symbolic links are resolved.
// A bundle reads nothing outside itself. Throws IoError naming `where`.
fs::path InsideBundle(const fs::path& root, const std::string& name, const std::string& where) {
  const fs::path relative(name);
  bool plain = !name.empty() && relative.is_relative() && !relative.has_root_name();
  for (const fs::path& part : relative) plain = plain && !part.empty() && part != "." && part != "..";
  if (!plain) {
    throw IoError(where + ": '" + name +
                  "' is not a plain path inside the bundle (no absolute paths, no . or .. parts); a bundle reads "
                  "nothing outside itself: export it again");
  }
  std::error_code error;
  const fs::path real_root = fs::canonical(root, error);
  const fs::path real = error ? fs::path() : fs::weakly_canonical(root / relative, error);
  const fs::path inside = real.lexically_relative(real_root);
  if (error || inside.empty() || *inside.begin() == "..") {
    throw IoError((root / relative).string() +
                  ": leads outside the bundle (a symbolic link?); a bundle reads nothing outside itself: export it "
                  "again");
  }
  return root / relative;
}

// The bytes of `path`, a regular file of at most `limit` bytes (`limit_text` says whose limit), never a
// device, a FIFO or a symbolic link: opened without following one and without waiting for a writer, and
// its size checked before reading.
std::string ReadBundleFile(const fs::path& path, uint64_t limit, const std::string& limit_text) {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    throw IoError(path.string() + ": cannot read: " + std::strerror(errno) +
                  (errno == ELOOP ? " (a symbolic link; a bundle holds its files itself)" : "") +
                  "; export the bundle again");
  }
  struct stat info {};
  std::string bytes;
  const auto fail = [&](const std::string& what) {
    close(fd);
    throw IoError(path.string() + ": " + what + "; export the bundle again");
  };
  if (fstat(fd, &info) != 0) fail(std::string("cannot read: ") + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) fail("not a regular file (a device, a FIFO or a directory); a bundle holds files");
  const auto size = static_cast<uint64_t>(info.st_size);
  if (size > limit) fail("is " + std::to_string(size) + " bytes, more than " + limit_text);
  bytes.resize(size);
  size_t done = 0;
  while (done < size) {
    const ssize_t got = read(fd, bytes.data() + done, size - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail(std::string("cannot read: ") + std::strerror(errno));
    if (got == 0) break;  // it shrank while read: the size check against the manifest names it
    done += static_cast<size_t>(got);
  }
  close(fd);
  bytes.resize(done);
  return bytes;
}

// The run config as the bundle keeps it: overrides applied, data paths absolute (for the record),
// no model_dir, vocabulary files copied into assets/ (`assets` maps each new name to its source).
std::string BundleConfig(const JobConfig& c, std::map<std::string, fs::path>& assets) {
  YAML::Node root = YAML::Load(c.resolved);
  root["data"]["train"] = fs::absolute(c.train).lexically_normal().string();
  root["data"]["eval"] = fs::absolute(c.eval).lexically_normal().string();
  // What belongs to the training run's directory stays there.
  if (root["run"] && root["run"].IsMap()) {
    root["run"].remove("model_dir");
    if (root["run"].size() == 0) root.remove("run");
  }
  if (root["eval"] && root["eval"].IsMap()) root["eval"].remove("export");
  std::map<fs::path, std::string> named;  // source -> name in assets/
  for (YAML::Node node : internal::VocabularyFileNodes(root)) {
    const fs::path source = internal::ResolveVocabularyFile(c.directory, node.as<std::string>());
    auto [pos, added] = named.emplace(source, "");
    if (added) {
      std::string name = source.filename().string();
      for (int k = 2; assets.count(name) != 0; ++k) name = std::to_string(k) + "-" + source.filename().string();
      pos->second = name;
      assets[name] = source;
    }
    node = "assets/" + pos->second;
  }
  YAML::Emitter out;
  out << root;
  return "# The run config of this bundle's model, every override applied (written by lever export).\n" +
         std::string(out.c_str()) + "\n";
}

void AddFeatureState(const FeatureSet* set, const std::string& prefix, CheckpointContents& c) {
  if (!set) return;
  MemoryState state;
  set->SaveState(state);
  for (const auto& [key, value] : state.tensors()) c.Add(prefix + key, RawTensor::FromTensor(value));
  for (const auto& [key, value] : state.scalars()) c.Add(prefix + key, RawTensor::FromScalar(value));
}

void LoadFeatureState(FeatureSet* set, const std::string& prefix, const MemoryState& all) {
  if (!set) return;
  MemoryState mine;
  for (const auto& [key, value] : all.tensors()) {
    if (key.rfind(prefix, 0) == 0) mine.WriteTensor(key.substr(prefix.size()), value);
  }
  for (const auto& [key, value] : all.scalars()) {
    if (key.rfind(prefix, 0) == 0) mine.WriteScalar(key.substr(prefix.size()), value);
  }
  set->LoadState(mine);
}

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// A directory that holds a lever bundle and nothing else, so replacing it loses nothing of the user's.
bool IsBundle(const fs::path& directory) {
  std::error_code error;
  if (!fs::is_regular_file(directory / kManifest, error)) return false;
  try {
    std::ifstream in(directory / kManifest);
    const nlohmann::json m = nlohmann::json::parse(in);
    if (!m.is_object() || m.value("format", "") != kFormat) return false;
  } catch (const std::exception&) {
    return false;
  }
  static const std::set<std::string> kParts = {kManifest, "config.yaml", "schema.yaml", "assets", "variables"};
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    if (kParts.count(entry.path().filename().string()) == 0) return false;
  }
  return !error;
}

// Puts the finished temporary bundle at `target`, swapping atomically with an earlier bundle there.
void Publish(const fs::path& temporary, const fs::path& target) {
  std::error_code error;
  if (!fs::exists(target)) {
    fs::rename(temporary, target, error);
    if (error) throw IoError(target.string() + ": cannot move the new bundle into place: " + error.message());
  } else if (renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
    fs::remove_all(temporary, error);  // now the old bundle
  } else {
    // A file system without exchange: move the old one aside first (a crash in between leaves the old
    // bundle at <name>.old-<pid> and the new one at its temporary name).
    const fs::path old = target.parent_path() / ("." + target.filename().string() + ".old-" + std::to_string(getpid()));
    fs::rename(target, old, error);
    if (error) throw IoError(target.string() + ": cannot move the earlier bundle aside: " + error.message());
    fs::rename(temporary, target, error);
    if (error) {
      std::error_code ignored;
      fs::rename(old, target, ignored);  // the earlier bundle back where it was
      throw IoError(target.string() + ": cannot move the new bundle into place: " + error.message());
    }
    fs::remove_all(old, error);
  }
  SyncDirectory(target.parent_path().empty() ? "." : target.parent_path().string());
}

void WriteBundle(const Job& job, CheckpointContents variables, const std::string& directory,
                 const std::map<std::string, double>& metrics, const std::string& origin) {
  const JobConfig& c = job.config;
  fs::path target = fs::path(directory).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  const std::string leaf = target.filename().string();
  if (leaf.empty() || leaf == "." || leaf == "..") {
    throw ConfigError("'" + directory + "' cannot be a bundle's directory: name a new one (for example " +
                      (fs::path(directory) / "bundle").lexically_normal().string() + ")");
  }
  if (fs::exists(target) && (!fs::is_directory(target) || (!IsBundle(target) && !fs::is_empty(target)))) {
    throw ConfigError(target.string() +
                      " exists and is not a lever bundle (or holds other files too); nothing was written: choose a new "
                      "directory or remove it");
  }
  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code error;
  fs::create_directories(parent, error);
  if (error) throw IoError("cannot create " + parent.string() + ": " + error.message());
  // One writer of bundles per directory (a flock on the directory itself, no lock file among the user's);
  // holding it, the half-written bundles of killed writers can go.
  const DirLock lock(parent.string(), "", "another lever process is writing a bundle in '" + parent.string() + "'",
                     "wait for it to end, then run again");
  RemoveStaleTemporaries(parent.string(), StaleTemporaries::kDirectoriesOnly);
  const fs::path temporary = parent / ("." + target.filename().string() + ".tmp-" + std::to_string(getpid()));
  fs::remove_all(temporary, error);
  fs::create_directories(temporary / "assets", error);
  if (error) {
    const std::string reason = error.message();
    fs::remove_all(temporary, error);
    throw IoError("cannot create " + (temporary / "assets").string() + " for the new bundle: " + reason);
  }
  try {
    nlohmann::ordered_json files = nlohmann::ordered_json::object();
    auto write = [&](const std::string& name, const std::string& bytes) {
      WriteFileAtomically((temporary / name).string(), bytes);
      files[name] = {{"bytes", bytes.size()}, {"crc32c", Crc32c(bytes)}};
    };
    std::map<std::string, fs::path> assets;
    write("config.yaml", BundleConfig(c, assets));
    for (const auto& [name, source] : assets) write("assets/" + name, ReadBytes(source));
    write("schema.yaml", job.schema.ToYaml());
    variables.config["bundle"] = {{"head", job.HeadKind()}, {"classes", job.head->LogitsDimension()}};
    if (!job.labels.classes.empty()) variables.config["bundle"]["class_names"] = job.labels.classes;
    if (!job.target_scale.identity()) variables.config["bundle"]["target_scale"] = TargetScaleJson(job.target_scale);
    AddFeatureState(job.wide.get(), "wide/", variables);
    AddFeatureState(job.deep.get(), "deep/", variables);
    CheckpointManager((temporary / "variables").string(), 1).Save(variables);

    nlohmann::ordered_json manifest{
        {"format", kFormat},     {"format_version", kFormatVersion}, {"lever_version", Version()},
        {"created", UtcNow()},   {"global_step", variables.step},    {"model", c.type},
        {"head", job.HeadKind()}};
    if (job.HeadKind() == "multi_class" || job.HeadKind() == "multi_label") {
      manifest["classes"] = job.head->LogitsDimension();
    }
    // Multi-label: each label column's two values, no then yes.
    if (job.HeadKind() == "multi_label") {
      nlohmann::ordered_json values = nlohmann::ordered_json::array();
      for (const LabelEncoding& part : job.labels.parts) values.push_back(part.classes);
      manifest["label_values"] = values;
    }
    // Regression: predictions are mean + stddev * the model's output.
    if (!job.target_scale.identity()) manifest["target_scale"] = TargetScaleJson(job.target_scale);
    // Class id -> name (binary: negative, positive), so predictions print the names the labels had.
    if (!job.labels.classes.empty()) manifest["class_names"] = job.labels.classes;
    manifest["label"] = c.label;
    nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
    for (const ColumnSchema& column : job.schema.columns) {
      if (std::find(c.labels.begin(), c.labels.end(), column.name) == c.labels.end()) {
        inputs.push_back({{"name", column.name}, {"type", ColumnTypeName(column.type)}});
      }
    }
    manifest["inputs"] = inputs;
    manifest["outputs"] = PredictionFormat(job.HeadKind(), job.labels).Columns(job.head->LogitsDimension());
    nlohmann::ordered_json evaluated = nlohmann::ordered_json::object();
    for (const auto& [name, value] : metrics) {
      if (name != "global_step") evaluated[name] = value;
    }
    manifest["metrics"] = evaluated;
    manifest["source"] = {{"config", c.source}, {"model_dir", c.run.model_dir}, {"train", c.train}, {"from", origin}};
    manifest["files"] = files;
    WriteFileAtomically((temporary / kManifest).string(), manifest.dump(2) + "\n");
    SyncDirectory((temporary / "assets").string());
    SyncDirectory(temporary.string());
    Publish(temporary, target);
  } catch (...) {
    fs::remove_all(temporary, error);
    throw;
  }
}

CheckpointContents VariablesOf(const Estimator& estimator) {
  CheckpointContents c;
  c.step = estimator.global_step();
  c.AddParameters(estimator.Variables());
  c.config["seed"] = estimator.config().seed;
  c.config["params"] = estimator.params().values();
  return c;
}

// The whole number at `key` of the manifest object `entry` (`what` names the entry), at most `max`. A
// float, a negative number, a text or a missing one is refused, never converted (a float beyond the
// integer's range would be undefined behaviour, and a truncated CRC-32C could match by chance).
uint64_t ManifestCount(const nlohmann::json& entry, const std::string& key, uint64_t max, const std::string& what) {
  const bool present = entry.is_object() && entry.contains(key);
  if (!present || !entry[key].is_number_unsigned() || entry[key].get<uint64_t>() > max) {
    throw IoError(what + ": " + key + " is " + (present ? entry[key].dump() : std::string("missing")) +
                  ", not a whole number from 0 to " + std::to_string(max) + "; the bundle is damaged: export it again");
  }
  return entry[key].get<uint64_t>();
}

// The manifest's target_scale (absent: the identity, as bundles were before it existed).
TargetScale TargetScaleFromManifest(const nlohmann::json& m, const std::string& where) {
  TargetScale scale;
  if (!m.contains("target_scale")) return scale;
  const nlohmann::json& t = m["target_scale"];
  if (!t.is_object() || !t.contains("mean") || !t.contains("stddev") || !t["mean"].is_number() ||
      !t["stddev"].is_number() || !std::isfinite(t["mean"].get<double>()) || !(t["stddev"].get<double>() > 0.0) ||
      !std::isfinite(t["stddev"].get<double>())) {
    throw IoError(where + ": target_scale " + t.dump() +
                  " is not {mean: <finite number>, stddev: <positive number>}; "
                  "the bundle is damaged: export it again");
  }
  scale.mean = t["mean"].get<double>();
  scale.stddev = t["stddev"].get<double>();
  return scale;
}

HeadPtr HeadFromManifest(const nlohmann::json& m, const std::string& where) {
  const std::string head = m.value("head", "");
  const Index classes = m.contains("classes") && m["classes"].is_number_integer() ? m["classes"].get<Index>() : 0;
  if (head == "regression") return MakeRegressionHead(1, TargetScaleFromManifest(m, where));
  if (head == "multi_label" && classes >= 2) {
    return MakeMultiLabelHead(classes, m.value("class_names", std::vector<std::string>{}));
  }
  const bool needs_classes = head == "multi_class";
  if (IsHeadName(head) && (!needs_classes || classes >= 2)) return MakeHead(head, classes);
  throw IoError(where + ": head '" + head + "' (classes " + (m.contains("classes") ? m["classes"].dump() : "none") +
                ") is not one this version reads: binary, regression, or multi_class / multi_label with classes >= 2");
}

// The label encoding a bundle was trained with: its head's task and the class names (a bundle written
// before class_names existed has classes 0..k-1, as its labels were then).
LabelEncoding LabelsFromManifest(const nlohmann::json& m, const Job& job, const std::string& where) {
  LabelEncoding labels;
  labels.column = job.config.label;
  labels.task = *ParseTask(job.HeadKind());
  const ColumnSchema* column = job.schema.Find(job.config.label);
  labels.numeric = column == nullptr || column->type != ColumnType::kString;
  if (labels.task == Task::kRegression) return labels;
  const Index k = labels.task == Task::kBinary ? 2 : job.head->LogitsDimension();
  if (m.contains("class_names")) {
    labels.classes = m["class_names"].get<std::vector<std::string>>();
  } else {
    for (Index id = 0; id < k; ++id) labels.classes.push_back(std::to_string(id));
  }
  if (static_cast<Index>(labels.classes.size()) != k) {
    throw IoError(where + ": " + std::to_string(labels.classes.size()) + " class_names for a " + TaskName(labels.task) +
                  " head of " + std::to_string(k) + " classes; the bundle is damaged: export it again");
  }
  if (labels.task == Task::kMultiLabel) {
    const nlohmann::json values = m.value("label_values", nlohmann::json());
    if (!values.is_array() || static_cast<Index>(values.size()) != k) {
      throw IoError(where + ": a multi_label bundle lists each label column's two values in label_values; it has " +
                    values.dump() + "; the bundle is damaged: export it again");
    }
    for (size_t j = 0; j < values.size(); ++j) {
      const nlohmann::json& two = values[j];
      if (!two.is_array() || two.size() != 2 || !two[0].is_string() || !two[1].is_string()) {
        throw IoError(where + ": label_values[" + std::to_string(j) + "] is " + two.dump() +
                      ", not two texts; the bundle is damaged: export it again");
      }
      LabelEncoding part;
      part.column = labels.classes[j];
      part.task = Task::kBinary;
      part.classes = two.get<std::vector<std::string>>();
      const ColumnSchema* schema_column = job.schema.Find(part.column);
      part.numeric = schema_column == nullptr || schema_column->type != ColumnType::kString;
      labels.parts.push_back(std::move(part));
    }
    labels.explanation = "labels " + job.config.label + ": multi-label columns from the bundle";
    return labels;
  }
  labels.explanation = "label '" + labels.column + "': classes from the bundle";
  return labels;
}

}  // namespace

nlohmann::json ReadBundleManifest(const std::string& directory) {
  const fs::path path = fs::path(directory) / kManifest;
  if (!fs::exists(path)) {
    throw IoError(directory + " is not a lever bundle (no " + kManifest + "); write one with lever export");
  }
  nlohmann::json m;
  const std::string bytes = ReadBundleFile(path, kMaxManifestBytes, kManifestLimitText);
  try {
    m = nlohmann::json::parse(bytes);
  } catch (const nlohmann::json::exception& e) {
    throw IoError(path.string() + ": not valid JSON (" + QuoteExcerpt(e.what(), 200) +
                  "); the bundle is damaged: export it again");
  }
  if (!m.is_object() || !m.contains("format") || m["format"] != kFormat) {
    throw IoError(path.string() + ": not a lever bundle manifest (format should be \"" + kFormat + "\")");
  }
  if (!m.contains("format_version") || !m["format_version"].is_number_integer() ||
      m["format_version"].get<int>() > kFormatVersion) {
    throw IoError(path.string() + ": bundle format_version " +
                  (m.contains("format_version") ? m["format_version"].dump() : "missing") + "; this lever (" +
                  Version() + ") reads version " + std::to_string(kFormatVersion) +
                  ": use a newer lever or export the model again");
  }
  return m;
}

void ExportBundle(const Job& job, const std::string& directory, const std::map<std::string, double>& metrics) {
  if (!job.estimator || job.estimator->Variables().empty()) {
    throw ConfigError(
        "the estimator has no variables yet: train, evaluate or predict before exporting (or export "
        "from the newest checkpoint)");
  }
  WriteBundle(job, VariablesOf(*job.estimator), directory, metrics,
              "variables at step " + std::to_string(job.estimator->global_step()));
}

int64_t ExportBundleFromCheckpoint(const Job& job, const std::string& directory,
                                   const std::map<std::string, double>& metrics) {
  const std::string& dir = job.config.run.model_dir;
  if (dir.empty() || !fs::exists(dir)) {
    throw ConfigError("no model directory " + (dir.empty() ? std::string("(run.model_dir or --job-dir)") : dir) +
                      ": train first");
  }
  LatestCheckpoint latest = CheckpointManager(dir).LatestGood();
  if (!latest.checkpoint) {
    throw ConfigError("no usable checkpoint in " + dir + latest.ProblemsText() + ": train first");
  }
  const CheckpointContents& from = *latest.checkpoint;
  CheckpointContents c;
  c.step = from.step;
  c.config = from.config;
  for (const auto& [name, tensor] : from.tensors) {
    if (name.rfind("model/", 0) == 0) c.Add(name, tensor);
  }
  WriteBundle(job, std::move(c), directory, metrics, CheckpointManager(dir).RecordPath(from.step));
  return from.step;
}

namespace {
Job LoadBundleChecked(const std::string& directory);
}  // namespace

Job LoadBundle(const std::string& directory) {
  try {
    return LoadBundleChecked(directory);
  } catch (const nlohmann::json::exception& e) {
    throw IoError((fs::path(directory) / kManifest).string() + ": a field has the wrong type (" +
                  QuoteExcerpt(e.what(), 200) + "); the bundle is damaged: export it again");
  }
}

namespace {

Job LoadBundleChecked(const std::string& directory) {
  const nlohmann::json m = ReadBundleManifest(directory);
  const fs::path root(directory);
  const std::string where = (root / kManifest).string();
  const std::string manifest_bytes = ReadBundleFile(root / kManifest, kMaxManifestBytes, kManifestLimitText);
  if (!m.contains("files") || !m["files"].is_object()) throw IoError(where + ": no files list; the bundle is damaged");
  const nlohmann::json& files = m["files"];
  std::vector<std::string> required = {"config.yaml", "schema.yaml"};
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root / "assets", error)) {
    required.push_back("assets/" + entry.path().filename().string());
  }
  for (const std::string& name : required) {
    if (!files.contains(name)) {
      throw IoError(where + ": " + name +
                    " is not in the files list, so it cannot be verified; export the bundle again");
    }
  }
  std::map<std::string, std::string> verified;  // name -> bytes, each matching the manifest
  for (const auto& [name, entry] : files.items()) {
    const fs::path path = InsideBundle(root, name, where);
    if (!fs::exists(fs::symlink_status(path))) {
      throw IoError(path.string() + ": missing from the bundle; export it again");
    }
    const std::string what = where + ": files[\"" + name + "\"]";
    const uint64_t expected = ManifestCount(entry, "bytes", std::numeric_limits<uint64_t>::max(), what);
    const uint64_t crc = ManifestCount(entry, "crc32c", std::numeric_limits<uint32_t>::max(), what);
    const std::string bytes =
        expected <= kMaxBundleFileBytes
            ? ReadBundleFile(path, expected, "the " + std::to_string(expected) + " bytes bundle.json lists for it")
            : ReadBundleFile(path, kMaxBundleFileBytes,
                             "the " + std::to_string(kMaxBundleFileBytes) + " bytes a bundle's file may hold");
    if (bytes.size() != expected || Crc32c(bytes) != crc) {
      throw IoError(path.string() +
                    ": does not match the manifest (its size or CRC-32C differs); the bundle is "
                    "damaged: export it again");
    }
    verified[name] = bytes;
  }
  // The config's vocabulary files must be verified files of the bundle (lever export points each at
  // its copy in assets/), never a path outside it.
  for (const YAML::Node& node : internal::VocabularyFileNodes(
           internal::ParseYaml(verified["config.yaml"], (root / "config.yaml").string()).node())) {
    const std::string name = node.Scalar();
    InsideBundle(root, name, (root / "config.yaml").string());
    if (verified.count(fs::path(name).lexically_normal().string()) == 0) {
      throw IoError((root / "config.yaml").string() + ": vocabulary_file '" + name +
                    "' is not one of the files bundle.json lists, so it cannot be verified; export the bundle again");
    }
  }
  const fs::path variables = InsideBundle(root, "variables", where);
  if (!fs::is_directory(fs::symlink_status(variables))) {
    throw IoError(variables.string() + ": not a directory of the bundle; export it again");
  }
  for (const auto& file : fs::directory_iterator(variables, error)) {
    if (!file.is_regular_file() || file.is_symlink()) {
      throw IoError(file.path().string() +
                    ": not a regular file; a bundle's variables/ holds checkpoint files only: "
                    "export it again");
    }
  }
  Job job;
  job.config = LoadJobConfig((root / "config.yaml").string());
  job.config.run.model_dir = variables.string();
  job.schema = ParseSchema(verified["schema.yaml"], (root / "schema.yaml").string());
  const JobConfig& c = job.config;
  MakeJobColumns(job);
  LatestCheckpoint latest = CheckpointManager(c.run.model_dir).LatestGood();
  if (!latest.checkpoint) {
    throw IoError(c.run.model_dir + ": no usable checkpoint" + latest.ProblemsText() +
                  "; the bundle is damaged: export it again");
  }
  const nlohmann::json global_step = m.value("global_step", nlohmann::json());
  if (!global_step.is_number_integer() || global_step.get<int64_t>() != latest.checkpoint->step) {
    throw IoError(where + ": global_step " + global_step.dump() + " but variables/ holds step " +
                  std::to_string(latest.checkpoint->step) + "; the bundle is damaged: export it again");
  }
  // Bound to an empty table of the schema's columns (Read binds again to each file's).
  Table empty;
  for (const ColumnSchema& column : job.schema.columns)
    empty.columns.push_back({.name = column.name, .type = column.type});
  const TableSource source(empty, (root / "schema.yaml").string());
  const MemoryState state = latest.checkpoint->State();
  if (job.wide) job.wide->Bind(source);
  if (job.deep) job.deep->Bind(source);
  LoadFeatureState(job.wide.get(), "wide/", state);
  LoadFeatureState(job.deep.get(), "deep/", state);
  job.head = HeadFromManifest(m, where);
  job.target_scale = TargetScaleFromManifest(m, where);
  // The head also travels in the checkpoint, under its checksum: the manifest must agree with it.
  const nlohmann::json& saved = latest.checkpoint->config;
  const nlohmann::json saved_scale =
      saved.contains("bundle") ? saved["bundle"].value("target_scale", nlohmann::json()) : nlohmann::json();
  const nlohmann::json manifest_scale = m.value("target_scale", nlohmann::json());
  if (saved.contains("bundle") &&
      (saved["bundle"].value("head", "") != job.HeadKind() ||
       saved["bundle"].value("classes", nlohmann::json()) != nlohmann::json(job.head->LogitsDimension()) ||
       saved_scale != manifest_scale)) {
    throw IoError(where + ": head '" + m.value("head", "") +
                  "' differs from the one its variables were exported with (" + saved["bundle"].dump() +
                  "); the bundle is damaged: export it again");
  }
  job.labels = LabelsFromManifest(m, job, where);
  if (saved.contains("bundle") && saved["bundle"].contains("class_names") &&
      saved["bundle"]["class_names"] != nlohmann::json(job.labels.classes)) {
    throw IoError(where + ": class_names differ from the ones its variables were exported with (" +
                  saved["bundle"].dump() + "); the bundle is damaged: export it again");
  }
  job.estimator = MakeJobEstimator(job);
  if (ReadBundleFile(root / kManifest, kMaxManifestBytes, kManifestLimitText) != manifest_bytes) {
    throw IoError(where + ": the bundle was replaced while it was being read; load it again");
  }
  return job;
}

}  // namespace

BundleExporter::Strategy ParseExportStrategy(const std::string& name) {
  if (name == "final") return BundleExporter::Strategy::kFinal;
  if (name == "latest") return BundleExporter::Strategy::kLatest;
  if (name == "best") return BundleExporter::Strategy::kBest;
  throw ConfigError("'" + name + "' is not an export strategy; valid: final, latest, best");
}

BundleExporter::BundleExporter(const Job& job, std::string base_directory, Strategy strategy, std::string metric,
                               bool maximize, int keep)
    : job_(job),
      base_(std::move(base_directory)),
      strategy_(strategy),
      metric_(std::move(metric)),
      maximize_(maximize),
      keep_(keep) {
  if (keep_ < 1) throw ConfigError("an exporter keeps at least one bundle (keep " + std::to_string(keep_) + ")");
  if (base_.empty()) throw ConfigError("an exporter needs a directory (a run.model_dir)");
}

namespace {

// The step-named bundles under `base`, ascending.
std::vector<int64_t> ExportedSteps(const fs::path& base) {
  std::vector<int64_t> steps;
  std::error_code error;
  if (!fs::is_directory(base, error)) return steps;
  for (const auto& entry : fs::directory_iterator(base, error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      continue;
    if (IsBundle(entry.path())) steps.push_back(std::stoll(name));
  }
  std::sort(steps.begin(), steps.end());
  return steps;
}

}  // namespace

void BundleExporter::Export(Estimator& /*estimator*/, const EvalReport& report, bool is_final) {
  if (strategy_ == Strategy::kFinal && !is_final) return;
  if (strategy_ == Strategy::kBest) {
    const auto it = report.metrics.find(metric_);
    if (it == report.metrics.end()) {
      const std::string names = JoinNames(report.metrics, [](const auto& metric) { return metric.first; });
      throw ConfigError("export metric '" + metric_ + "' is not one of this head's metrics: " + names);
    }
    if (!have_best_) {
      // A resumed run: the earlier exports' metrics are the ones to beat.
      for (const int64_t step : ExportedSteps(base_)) {
        const nlohmann::json m = ReadBundleManifest((fs::path(base_) / std::to_string(step)).string());
        if (m.contains("metrics") && m["metrics"].contains(metric_) && m["metrics"][metric_].is_number()) {
          const double v = m["metrics"][metric_].get<double>();
          if (!have_best_ || (maximize_ ? v > best_ : v < best_)) best_ = v;
          have_best_ = true;
        }
      }
    }
    const double value = it->second;
    if (!std::isfinite(value)) return;  // a NaN evaluation is never the best
    if (have_best_ && !(maximize_ ? value > best_ : value < best_)) return;
    best_ = value;
    have_best_ = true;
  }
  const std::string directory = (fs::path(base_) / std::to_string(report.step)).string();
  ExportBundle(job_, directory, report.metrics);
  exported_.push_back(directory);
  // The newest `keep` stay, and always the one just written (an earlier run may have left later steps).
  std::vector<int64_t> steps = ExportedSteps(base_);
  std::erase(steps, report.step);
  std::error_code error;
  for (size_t k = 0; k + static_cast<size_t>(keep_) < steps.size() + 1; ++k) {
    fs::remove_all(fs::path(base_) / std::to_string(steps[k]), error);
  }
}

}  // namespace lever
