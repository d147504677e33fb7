#include "lever/tensor/memory.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>

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

HugePageBuffer::HugePageBuffer(size_t bytes) : bytes_(bytes) {
  if (bytes == 0) return;
  if (bytes >= kAdviseFrom) {
    // Map one huge page more than needed, so an aligned start exists inside the mapping.
    const size_t rounded = (bytes + kHugePage - 1) & ~(kHugePage - 1);
    mapping_bytes_ = rounded + kHugePage;
    void* m = mmap(nullptr, mapping_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m != MAP_FAILED) {
      mapping_ = m;
      const uintptr_t aligned = (reinterpret_cast<uintptr_t>(m) + kHugePage - 1) & ~(kHugePage - 1);
      data_ = reinterpret_cast<void*>(aligned);
      madvise(data_, rounded, MADV_HUGEPAGE);
      return;
    }
    mapping_bytes_ = 0;
  }
  data_ = std::malloc(bytes);
  if (!data_) throw std::bad_alloc();
}

HugePageBuffer::~HugePageBuffer() { Release(); }

HugePageBuffer::HugePageBuffer(HugePageBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)),
      mapping_(std::exchange(other.mapping_, nullptr)),
      mapping_bytes_(std::exchange(other.mapping_bytes_, 0)) {}

HugePageBuffer& HugePageBuffer::operator=(HugePageBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    mapping_ = std::exchange(other.mapping_, nullptr);
    mapping_bytes_ = std::exchange(other.mapping_bytes_, 0);
  }
  return *this;
}

void HugePageBuffer::Release() {
  if (mapping_) {
    munmap(mapping_, mapping_bytes_);
  } else {
    std::free(data_);
  }
  data_ = mapping_ = nullptr;
  bytes_ = mapping_bytes_ = 0;
}

}  // namespace lever
