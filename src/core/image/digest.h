// hp/image: sha256 digests ("sha256:<hex>"). Linux: OpenSSL (digest.cc); Windows: BCrypt
// (windows/digest.cc, Sha256 and Sha256Digest only).
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"

namespace hp::image {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(const void* data, size_t size);
  void Update(std::string_view s) { Update(s.data(), s.size()); }
  // "sha256:<64 hex>"; the hasher is reset afterwards.
  std::string Final();

 private:
  void* ctx_;  // the platform's hasher: OpenSSL's EVP_MD_CTX, or a BCrypt hash handle
};

std::string Sha256Digest(std::string_view data);
Result<std::string> Sha256File(const std::string& path);
// Hashes what is left of `fd` from its offset; `name` is for the error message.
Result<std::string> Sha256Fd(int fd, const std::string& name);
// The 64 hex digits of "sha256:<hex>" (the digest must be valid).
inline std::string_view DigestHex(std::string_view digest) { return digest.substr(7); }

}  // namespace hp::image
