// hp/agent: the grace period a pod's containers get to stop (kubelet's
// terminationGracePeriodSeconds), one rule for the Linux and the Windows supervisors and for the
// commands that wait for them. Header-only, pure.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hp::agent {

// The longest grace period taken, in seconds (about 68 years): a larger value is taken as this
// one so that it can be counted in milliseconds without overflow.
inline constexpr int64_t kMaxGraceSeconds = int64_t{1} << 31;

// terminationGracePeriodSeconds as the supervisors apply it: 30 when unset (the API server's
// default), a negative value as 0 (stop at once), at most kMaxGraceSeconds.
inline int64_t GracePeriodSeconds(std::optional<int64_t> seconds) {
  return std::clamp<int64_t>(seconds.value_or(30), 0, kMaxGraceSeconds);
}
inline std::chrono::milliseconds GracePeriod(std::optional<int64_t> seconds) {
  return std::chrono::milliseconds(GracePeriodSeconds(seconds) * 1000);
}

// The grace period of a restart that a liveness or startup probe asked for: the probe's own
// terminationGracePeriodSeconds when it sets one, else the pod's (kubelet's rule).
inline std::chrono::milliseconds ProbeGracePeriod(std::optional<int64_t> probe_seconds,
                                                  std::optional<int64_t> pod_seconds) {
  return GracePeriod(probe_seconds ? probe_seconds : pod_seconds);
}

// How long a delete waits for a pod's supervisor to stop its containers before it kills the
// supervisor itself: the grace period and 10 s for the supervisor's own work.
inline std::chrono::milliseconds SupervisorStopWait(std::optional<int64_t> seconds) {
  return GracePeriod(seconds) + std::chrono::seconds(10);
}

// The `stop` file a delete writes in a pod's directory, which its supervisor obeys: "\n", or
// with `delete --grace-period N` (or --now, --force) the period that replaces the pod's own
// for this stop: "gracePeriodSeconds=N\n".
inline std::string StopFileText(std::optional<int64_t> grace_seconds) {
  return grace_seconds ? "gracePeriodSeconds=" + std::to_string(*grace_seconds) + "\n" : "\n";
}
// The period a `stop` file's text sets; none for "\n" or anything else.
inline std::optional<int64_t> StopFileGrace(std::string_view text) {
  constexpr std::string_view kKey = "gracePeriodSeconds=";
  if (text.substr(0, kKey.size()) != kKey) return std::nullopt;
  int64_t v = 0;
  size_t i = kKey.size(), digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 12; ++i, ++digits)
    v = v * 10 + (text[i] - '0');
  if (digits == 0 || (i < text.size() && text[i] != '\n')) return std::nullopt;
  return v;
}

}  // namespace hp::agent
