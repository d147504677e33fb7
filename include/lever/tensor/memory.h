#pragma once
// Allocation of large tables (wide linear weights, embedding tables, their gradients and optimizer
// slots). Sparse training touches such tables at random rows, where the cost is dominated by TLB misses
// on 4 KiB pages; tables of 4 MiB and more are therefore backed by transparent huge pages where the
// kernel offers them (madvise mode).
#include "lever/tensor/tensor.h"

namespace lever {

/// A (rows, cols) tensor filled with `value`; large ones are advised to use huge pages before their
/// pages are first touched.
Tensor NewTable(Index rows, Index cols, float value = 0.0f);

/// Advises the kernel to back [data, data + bytes) with huge pages (only for 4 MiB or more; call before
/// the memory is first touched). Advice only: nothing changes where the kernel declines.
void AdviseHugePages(void* data, size_t bytes);

}  // namespace lever
