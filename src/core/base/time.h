// Wall-clock time and its RFC 3339 form, as the Kubernetes API, the CRI log format and runc
// write it: always UTC ("Z").
#pragma once

#include <cstdint>
#include <string>

namespace hp {

int64_t NowUnixSeconds();
int64_t NowUnixNanos();
// Milliseconds of the monotonic clock (steady_clock): for deadlines and waits, not dates.
int64_t SteadyNowMs();

// "2026-11-22T10:00:00Z" (the API's metav1.Time).
std::string Rfc3339(int64_t unix_seconds);
// "2026-11-22T10:00:00.123456789Z": always nine digits (the CRI log's and runc's "created").
std::string Rfc3339Nano(int64_t unix_ns);

}  // namespace hp
