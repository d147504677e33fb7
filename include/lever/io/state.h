#pragma once
// Named tensors and scalars: what a checkpoint stores of an optimizer, a layer or a trainer.
#include <map>
#include <string>

#include "lever/tensor/tensor.h"

namespace lever {

class StateWriter {
 public:
  virtual ~StateWriter() = default;
  virtual void WriteTensor(const std::string& key, const Tensor& value) = 0;
  virtual void WriteScalar(const std::string& key, double value) = 0;
};

class StateReader {
 public:
  virtual ~StateReader() = default;
  /// Throws IoError naming the key when it is missing.
  virtual const Tensor& ReadTensor(const std::string& key) const = 0;
  virtual double ReadScalar(const std::string& key) const = 0;
  virtual bool Has(const std::string& key) const = 0;
};

/// State held in memory (tests, and the staging area a checkpoint file is written from).
class MemoryState : public StateWriter, public StateReader {
 public:
  void WriteTensor(const std::string& key, const Tensor& value) override { tensors_[key] = value; }
  void WriteScalar(const std::string& key, double value) override { scalars_[key] = value; }
  const Tensor& ReadTensor(const std::string& key) const override;
  double ReadScalar(const std::string& key) const override;
  bool Has(const std::string& key) const override { return tensors_.count(key) != 0 || scalars_.count(key) != 0; }
  const std::map<std::string, Tensor>& tensors() const { return tensors_; }
  const std::map<std::string, double>& scalars() const { return scalars_; }

 private:
  std::map<std::string, Tensor> tensors_;
  std::map<std::string, double> scalars_;
};

}  // namespace lever
