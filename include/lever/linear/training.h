#pragma once
// Training and evaluating linear models on sparse data: from a streamed file or from rows in memory.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "lever/data/libsvm_file.h"
#include "lever/linear/linear_model.h"
#include "lever/optim/convergence.h"

namespace lever {

/// A label as the model's loss needs it: 0/1 for logistic losses (LIBSVM's +1/-1 become 1/0: positive
/// means 1), class ids for softmax, values for regression.
float PrepareLabel(const std::string& loss, float raw);

struct LinearTrainOptions {
  /// Examples per step; 0 picks one: min(256, ceil(rows / 16)) for rows in memory (at least 16 steps a
  /// pass, so a small table is not trained by a few full-batch steps), 256 for a stream.
  Index batch_size = 0;
  /// Steps to train; 0 means `passes` passes over the data.
  int64_t steps = 0;
  /// Passes when `steps` is 0; 0 means until converged: rows in memory train pass after pass until the
  /// mean training loss of a pass has not fallen below the best by more than `tolerance` (relative to the
  /// best, or to 1e-4 when the best is below it) for
  /// `patience` passes in a row, or `max_passes` are done (scikit-learn's SGD rule); a stream takes 1 pass.
  double passes = 0.0;
  int64_t max_passes = 100;
  double tolerance = 1e-3;
  int64_t patience = 5;
  /// Progress callback cadence in steps (0 = never).
  int64_t report_every = 0;
  /// In-memory training: the order of pass p is a shuffle drawn from (seed, p).
  uint64_t seed = 1;
};

/// The batch size `options` gives for `rows` examples in memory (rows < 0: a stream).
Index LinearBatchSize(const LinearTrainOptions& options, int64_t rows);

struct LinearProgress {
  int64_t step = 0;
  int64_t examples = 0;
  double loss = 0.0;    // mean batch loss since the last report
  double passes = 0.0;  // passes completed (streams count whole passes only)
  double seconds = 0.0;
};
using LinearProgressFn = std::function<void(const LinearProgress&)>;

/// Trains from a stream until `steps` steps, or `passes` whole passes, are done (or the stream ends).
/// Returns the steps taken; *convergence, if given, says whether the loss was still falling at the end.
int64_t TrainLinear(LinearModel& model, LibsvmStream& stream, const LinearTrainOptions& options,
                    const LinearProgressFn& progress = {}, Convergence* convergence = nullptr);

/// Trains on rows in memory (labels as PrepareLabel gives them, LinearLabelWidth per row, row-major),
/// reshuffled every pass. A squared-loss
/// model with one output that has not stepped yet trains on standardized targets (LinearModel::
/// StandardizeTargets with the labels' mean and standard deviation), so raw targets of any scale work
/// with the optimizer's default learning rate; it still predicts in the targets' units.
int64_t TrainLinear(LinearModel& model, const SparseRows& features, const std::vector<float>& labels,
                    const LinearTrainOptions& options, const LinearProgressFn& progress = {},
                    Convergence* convergence = nullptr);

/// The convergence of online training from its batch losses, one a step (LossTrendConvergence).
Convergence OnlineConvergence(const std::vector<float>& step_losses);

struct LinearEvaluation {
  int64_t examples = 0;
  double loss = 0.0;      // the training loss's mean
  double log_loss = 0.0;  // binary: as scikit-learn computes it; multi-label: over every (example, label)
  double auc = 0.0;       // binary: exact AUC-ROC; multi-label: the mean over the labels
  double accuracy = 0.0;  // classification; multi-label: subset accuracy (every label right)
  double rmse = 0.0;      // regression
  /// Multi-label: MultiLabelMetrics (lever/metrics/multilabel.h) with the label names.
  std::map<std::string, double> label_metrics;
};

/// The label values per example a model trains on: one (a 0/1 label, a class id, a target), or one 0/1
/// per output for a multi-label model (logistic loss with several outputs).
Index LinearLabelWidth(const LinearModel& model);

/// Evaluates on rows in memory (labels as PrepareLabel gives them; LinearLabelWidth per row, row-major).
/// `label_names` name a multi-label model's outputs in label_metrics.
LinearEvaluation EvaluateLinear(LinearModel& model, const SparseRows& features, const std::vector<float>& labels,
                                const std::vector<std::string>& label_names = {});
/// Evaluates on a LIBSVM file, read block by block; the rows the policy skipped go to *skipped if given.
LinearEvaluation EvaluateLinear(LinearModel& model, const std::string& path, const LibsvmOptions& options = {},
                                const BadRowPolicy& policy = {}, BadRowReport* skipped = nullptr);

}  // namespace lever
