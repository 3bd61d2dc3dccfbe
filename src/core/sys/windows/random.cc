// hp/sys on Windows: the system-preferred CNG generator (BCryptGenRandom).
#include <windows.h>
// <bcrypt.h> needs <windows.h>'s types first.
#include <bcrypt.h>

#include <algorithm>

#include "core/sys/random.h"

namespace hp::sys {

void RandomBytes(void* buf, size_t n) {
  auto* b = static_cast<unsigned char*>(buf);
  while (n > 0) {
    ULONG chunk = static_cast<ULONG>(std::min<size_t>(n, 1u << 20));
    if (BCryptGenRandom(nullptr, b, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) continue;
    b += chunk;
    n -= chunk;
  }
}

}  // namespace hp::sys
