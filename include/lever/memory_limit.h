#pragma once
// How much memory lever plans for, and the check made before a size the input decides is allocated (a
// layer of hidden_units, a feature space of --num-features or the largest LIBSVM index): a size that
// cannot fit is a ConfigError with the figure and the knob, not std::bad_alloc halfway through.
#include <cstdint>
#include <string>

namespace lever {

/// The memory lever may use, in bytes: LEVER_MEMORY_LIMIT when set (bytes, or with a K, M, G or T suffix
/// in powers of 1024: "8G"), else the smaller of the machine's physical memory and its cgroup's limit.
/// Throws ConfigError for a LEVER_MEMORY_LIMIT that is not such a size.
uint64_t MemoryLimitBytes();

/// "1.5 GiB", "512.0 MiB", "12 bytes": a size for messages.
std::string FormatBytes(double bytes);

/// Throws ConfigError "<what> needs about <bytes>, more than the <limit> of memory this machine has (or
/// LEVER_MEMORY_LIMIT allows): <fix>" when `bytes` is over MemoryLimitBytes().
void CheckFitsInMemory(double bytes, const std::string& what, const std::string& fix);

}  // namespace lever
