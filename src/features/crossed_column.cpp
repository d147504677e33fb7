#include <algorithm>

#include "features/raw_value.h"
#include "lever/error.h"
#include "lever/features/feature_column.h"
#include "lever/features/hash.h"

namespace lever {
namespace {

class Crossed : public CategoricalFeatureColumn {
 public:
  Crossed(std::vector<CrossInput> inputs, Index buckets)
      : CategoricalFeatureColumn(CheckedName(inputs)),
        inputs_(std::move(inputs)),
        buckets_(buckets),
        depth_(Depth(inputs_)),
        leaves_(Leaves(inputs_)) {
    if (inputs_.size() < 2) throw ConfigError("crossed column '" + name() + "' needs at least two inputs");
    if (buckets_ < 1) throw ConfigError("crossed column '" + name() + "' needs at least one hash bucket");
    columns_.assign(inputs_.size(), -1);
  }
  std::string Kind() const override { return "crossed"; }
  std::string Describe() const override { return "crossed(" + name() + ", " + std::to_string(buckets_) + " buckets)"; }
  void Bind(const ColumnSource& source) override {
    for (size_t i = 0; i < inputs_.size(); ++i) {
      if (inputs_[i].column) {
        inputs_[i].column->Bind(source);
      } else {
        columns_[i] = Resolve(source, inputs_[i].key);
      }
    }
  }
  void Fit(const ColumnSource& source) override {
    for (auto& in : inputs_) {
      if (in.column) in.column->Fit(source);
    }
  }
  void SaveState(StateWriter& out) const override {
    for (const auto& in : inputs_) {
      if (in.column) in.column->SaveState(out);
    }
  }
  void LoadState(const StateReader& in) override {
    for (const auto& input : inputs_) {
      if (input.column) input.column->LoadState(in);
    }
  }
  Index num_buckets() const override { return buckets_; }
  void Ids(const ColumnSource& source, Index row, std::vector<int64_t>& ids) const override {
    uint64_t cross = kCrossSeed;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      uint64_t value = 0;
      if (inputs_[i].column) {
        scratch_.clear();
        inputs_[i].column->Ids(source, row, scratch_);
        value = scratch_.empty() ? 0 : static_cast<uint64_t>(scratch_.front());
      } else {
        value = internal::CrossValue(source, columns_[i], row);
      }
      cross = CombineHash(cross, value);
    }
    ids.push_back(static_cast<int64_t>(cross % static_cast<uint64_t>(buckets_)));
  }
  std::string BucketName(Index id) const override { return name() + " cross bucket " + std::to_string(id); }

 private:
  // Nesting levels, this cross's included, and the inputs crossed in all (a nested cross counts its own).
  static int Depth(const std::vector<CrossInput>& inputs) {
    int depth = 1;
    for (const auto& in : inputs) {
      if (const auto* nested = dynamic_cast<const Crossed*>(in.column.get()))
        depth = std::max(depth, nested->depth_ + 1);
    }
    return depth;
  }
  static int64_t Leaves(const std::vector<CrossInput>& inputs) {
    int64_t leaves = 0;
    for (const auto& in : inputs) {
      const auto* nested = dynamic_cast<const Crossed*>(in.column.get());
      leaves += nested ? nested->leaves_ : 1;
    }
    return leaves;
  }
  // The joined name, once the limits hold (beyond them it grows with every input of every level).
  static std::string CheckedName(const std::vector<CrossInput>& inputs) {
    if (const int depth = Depth(inputs); depth > kMaxCrossDepth) {
      throw ConfigError("crossed columns nest " + std::to_string(depth) +
                        " levels deep here (a cross of a cross is 2); " + "lever allows at most " +
                        std::to_string(kMaxCrossDepth) + ": cross the raw columns in one crossed column instead");
    }
    if (const int64_t leaves = Leaves(inputs); leaves > kMaxCrossInputs) {
      throw ConfigError("a crossed column of " + std::to_string(leaves) +
                        " inputs in all (its nested crosses' inputs counted); lever allows at most " +
                        std::to_string(kMaxCrossInputs) + ": cross fewer columns");
    }
    return JoinNames(inputs);
  }
  static std::string JoinNames(const std::vector<CrossInput>& inputs) {
    std::string out;
    for (const auto& in : inputs) out += (out.empty() ? "" : "_x_") + (in.column ? in.column->name() : in.key);
    return out;
  }
  std::vector<CrossInput> inputs_;
  Index buckets_;
  int depth_;
  int64_t leaves_;
  std::vector<int> columns_;
  mutable std::vector<int64_t> scratch_;
};

}  // namespace

CategoricalColumnPtr CrossedColumn(std::vector<CrossInput> inputs, Index hash_bucket_size) {
  return std::make_shared<Crossed>(std::move(inputs), hash_bucket_size);
}

}  // namespace lever
