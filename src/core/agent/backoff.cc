#include "core/agent/backoff.h"

#include <algorithm>

namespace hp::agent {

int64_t RestartBackoff::OnExit(int64_t finished_ms) {
  bool expired = backoff_ms == 0 || finished_ms - last_update_ms > 2 * kBackoffMaxMs;
  int64_t delay = 0;
  if (expired) {
    backoff_ms = kBackoffInitialMs;
  } else {
    delay = backoff_ms;
    backoff_ms = std::min(2 * backoff_ms, kBackoffMaxMs);
  }
  last_update_ms = finished_ms;
  return delay;
}

}  // namespace hp::agent
