#include "lever/estimator/job.h"

#include <algorithm>

#include "lever/data/csv_dataset.h"
#include "lever/error.h"
#include "lever/features/config.h"
#include "lever/features/table_source.h"

namespace lever {
namespace {

Tensor Labels(const Table& table, const std::string& label) {
  const TableColumn& column = table.Column(label);
  Tensor y(table.num_rows, 1);
  for (int64_t i = 0; i < table.num_rows; ++i) y(i, 0) = column.NumberAt(static_cast<size_t>(i));
  return y;
}

}  // namespace

FeatureSet NumericFeatureColumns(const Schema& schema, const std::string& label, const std::string& file) {
  FeatureSet set;
  for (const ColumnSchema& column : schema.columns) {
    if (column.name == label) continue;
    if (column.type == ColumnType::kString) {
      throw ConfigError(file + ": column '" + column.name +
                        "' holds text; list feature_columns in the run config (a categorical column with an "
                        "embedding, for example) to use it");
    }
    set.Add(NumericColumn(column.name));
  }
  return set;
}

HeadPtr MakeJobHead(const JobConfig& c, const Tensor& labels) {
  const LabelSummary s = SummarizeLabels(labels);
  const std::string head = c.head == "auto" ? (s.kind == LabelKind::kBinary       ? "binary"
                                               : s.kind == LabelKind::kMultiClass ? "multi_class"
                                                                                  : "regression")
                                            : c.head;
  if (head == "binary") return MakeBinaryClassHead();
  if (head == "multi_class") {
    if (s.kind == LabelKind::kRegression) {
      throw ConfigError(c.source + ": estimator.head multi_class needs whole-number class ids 0..k-1 in '" + c.label + "'");
    }
    return MakeMultiClassHead(std::max<Index>(2, s.num_classes));
  }
  return MakeRegressionHead();
}

void MakeJobColumns(Job& job) {
  const JobConfig& c = job.config;
  auto columns = [&](const char* key) {
    return std::make_unique<FeatureSet>(ParseFeatureColumns(c.text, c.source, c.directory, key));
  };
  if (c.type == "wide_and_deep") {
    job.wide = columns("wide_columns");
    job.deep = columns("deep_columns");
  } else {
    auto set = c.feature_columns ? columns("feature_columns")
                                 : std::make_unique<FeatureSet>(NumericFeatureColumns(job.schema, c.label, c.train));
    (c.type == "linear" ? job.wide : job.deep) = std::move(set);
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
  InferOptions infer;
  infer.label = c.label;
  infer.sample_rows = 0;
  job.schema = InferSchema(c.train, csv, infer).schema;
  job.train = ReadTable(c.train, job.schema);
  const TableSource train_source(job.train, c.train);
  MakeJobColumns(job);
  // Fitted on the training file: the same file gives the same statistics, and a bundle
  // (lever/estimator/bundle.h) carries them to where the training file is not.
  if (job.wide) job.wide->Fit(train_source);
  if (job.deep) job.deep->Fit(train_source);
  job.train_labels = Labels(job.train, c.label);
  job.head = MakeJobHead(c, job.train_labels);
  job.estimator = MakeJobEstimator(job);
  return job;
}

Examples Job::Make(const Table& table, const std::string& file, Tensor labels) const {
  const TableSource source(table, file);
  // Bound to this table's layout: a table without the label column has the others at other positions.
  if (wide) wide->Bind(source);
  if (deep) deep->Bind(source);
  return MakeExamples(wide.get(), deep.get(), source, std::move(labels));
}

Examples Job::Read(const std::string& path, bool with_labels) const {
  Schema read_schema = schema;
  if (!with_labels) {
    std::erase_if(read_schema.columns, [&](const ColumnSchema& col) { return col.name == config.label; });
    read_schema.label.clear();
  }
  const Table table = ReadTable(path, read_schema);
  return Make(table, path, with_labels ? Labels(table, config.label) : Tensor(table.num_rows, 0));
}

Examples Job::TrainExamples() const {
  if (train.num_rows == 0) throw ConfigError("this job has no training table (it was loaded from a bundle)");
  return Make(train, config.train, train_labels);
}

std::string Job::HeadKind() const {
  const std::string name = head->Name();
  if (name == "binary_classification") return "binary";
  if (name == "multi_class_classification") return "multi_class";
  return "regression";
}

}  // namespace lever
