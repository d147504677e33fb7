#pragma once
// CRC-32C (Castagnoli): the checksum of checkpoint files and of TFRecord framing (TensorBoard event
// files). Polynomial 0x1EDC6F41, reflected (0x82F63B78), initial value and final xor 0xFFFFFFFF;
// Crc32c("123456789") = 0xE3069283.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lever {

/// CRC-32C of `size` bytes. Extends `crc` (the CRC of the bytes before) when given, so
/// Crc32c(b, m, Crc32c(a, n)) is the CRC of a followed by b. Uses the SSE4.2 crc32 instruction when the
/// library is compiled for it, else slicing-by-8 tables.
uint32_t Crc32c(const void* data, size_t size, uint32_t crc = 0);
inline uint32_t Crc32c(std::string_view bytes, uint32_t crc = 0) { return Crc32c(bytes.data(), bytes.size(), crc); }

/// The same, one bit at a time: the reference the fast versions are tested against.
uint32_t Crc32cBitwise(const void* data, size_t size, uint32_t crc = 0);
/// The same with slicing-by-8 tables (the portable fast path), exposed so tests cover it on any CPU.
uint32_t Crc32cTable(const void* data, size_t size, uint32_t crc = 0);

/// TFRecord's masked CRC: ((crc >> 15) | (crc << 17)) + 0xa282ead8, so that a CRC of data that itself
/// holds CRCs is not degenerate.
inline constexpr uint32_t MaskCrc32c(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline constexpr uint32_t UnmaskCrc32c(uint32_t masked) {
  const uint32_t rotated = masked - 0xa282ead8u;
  return (rotated >> 17) | (rotated << 15);
}

}  // namespace lever
