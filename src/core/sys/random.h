// hp/sys: bytes from the operating system's random number generator (getrandom(2) on Linux,
// BCryptGenRandom on Windows), for uids and generated names.
#pragma once

#include <cstddef>

namespace hp::sys {

// Fills `buf` with `n` random bytes. The generators never fail once the system is up; this
// retries interrupted or short reads until every byte is filled.
void RandomBytes(void* buf, size_t n);

}  // namespace hp::sys
