#include "lever/estimator/job.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "lever/data/labels.h"
#include "lever/error.h"
#include "lever/features/config.h"
#include "lever/features/table_source.h"
#include "lever/io/crc32c.h"
#include "lever/io/text_file.h"
#include "vocabulary_files.h"

namespace lever {
namespace {

constexpr const char* kJobState = "hooks/job/";
constexpr const char* kLabelsKey = "hooks/job/labels";

// CRC-32C of the task and the class names: a checkpoint's classes must be the ones the training file gives.
double LabelsFingerprint(const LabelEncoding& labels) {
  std::string text = TaskName(labels.task);
  for (const std::string& name : labels.classes) text += '\n' + name;
  return static_cast<double>(Crc32c(text));
}

// CRC-32C of the training file's schema and the column lists, each vocabulary file's name replaced by its
// contents' CRC (so the fingerprint does not depend on where the config is run from).
double JobFingerprint(const Job& job) {
  uint32_t crc = Crc32c(job.schema.ToYaml());
  YAML::Node root = YAML::Load(job.config.text);
  for (YAML::Node node : internal::VocabularyFileNodes(root)) {
    const std::string path = internal::ResolveVocabularyFile(job.config.directory, node.as<std::string>()).string();
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    node = "crc32c:" + std::to_string(Crc32c(bytes));
  }
  for (const char* key : {"feature_columns", "wide_columns", "deep_columns"}) {
    if (!root[key]) continue;
    YAML::Emitter out;
    out << root[key];
    crc = Crc32c(std::string(key) + ":" + out.c_str(), crc);
  }
  return static_cast<double>(crc);
}

MemoryState JobState(const Job& job) {
  MemoryState out;
  auto add = [&](const FeatureSet* set, const std::string& name) {
    if (!set) return;
    MemoryState state;
    set->SaveState(state);
    for (const auto& [key, value] : state.tensors()) out.WriteTensor(kJobState + name + key, value);
    for (const auto& [key, value] : state.scalars()) out.WriteScalar(kJobState + name + key, value);
  };
  add(job.wide.get(), "wide/");
  add(job.deep.get(), "deep/");
  out.WriteScalar(std::string(kJobState) + "fingerprint", JobFingerprint(job));
  out.WriteScalar(kLabelsKey, LabelsFingerprint(job.labels));
  return out;
}

void CheckState(const MemoryState& mine, const StateReader& saved, const std::string& where, const Job& job) {
  const std::string fix =
      ": its weights would meet inputs they were not trained on. Train in a new model directory, or "
      "put back the files it was trained with";
  const std::string fingerprint = std::string(kJobState) + "fingerprint";
  for (const auto& [key, value] : mine.scalars()) {
    if (key == fingerprint || !saved.Has(key) || saved.ReadScalar(key) == value) continue;
    if (key == kLabelsKey) {
      throw ConfigError(where + " was trained with other label classes than " + job.config.train + " gives now (" +
                        job.labels.explanation + "; the training file or the label settings changed)" + fix);
    }
    std::ostringstream msg;
    msg.precision(9);
    msg << where << " was trained with other feature statistics than " << job.config.train << " gives now ("
        << key.substr(std::string(kJobState).size()) << ": " << saved.ReadScalar(key) << " then, " << value
        << " now; the training file changed)" << fix;
    throw ConfigError(msg.str());
  }
  for (const auto& [key, value] : mine.tensors()) {
    if (!saved.Has(key)) continue;
    const Tensor& then = saved.ReadTensor(key);
    if (then.rows() != value.rows() || then.cols() != value.cols() || then != value) {
      throw ConfigError(where + " was trained with other feature statistics than " + job.config.train + " gives now (" +
                        key.substr(std::string(kJobState).size()) + "; the training file changed)" + fix);
    }
  }
  if (saved.Has(fingerprint) && saved.ReadScalar(fingerprint) != mine.ReadScalar(fingerprint)) {
    throw ConfigError(where +
                      " was trained with other feature columns, vocabulary files or training-file columns than " +
                      job.config.source + " gives now" + fix);
  }
}

class JobStateHook : public Hook {
 public:
  explicit JobStateHook(const Job& job) : job_(job), state_(JobState(job)) {}
  void SaveState(const Learner& /*learner*/, StateWriter& out) const override {
    for (const auto& [key, value] : state_.tensors()) out.WriteTensor(key, value);
    for (const auto& [key, value] : state_.scalars()) out.WriteScalar(key, value);
  }
  void LoadState(Learner& /*learner*/, const StateReader& in) override {
    CheckState(state_, in, "the checkpoint in " + job_.config.run.model_dir, job_);
  }

