#pragma once
// What a checkpoint holds: everything a training run needs to continue bit-identically from a step.
//
//   CheckpointContents c;
//   c.step = step;
//   c.config = model_config;                     // any JSON; stored as is in the commit record
//   c.AddParameters(model.parameters().All());   // "model/dense/kernel", ...
//   c.AddOptimizer(optimizer);                   // "optimizer/iterations", "optimizer/dense/kernel/m", ...
//   c.AddRng("dropout", rng);                    // "rng/dropout", U64[6]
//   c.Add("data/epoch", RawTensor::FromI64({epoch, position}));   // data position, exactly
//   manager.Save(c);                             // lever/checkpoint/checkpoint_manager.h
//
// and the reverse with Restore*(), which check names and shapes against the objects restored into.
// Tensors are stored under these names in the checkpoint's safetensors file; docs/checkpoints.md
// describes the files.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "lever/io/safetensors.h"
#include "lever/io/state.h"
#include "lever/nn/parameter.h"
#include "lever/optim/optimizer.h"
#include "lever/tensor/rng.h"

namespace lever {

struct CheckpointContents {
  /// The global step: the number of optimizer updates done when the checkpoint was taken.
  int64_t step = 0;
  /// Seconds since the Unix epoch; CheckpointManager::Save fills it in when left at 0.
  double wall_time = 0.0;
  /// Every tensor by name (the safetensors file's names). The name "global_step" is reserved.
  std::map<std::string, RawTensor> tensors;
  /// The model configuration, stored as is in the commit record (ckpt-<step>.json) for tools to read.
  nlohmann::json config = nlohmann::json::object();
  /// Any other JSON the caller needs to resume (data-pipeline state, run id, ...).
  nlohmann::json extra = nlohmann::json::object();
  /// The file the contents were read from ("" when built in memory); starts every error message.
  std::string source;

  /// Adds a tensor; throws IoError when the name is taken or reserved.
  void Add(const std::string& name, RawTensor tensor);
  /// The tensor `name`; throws IoError naming the checkpoint and the tensor when it is missing.
  const RawTensor& Get(const std::string& name) const;
  bool Has(const std::string& name) const { return tensors.count(name) != 0; }

  /// Each parameter's value as F32 [rows, cols] under prefix + name.
  void AddParameters(const ParameterList& params, const std::string& prefix = "model/");
  /// The optimizer's step count (F64 scalar "<prefix>iterations") and every slot (F32
  /// "<prefix><parameter>/<slot>"), through Optimizer::SaveState.
  void AddOptimizer(const Optimizer& optimizer, const std::string& prefix = "optimizer/");
  /// Anything else that saves through a StateWriter (feature columns, lazy embeddings): tensors as F32
  /// [rows, cols], scalars as F64 [].
  void AddState(const MemoryState& state);
  /// The generator's whole state as U64[6] "rng/<name>": four xoshiro words, the cached normal's bits
  /// and whether it is set.
  void AddRng(const std::string& name, const Rng& rng);

  /// Copies the saved values into `params`. Checks everything first and changes nothing on a mismatch:
  /// throws IoError naming the file and every parameter that is missing, has another shape, or is in
  /// the checkpoint under `prefix` without being in `params`.
  void RestoreParameters(const ParameterList& params, const std::string& prefix = "model/") const;
  /// Restores what AddOptimizer saved into an optimizer of the same kind over the same parameters.
  /// Throws IoError naming the file and the tensors when a slot has another shape, or when the checkpoint
  /// holds state under `prefix` that this optimizer does not use (another optimizer's slots); the
  /// optimizer is then partly restored and should be discarded.
  void RestoreOptimizer(Optimizer& optimizer, const ParameterList& params,
                        const std::string& prefix = "optimizer/") const;
  /// The F32 rank-2 tensors and F64 scalars, for LoadState methods taking a StateReader.
  MemoryState State() const;
  /// Restores what AddRng saved.
  void RestoreRng(const std::string& name, Rng& rng) const;

  /// "<source>: " or "checkpoint: ", to start messages.
  std::string Where() const;
};

}  // namespace lever
