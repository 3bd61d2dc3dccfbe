// hp/agent: kubelet's container restart back-off (pkg/kubelet/kuberuntime, flowcontrol.Backoff
// with 10 s initial and 5 min maximum).
//
// When a container exits, kubelet restarts it at once the first time; each further exit
// waits the current back-off (10 s, 20 s, 40 s, ... capped at 300 s) and doubles it. When more
// than twice the maximum (10 min) passed since the last back-off step, the entry has expired:
// the next exit restarts at once and the back-off starts again at 10 s.
#pragma once

#include <cstdint>

namespace hp::agent {

inline constexpr int64_t kBackoffInitialMs = 10'000;
inline constexpr int64_t kBackoffMaxMs = 300'000;

struct RestartBackoff {
  int64_t backoff_ms = 0;      // 0 = no entry yet
  int64_t last_update_ms = 0;  // when the back-off last advanced (container exit time)

  // The container exited at `finished_ms` (any monotonic or wall clock in ms); returns how long
  // to wait before starting it again, and advances the back-off.
  int64_t OnExit(int64_t finished_ms);
  // True while a restart must still wait: now < finished + delay (kubelet's IsInBackOffSince).
  static bool InBackoff(int64_t now_ms, int64_t finished_ms, int64_t delay_ms) {
    return now_ms - finished_ms < delay_ms;
  }
};

}  // namespace hp::agent
