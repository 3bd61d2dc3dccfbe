#include "core/sys/random.h"

#include <sys/random.h>

namespace hp::sys {

void RandomBytes(void* buf, size_t n) {
  auto* b = static_cast<unsigned char*>(buf);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::getrandom(b + got, n - got, 0);
    if (r > 0) got += static_cast<size_t>(r);
  }
}

}  // namespace hp::sys
