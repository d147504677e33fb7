#pragma once
// The stable string hash behind hash buckets and feature crosses. Documented so that other tools can
// reproduce lever's bucket assignment exactly:
//
//   h = FNV-1a 64 over the UTF-8 bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3),
//   then the SplitMix64 finalizer:  h ^= h >> 30; h *= 0xbf58476d1ce4e5b9; h ^= h >> 27;
//                                   h *= 0x94d049bb133111eb; h ^= h >> 31;
//   bucket = h mod buckets.
//
// Crosses combine their inputs' 64-bit values in order: c = 0x9e3779b97f4a7c15 (the cross seed), then
// for each input value v: c = Mix(c * 31 + v) with Mix the finalizer above. bucket = c mod buckets.
// An input's v: a whole number (an integer, or a float whole and below 9e15 in magnitude) and a nested
// column's bucket id enter as their unsigned 64-bit value (-3 is 2^64 - 3); any other number (not whole,
// or larger) enters as the hash of its text, its shortest decimal form ("2.5", "1e-05"); a string as its
// hash.
#include <cstdint>
#include <string_view>

namespace lever {

inline constexpr uint64_t FinalizeHash(uint64_t h) {
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

inline constexpr uint64_t HashString(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return FinalizeHash(h);
}

inline constexpr uint64_t kCrossSeed = 0x9e3779b97f4a7c15ULL;

inline constexpr uint64_t CombineHash(uint64_t cross, uint64_t value) { return FinalizeHash(cross * 31 + value); }

}  // namespace lever
