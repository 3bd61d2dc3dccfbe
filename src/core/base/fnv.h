// hp/base: FNV-1a hashes, for stable names derived from text (file names, generated names).
// Not for security: what a name stands for is compared in full where it matters.
#pragma once

#include <cstdint>
#include <string_view>

namespace hp {

inline uint32_t Fnv32a(std::string_view data) {
  uint32_t h = 2166136261u;
  for (unsigned char c : data) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

inline uint64_t Fnv64a(std::string_view data) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace hp
