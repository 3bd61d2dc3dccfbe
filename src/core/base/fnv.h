// hp/base: FNV-1a hashes, for stable names derived from text (file names, generated names).
// Not for security: what a name stands for is compared in full where it matters.
#pragma once

#include <cstdint>
#include <string_view>

namespace hp {

// FNV-1a's steps over `data` from `basis`: the standard bases are below; a caller whose names
// were made from another basis keeps its own (oci/runtime.cc's cgroup marks).
template <typename T>
constexpr T Fnv1a(std::string_view data, T basis, T prime) {
  T h = basis;
  for (unsigned char c : data) h = static_cast<T>((h ^ c) * prime);
  return h;
}

inline constexpr uint64_t kFnv64Prime = 1099511628211ull;

inline uint32_t Fnv32a(std::string_view data) {
  return Fnv1a<uint32_t>(data, 2166136261u, 16777619u);
}

inline uint64_t Fnv64a(std::string_view data) {
  return Fnv1a<uint64_t>(data, 14695981039346656037ull, kFnv64Prime);
}

}  // namespace hp
