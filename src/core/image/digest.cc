#include "core/image/digest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>

#include "core/sys/file.h"

namespace hp::image {

namespace {
EVP_MD_CTX* EvpCtx(void* p) { return static_cast<EVP_MD_CTX*>(p); }
}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(EvpCtx(ctx_), EVP_sha256(), nullptr);
}
Sha256::~Sha256() { EVP_MD_CTX_free(EvpCtx(ctx_)); }

void Sha256::Update(const void* data, size_t size) { EVP_DigestUpdate(EvpCtx(ctx_), data, size); }

std::string Sha256::Final() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(EvpCtx(ctx_), md, &len);
  EVP_DigestInit_ex(EvpCtx(ctx_), EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

std::string Sha256Digest(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.Final();
}

Result<std::string> Sha256Fd(int fd, const std::string& name) {
  Sha256 h;
  std::string buf(1 << 20, '\0');
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysErr("read \"{}\"", name);
    }
    if (n == 0) break;
    h.Update(buf.data(), static_cast<size_t>(n));
  }
  return h.Final();
}

Result<std::string> Sha256File(const std::string& path) {
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(path, O_RDONLY));
  return Sha256Fd(fd.get(), path);
}

}  // namespace hp::image
