#pragma once
// Allocation of large tables (wide linear weights, embedding tables, their gradients and optimizer
// slots). Sparse training touches such tables at random rows, where the cost is dominated by TLB misses
// on 4 KiB pages; tables of 4 MiB and more are therefore backed by transparent huge pages where the
// kernel offers them (madvise mode).
#include <cstddef>
#include <new>
#include <type_traits>

#include "lever/tensor/tensor.h"

namespace lever {

/// A (rows, cols) tensor filled with `value`; large ones are advised to use huge pages before their
/// pages are first touched.
Tensor NewTable(Index rows, Index cols, float value = 0.0f);

/// Advises the kernel to back [data, data + bytes) with huge pages (only for 4 MiB or more; call before
/// the memory is first touched). Advice only: nothing changes where the kernel declines.
void AdviseHugePages(void* data, size_t bytes);

/// Raw memory for a large table, aligned to a huge page and advised to use huge pages before it is first
/// touched, so that the whole table (not only its aligned interior) can be backed by them. Small sizes
/// come from the ordinary allocator. The bytes start uninitialized.
class HugePageBuffer {
 public:
  HugePageBuffer() = default;
  explicit HugePageBuffer(size_t bytes);
  ~HugePageBuffer();
  HugePageBuffer(HugePageBuffer&& other) noexcept;
  HugePageBuffer& operator=(HugePageBuffer&& other) noexcept;
  HugePageBuffer(const HugePageBuffer&) = delete;
  HugePageBuffer& operator=(const HugePageBuffer&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }

 private:
  void Release();
  void* data_ = nullptr;
  size_t bytes_ = 0;
  void* mapping_ = nullptr;  // the mmap'ed region (larger than bytes_, for the alignment); null if malloc'ed
  size_t mapping_bytes_ = 0;
};

/// `count` objects of a trivially copyable T in a HugePageBuffer, each set to `value`.
template <typename T>
class HugePageArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  HugePageArray() = default;
  HugePageArray(size_t count, const T& value) : buffer_(count * sizeof(T)), count_(count) {
    T* p = data();
    for (size_t i = 0; i < count; ++i) new (p + i) T(value);
  }
  T* data() const { return static_cast<T*>(buffer_.data()); }
  size_t size() const { return count_; }
  T& operator[](size_t i) const { return data()[i]; }
  explicit operator bool() const { return buffer_.data() != nullptr; }

 private:
  HugePageBuffer buffer_;
  size_t count_ = 0;
};

}  // namespace lever
