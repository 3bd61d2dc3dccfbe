// hp/image on Windows: sha256 through BCrypt (the CNG hash provider every Windows has; Wine
// implements it too), the same "sha256:<hex>" strings as OpenSSL's on Linux.
#include <windows.h>
// <bcrypt.h> needs <windows.h>'s types first.
#include <bcrypt.h>

#include "core/image/digest.h"

namespace hp::image {
namespace {

// One provider for the process, as CNG recommends; every hash is made from it.
BCRYPT_ALG_HANDLE Provider() {
  static BCRYPT_ALG_HANDLE alg = [] {
    BCRYPT_ALG_HANDLE a = nullptr;
    return BCryptOpenAlgorithmProvider(&a, BCRYPT_SHA256_ALGORITHM, nullptr, 0) == 0 ? a : nullptr;
  }();
  return alg;
}

// Null when CNG fails (then Final() returns the digest of nothing hashed, never a crash; the
// wine tier checks digests against Linux's sha256sum).
BCRYPT_HASH_HANDLE NewHash() {
  BCRYPT_HASH_HANDLE hash = nullptr;
  if (!Provider() || BCryptCreateHash(Provider(), &hash, nullptr, 0, nullptr, 0, 0) != 0)
    return nullptr;
  return hash;
}

}  // namespace

Sha256::Sha256() : ctx_(NewHash()) {}
Sha256::~Sha256() {
  if (ctx_) BCryptDestroyHash(static_cast<BCRYPT_HASH_HANDLE>(ctx_));
}

void Sha256::Update(const void* data, size_t size) {
  auto* p = static_cast<PUCHAR>(const_cast<void*>(data));
  while (ctx_ && size > 0) {
    ULONG n = size > 0x40000000 ? 0x40000000 : static_cast<ULONG>(size);
    BCryptHashData(static_cast<BCRYPT_HASH_HANDLE>(ctx_), p, n, 0);
    p += n;
    size -= n;
  }
}

std::string Sha256::Final() {
  unsigned char md[32] = {};
  if (ctx_) {
    BCryptFinishHash(static_cast<BCRYPT_HASH_HANDLE>(ctx_), md, sizeof md, 0);
    BCryptDestroyHash(static_cast<BCRYPT_HASH_HANDLE>(ctx_));
  }
  ctx_ = NewHash();
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned char b : md) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string Sha256Digest(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.Final();
}

}  // namespace hp::image
