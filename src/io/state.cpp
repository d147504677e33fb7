#include "lever/io/state.h"

#include "lever/error.h"

namespace lever {

const Tensor& MemoryState::ReadTensor(const std::string& key) const {
  auto it = tensors_.find(key);
  if (it == tensors_.end()) throw IoError("state has no tensor '" + key + "'; was it saved by a different model?");
  return it->second;
}

double MemoryState::ReadScalar(const std::string& key) const {
  auto it = scalars_.find(key);
  if (it == scalars_.end()) throw IoError("state has no value '" + key + "'; was it saved by a different model?");
  return it->second;
}

}  // namespace lever