 private:
  const Job& job_;
  MemoryState state_;
};

}  // namespace

std::shared_ptr<Hook> MakeJobStateHook(const Job& job) { return std::make_shared<JobStateHook>(job); }

void CheckJobState(const Job& job, const StateReader& checkpoint_state, const std::string& where) {
  CheckState(JobState(job), checkpoint_state, where, job);
}

FeatureSet NumericFeatureColumns(const Schema& schema, const std::vector<std::string>& labels,
                                 const std::string& file) {
  FeatureSet set;
  for (const ColumnSchema& column : schema.columns) {
    if (std::find(labels.begin(), labels.end(), column.name) != labels.end()) continue;
    if (column.type == ColumnType::kString) {
      throw ConfigError(file + ": column '" + column.name +
                        "' holds text; list feature_columns in the run config (a categorical column with an "
                        "embedding, for example) to use it");
    }
    set.Add(NumericColumn(column.name));
  }
  return set;
}

std::vector<std::string> MaterializeDefaultColumns(JobConfig& c, const Table& train) {
  const ModelType& type = FindModelType(c.type);
  bool any_text = false;
  for (const TableColumn& column : train.columns) {
    const bool label = std::find(c.labels.begin(), c.labels.end(), column.name) != c.labels.end();
    any_text |= !label && column.type == ColumnType::kString;
  }
  if (!any_text || c.feature_columns || c.wide_columns || c.deep_columns || (type.wide && type.deep)) return {};
  std::vector<std::string> notes;
  YAML::Node list(YAML::NodeType::Sequence);
  for (const TableColumn& column : train.columns) {
    if (std::find(c.labels.begin(), c.labels.end(), column.name) != c.labels.end()) continue;
    YAML::Node item;
    if (column.type != ColumnType::kString) {
      item["numeric"] = column.name;
      list.push_back(item);
      continue;
    }
    if (c.schema.empty() && c.column_types.count(column.name) == 0) {
      CheckTextIsNotMostlyNumbers(train, column.name, c.train, "data.na_values, e.g. [\"\", \"?\"]",
                                  "data.column_types: {" + column.name + ": string}");
    }
    // A text column: its training values as the vocabulary (a missing value, the empty text, and a value
    // the training file lacks share the one out-of-vocabulary bucket); many values: hashed.
    const std::vector<std::string> values = PresentValues(column);
    YAML::Node categorical;
    categorical["key"] = column.name;
    std::string rule;
    Index buckets = 1;
    if (values.size() <= kMaxDefaultVocabulary) {
      categorical["vocabulary"] = values;
      categorical["oov_buckets"] = 1;
      buckets = static_cast<Index>(values.size()) + 1;
      rule = std::to_string(values.size()) + " values + 1 for missing or unseen";
    } else {
      while (buckets < static_cast<Index>(values.size())) buckets *= 2;
      categorical["hash_buckets"] = buckets;
      rule = std::to_string(values.size()) + " values hashed into " + std::to_string(buckets) + " buckets";
    }
    if (type.deep) {
      item["embedding"]["categorical"] = categorical;
      notes.push_back("column '" + column.name + "': text, " + rule + " -> an embedding of " +
                      std::to_string(DefaultEmbeddingDimension(buckets)) + " (round(" + std::to_string(buckets) +
                      " ^ 0.25))");
    } else {
      item["categorical"] = categorical;
      notes.push_back("column '" + column.name + "': text, " + rule + " -> a categorical column (one weight each)");
    }
    list.push_back(item);
  }
  // Written into the config, so checkpoints, eval, predict and bundles see the same columns the training did.
  for (std::string* text : {&c.text, &c.resolved}) {
    YAML::Node root = YAML::Load(*text);
    root["feature_columns"] = list;
    YAML::Emitter out;
    out << root;
    *text = std::string(out.c_str()) + "\n";
  }
  c.feature_columns = true;
  return notes;
}

LabelOptions JobLabelOptions(const JobConfig& c) {
  LabelOptions options;
  options.task = c.head;
  options.vocabulary = c.label_vocabulary;
  options.positive_class = c.positive_class;
  options.override_hint = [](Task task) { return std::string("--estimator.head=") + TaskName(task); };
  return options;
}

HeadPtr MakeJobHead(const LabelEncoding& labels, const TargetScale& scale) {
  switch (labels.task) {
    case Task::kBinary:
      return MakeBinaryClassHead();
    case Task::kMultiClass:
      return MakeMultiClassHead(labels.Outputs());
    case Task::kRegression:
      return MakeRegressionHead(1, scale);
    case Task::kMultiLabel:
      return MakeMultiLabelHead(labels.Outputs(), labels.classes);
  }
  return MakeRegressionHead(1, scale);
}

void MakeJobColumns(Job& job) {
  const JobConfig& c = job.config;
  auto columns = [&](const char* key) {
    return std::make_unique<FeatureSet>(ParseFeatureColumns(c.text, c.source, c.directory, key));
  };
  const ModelType& type = FindModelType(c.type);
  if (type.wide && type.deep) {
    job.wide = columns("wide_columns");
    job.deep = columns("deep_columns");
  } else {
    auto set = c.feature_columns ? columns("feature_columns")
                                 : std::make_unique<FeatureSet>(NumericFeatureColumns(job.schema, c.labels, c.train));
    (type.wide ? job.wide : job.deep) = std::move(set);
  }
}

std::unique_ptr<Estimator> MakeJobEstimator(const Job& job) {
  const JobConfig& c = job.config;
  WideDeepOptions options;
  options.use_wide = job.wide != nullptr;
  options.use_deep = job.deep != nullptr;
  options.hidden_units = c.hidden_units;
  options.activation = c.activation;
  options.dropout = c.dropout;
  options.linear_optimizer = {.name = c.linear_optimizer, .learning_rate = c.linear_learning_rate};
  options.linear_regularizer = {c.l1, c.l2};
  options.dnn_optimizer = {.name = c.optimizer, .learning_rate = c.learning_rate};
  return MakeWideDeepEstimator(job.head, job.wide.get(), job.deep.get(), options, c.run);
}

Job PrepareJob(JobConfig config) {
  Job job;
  job.config = std::move(config);
  const JobConfig& c = job.config;
  const CsvOptions csv;
  if (!c.schema.empty()) {
    job.schema = LoadSchema(c.schema);
    for (const std::string& label : c.labels) {
      if (job.schema.Find(label) == nullptr) {
        throw ConfigError(c.schema + ": the label column '" + label + "' (data.label in " + c.source +
                          ") is not one of the schema's columns; add it");
      }
    }
    job.schema.label = c.labels.front();
    if (c.na_values) job.schema.missing_values = *c.na_values;
  } else {
    InferOptions infer;
    infer.label = c.labels.front();
    infer.sample_rows = 0;
    if (c.na_values) infer.missing_values = *c.na_values;
    job.schema = InferSchema(c.train, csv, infer).schema;
  }
  ApplyColumnTypes(job.schema, c.column_types, c.source + ": data.column_types");
  job.train = ReadTable(c.train, job.schema);
  if (!c.feature_columns && !c.wide_columns && !c.deep_columns) CheckNoEmptyColumns(job.train, c.train);
  job.column_notes = MaterializeDefaultColumns(job.config, job.train);
  const TableSource train_source(job.train, c.train);
  MakeJobColumns(job);
  // Fitted on the training file: the same file gives the same statistics, and a bundle
  // (lever/estimator/bundle.h) carries them to where the training file is not.
  if (job.wide) job.wide->Fit(train_source);
  if (job.deep) job.deep->Fit(train_source);
  job.summary = SummarizeTable(job.train);
  for (const FeatureSet* set : {job.wide.get(), job.deep.get()}) {
    if (set == nullptr) continue;
    for (const FeatureColumnPtr& column : set->columns()) {
      const auto imputation = column->imputation();
      if (!imputation) continue;
      ColumnSummary* summary = job.summary.Find(imputation->key);
      if (summary != nullptr && summary->missing > 0) summary->imputed = imputation->value;
    }
  }
  try {
    if (c.labels.size() > 1) {
      const std::optional<Task> task = ParseTask(c.head);
      if (task && task != Task::kMultiLabel) {
        throw ConfigError(std::string("data.label lists several columns: a multi_label task, not estimator.head ") +
                          TaskName(*task));
      }
      if (!c.label_vocabulary.empty() || !c.positive_class.empty()) {
        throw ConfigError(
            "estimator.label_vocabulary and estimator.positive_class apply to one label column; "
            "data.label lists several (each is a yes/no column: 0/1, or two texts whose second "
            "sorted one is yes)");
      }
      job.labels = DecideMultiLabels(job.train, c.labels, c.train);
    } else {
      job.labels = DecideLabels(job.train.Column(c.label), JobLabelOptions(c), c.train, job.train.lines);
    }
  } catch (const ConfigError& e) {
    throw ConfigError(c.source + ": " + e.message());
  }
  job.train_labels = job.labels.Encode(job.train, c.train);
  if (job.labels.task == Task::kRegression) job.target_scale = TargetScale::Fit(job.train_labels);
  job.head = MakeJobHead(job.labels, job.target_scale);
  job.estimator = MakeJobEstimator(job);
  return job;
}

Examples Job::Make(const Table& table, const std::string& file, Tensor targets) const {
  const TableSource source(table, file);
  // Bound to this table's layout: a table without the label column has the others at other positions.
  if (wide) wide->Bind(source);
  if (deep) deep->Bind(source);
  return MakeExamples(wide.get(), deep.get(), source, std::move(targets));
}

Examples Job::Read(const std::string& path, bool with_labels) const {
  Schema read_schema = schema;
  if (!with_labels) {
    std::erase_if(read_schema.columns, [&](const ColumnSchema& col) {
      return std::find(config.labels.begin(), config.labels.end(), col.name) != config.labels.end();
    });
    read_schema.label.clear();
  }
  const Table table = ReadTable(path, read_schema);
  return Make(table, path, with_labels ? labels.Encode(table, path) : Tensor(table.num_rows, 0));
}

Examples Job::TrainExamples() const {
  if (train.num_rows == 0) throw ConfigError("this job has no training table (it was loaded from a bundle)");
  return Make(train, config.train, train_labels);
}

std::string Job::HeadKind() const { return HeadKindName(*head); }

}  // namespace lever
