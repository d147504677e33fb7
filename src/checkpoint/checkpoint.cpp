#include "lever/checkpoint/checkpoint.h"

#include <bit>
#include <set>
#include <unordered_set>

#include "lever/error.h"

namespace lever {
namespace {

constexpr const char* kReservedName = "global_step";

std::string ShapeOf(const Tensor& t) { return "[" + std::to_string(t.rows()) + ", " + std::to_string(t.cols()) + "]"; }

// A StateReader over the contents' tensors, converting each one on first use (the interface hands out
// references, so converted tensors are kept). It remembers every key asked for, so that tensors nobody
// asked for (another optimizer's slots) can be reported.
class ContentsReader : public StateReader {
 public:
  explicit ContentsReader(const CheckpointContents& contents) : contents_(contents) {}
  const Tensor& ReadTensor(const std::string& key) const override {
    asked_.insert(key);
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, contents_.Get(key).ToTensor(Describe(key))).first;
    return it->second;
  }
  double ReadScalar(const std::string& key) const override {
    asked_.insert(key);
    return contents_.Get(key).ToScalar(Describe(key));
  }
  bool Has(const std::string& key) const override {
    asked_.insert(key);
    return contents_.Has(key);
  }
  bool Asked(const std::string& key) const { return asked_.count(key) != 0; }

 private:
  std::string Describe(const std::string& key) const { return contents_.Where() + "tensor '" + key + "'"; }
  const CheckpointContents& contents_;
  mutable std::map<std::string, Tensor> cache_;
  mutable std::set<std::string> asked_;
};

}  // namespace

std::string CheckpointContents::Where() const { return (source.empty() ? std::string("checkpoint") : source) + ": "; }

void CheckpointContents::Add(const std::string& name, RawTensor tensor) {
  if (name == kReservedName) {
    throw IoError(Where() + "the tensor name 'global_step' is reserved for the step; set CheckpointContents::step");
  }
  if (!tensors.emplace(name, std::move(tensor)).second) {
    throw IoError(Where() + "two tensors are named '" + name + "'; give each saved object its own prefix");
  }
}

const RawTensor& CheckpointContents::Get(const std::string& name) const {
  auto it = tensors.find(name);
  if (it == tensors.end()) {
    throw IoError(Where() + "has no tensor '" + name + "'; was it saved by a different model or program?");
  }
  return it->second;
}

void CheckpointContents::AddParameters(const ParameterList& params, const std::string& prefix) {
  for (const Parameter* p : params) Add(prefix + p->name, RawTensor::FromTensor(p->value));
}

void CheckpointContents::AddOptimizer(const Optimizer& optimizer, const std::string& prefix) {
  MemoryState state;
  optimizer.SaveState(state, prefix);
  AddState(state);
}

void CheckpointContents::AddState(const MemoryState& state) {
  for (const auto& [key, value] : state.tensors()) Add(key, RawTensor::FromTensor(value));
  for (const auto& [key, value] : state.scalars()) Add(key, RawTensor::FromScalar(value));
}

void CheckpointContents::AddRng(const std::string& name, const Rng& rng) {
  const Rng::State s = rng.GetState();
  Add("rng/" + name,
      RawTensor::FromU64({s.s[0], s.s[1], s.s[2], s.s[3], std::bit_cast<uint64_t>(s.spare), s.has_spare ? 1u : 0u}));
}

void CheckpointContents::RestoreParameters(const ParameterList& params, const std::string& prefix) const {
  std::vector<std::string> problems;
  std::vector<std::pair<Parameter*, const RawTensor*>> matched;
  std::unordered_set<std::string> expected;
  for (Parameter* p : params) {
    const std::string key = prefix + p->name;
    expected.insert(key);
    auto it = tensors.find(key);
    if (it == tensors.end()) {
      problems.push_back("'" + key + "' is missing from the checkpoint (the model's is F32" + ShapeOf(p->value) + ")");
      continue;
    }
    const RawTensor& t = it->second;
    if (t.dtype != DType::kF32 || t.shape != std::vector<int64_t>{p->value.rows(), p->value.cols()}) {
      problems.push_back("'" + key + "' is " + t.Describe() + " in the checkpoint but the model's is F32" +
                         ShapeOf(p->value));
      continue;
    }
    matched.emplace_back(p, &t);
  }
  for (const auto& [name, t] : tensors) {
    if (name.compare(0, prefix.size(), prefix) == 0 && expected.count(name) == 0) {
      problems.push_back("'" + name + "' (" + t.Describe() + ") is in the checkpoint but not in the model");
    }
  }
  if (!problems.empty()) {
    std::string message = Where() + "the checkpoint does not fit the model:";
    for (const std::string& problem : problems) message += "\n  " + problem;
    throw IoError(message +
                  "\n  Was it saved with a different model configuration? Restore that configuration, or train "
                  "into a new model directory.");
  }
  for (auto& [p, t] : matched) p->value = t->ToTensor(Where() + "tensor '" + prefix + p->name + "'");
}

void CheckpointContents::RestoreOptimizer(Optimizer& optimizer, const ParameterList& params,
                                          const std::string& prefix) const {
  const ContentsReader reader(*this);
  try {
    optimizer.LoadState(reader, params, prefix);
  } catch (const IoError& e) {
    if (e.message().compare(0, Where().size(), Where()) == 0) throw;
    throw IoError(Where() + e.message());
  }
  std::string unused;
  for (const auto& [name, t] : tensors) {
    if (name.compare(0, prefix.size(), prefix) == 0 && !reader.Asked(name)) unused += "\n  '" + name + "'";
  }
  if (!unused.empty()) {
    throw IoError(Where() + "the checkpoint holds optimizer state that " + optimizer.Describe() +
                  " over these parameters does not use:" + unused +
                  "\n  Was it saved with another optimizer or model? Restore with the optimizer and model it was "
                  "saved with.");
  }
}

MemoryState CheckpointContents::State() const {
  MemoryState state;
  for (const auto& [name, t] : tensors) {
    if (t.dtype == DType::kF32 && t.shape.size() == 2) state.WriteTensor(name, t.ToTensor(Where() + name));
    if (t.dtype == DType::kF64 && t.shape.empty()) state.WriteScalar(name, t.ToScalar(Where() + name));
  }
  return state;
}

void CheckpointContents::RestoreRng(const std::string& name, Rng& rng) const {
  const std::string key = "rng/" + name;
  const std::vector<uint64_t> words = Get(key).ToU64(Where() + "tensor '" + key + "'");
  if (words.size() != 6 || words[5] > 1) {
    throw IoError(Where() + "tensor '" + key +
                  "' is not a random generator's state, which is 6 words: 4 state "
                  "words, the cached normal and its flag (0 or 1); was it saved by a different program?");
  }
  Rng::State s{};
  for (int i = 0; i < 4; ++i) s.s[i] = words[static_cast<size_t>(i)];
  s.spare = std::bit_cast<double>(words[4]);
  s.has_spare = words[5] == 1;
  rng.SetState(s);
}

}  // namespace lever
