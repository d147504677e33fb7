#include "lever/tensor/memory.h"

#include <sys/mman.h>

#include <cstdint>

namespace lever {
namespace {
constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kAdviseFrom = size_t{4} << 20;
}  // namespace

void AdviseHugePages(void* data, size_t bytes) {
  if (bytes < kAdviseFrom) return;
  const auto begin = reinterpret_cast<uintptr_t>(data);
  const uintptr_t first = (begin + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t last = (begin + bytes) & ~(kHugePage - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

Tensor NewTable(Index rows, Index cols, float value) {
  Tensor t(rows, cols);  // uninitialized: fresh pages from mmap for large sizes, not yet touched
  AdviseHugePages(t.data(), static_cast<size_t>(t.size()) * sizeof(float));
  t.setConstant(value);
  return t;
}

}  // namespace lever
