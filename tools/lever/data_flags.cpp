#include "data_flags.h"

#include "lever/registry.h"

namespace lever::cli {

void DataFlags::Add(CLI::App* cmd, TrainingRunSpec& spec) {
  cmd->add_option("--dataset", spec.data.dataset,
                  "circle, xor, gauss, spiral (binary classification); spiral3, rings3 (3 classes), gauss4 (4 "
                  "classes); plane, multigauss (regression)")
      ->capture_default_str();
  cmd->add_option("--train-file", spec.data.train_file,
                  "CSV table to train on instead of a Playground dataset (header row; every column but --label "
                  "is a feature: numbers, or text as one 0/1 input per training value)");
  cmd->add_option("--test-file", spec.data.test_file,
                  "CSV table to evaluate on (same columns as --train-file); or --train-percent splits --train-file");
  cmd->add_option("--schema", spec.data.schema,
                  "schema YAML declaring the column types of --train-file (default: inferred from it)");
  cmd->add_option("--column-type", column_types,
                  "column=type (number, integer or string), repeatable or comma-separated: declares a column's type "
                  "on top of --schema or the inference from --train-file");
  cmd->add_option("--na-values", na_values,
                  "comma-separated texts that mean missing (default: empty, NA, N/A, NaN, nan, null, NULL, ?); "
                  "missing feature values take the training mean");
  cmd->add_option("--label", spec.data.label,
                  "the label column of --train-file/--test-file (numbers or text): text or two values binary, 0..k-1 "
                  "(k <= 32) classes, else regression; several, a,b,c, for a multi-label task (each column two "
                  "values, one sigmoid output each); the decision is printed")
      ->capture_default_str();
  cmd->add_option("--task", spec.data.task,
                  "auto, binary, multi_class, regression or multi_label: overrides the decision from the labels")
      ->capture_default_str();
  cmd->add_option("--label-vocabulary", label_vocabulary,
                  "the classes in id order, comma-separated (e.g. no,yes); every training label must be one");
  cmd->add_option("--positive-class", spec.data.positive_class,
                  "binary: the class that is 1 (default: the second sorted value)");
  cmd->add_flag("--standardize,!--no-standardize", spec.data.standardize,
                "standardize CSV features with the training file's mean and standard deviation (default on)");
  cmd->add_option("--validation-split", spec.data.validation_split,
                  "CSV: the share of training rows held out for early stopping, in [0, 1) (0 = none)")
      ->capture_default_str();
  cmd->add_option("--patience", spec.patience,
                  "CSV: stop after this many holdout checks (one every steps / 100) without a lower holdout loss, "
                  "and keep the best check's weights (0 = no early stopping)")
      ->capture_default_str();
  cmd->add_option("--features", features, "comma-separated inputs: x1, x2, x1_sq, x2_sq, x1_x2, sin_x1, sin_x2")
      ->capture_default_str();
  cmd->add_option("--noise", spec.data.noise, "label noise on the Playground's 0-50 scale")->capture_default_str();
  cmd->add_option(
         "--train-percent", spec.data.train_percent,
         "percent of points used for training (10-90); with --train-file and no --test-file, the share of its rows "
         "trained on (drawn by --seed), the rest tested")
      ->capture_default_str();
  cmd->add_option("--samples", spec.data.samples, "points to generate (0 = Playground's 500 / 1200)")
      ->capture_default_str();
}

void DataFlags::ApplyTo(TrainingRunSpec& spec) const {
  spec.data.features = SplitNames(features);
  if (!label_vocabulary.empty()) spec.data.label_vocabulary = SplitNames(label_vocabulary);
  if (!na_values.empty()) spec.data.na_values = SplitNames(na_values);
  spec.data.column_types = ParseColumnTypes(column_types, "--column-type");
}

}  // namespace lever::cli
