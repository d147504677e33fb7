// Trains DNN estimators on scikit-learn's digits (written as CSV by digits_heads.py) with a multi-class
// head (10 classes) and a multi-label head (three labels per image: even, five or more, prime), and prints
// their test metrics as JSON for the script to compare with MLPClassifier's.
//
//   digits_driver <dir with train.csv and test.csv>
#include <cstdio>
#include <map>
#include <string>

#include "lever/data/csv_dataset.h"
#include "lever/estimator/canned.h"

namespace {

// The three labels of a digit, as digits_heads.py defines them.
lever::Tensor MultiLabels(const lever::Tensor& digits) {
  lever::Tensor y(digits.rows(), 3);
  for (lever::Index i = 0; i < digits.rows(); ++i) {
    const int d = static_cast<int>(digits(i, 0));
    y(i, 0) = d % 2 == 0 ? 1.0f : 0.0f;
    y(i, 1) = d >= 5 ? 1.0f : 0.0f;
    y(i, 2) = (d == 2 || d == 3 || d == 5 || d == 7) ? 1.0f : 0.0f;
  }
  return y;
}

std::map<std::string, double> TrainAndTest(lever::HeadPtr head, const lever::Dataset& train,
                                           const lever::Dataset& test) {
  lever::DnnOptions options;
  options.hidden_units = {100};
  options.activation = "relu";
  options.regularizer = lever::Regularizer{0.0, 1e-4};
  options.optimizer = {.name = "adam", .learning_rate = 0.001};
  auto estimator = lever::MakeDnnEstimator(std::move(head), options, lever::RunConfig{.seed = 1});
  estimator->Train(train, lever::TrainSpec{.max_steps = 2000, .batch_size = 200});
  return estimator->Evaluate(test);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: digits_driver <dir>\n");
    return 64;
  }
  const std::string dir = argv[1];
  lever::CsvDataset train = lever::ReadCsvDataset(dir + "/train.csv", "label");
  lever::CsvDataset test = lever::ReadCsvDataset(dir + "/test.csv", train);
  const lever::Standardizer z = lever::Standardizer::Fit(train.data.features);
  z.Apply(train.data.features);
  z.Apply(test.data.features);
  const auto multiclass = TrainAndTest(lever::MakeMultiClassHead(10), train.data, test.data);
  lever::Dataset train_ml = train.data, test_ml = test.data;
  train_ml.labels = MultiLabels(train.data.labels);
  test_ml.labels = MultiLabels(test.data.labels);
  const auto multilabel = TrainAndTest(lever::MakeMultiLabelHead(3), train_ml, test_ml);
  std::printf(
      "{\"multiclass_accuracy\": %.17g, \"multiclass_loss\": %.17g, \"multilabel_accuracy\": %.17g, "
      "\"multilabel_per_label_accuracy\": %.17g, \"multilabel_auc\": %.17g}\n",
      multiclass.at("accuracy"), multiclass.at("loss"), multilabel.at("accuracy"), multilabel.at("per_label_accuracy"),
      multilabel.at("auc"));
  return 0;
}
