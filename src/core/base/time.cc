#include "core/base/time.h"

#include <chrono>
#include <cstdio>

namespace hp {
namespace {

// The civil UTC time of a Unix second, with <chrono>'s calendar (no gmtime_r: Windows too).
struct Civil {
  int year;
  unsigned month, day, hour, minute, second;
};

Civil Utc(int64_t unix_seconds) {
  using namespace std::chrono;
  const sys_seconds tp{seconds{unix_seconds}};
  const sys_days day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss hms{tp - day};
  return {static_cast<int>(ymd.year()),
          static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day()),
          static_cast<unsigned>(hms.hours().count()),
          static_cast<unsigned>(hms.minutes().count()),
          static_cast<unsigned>(hms.seconds().count())};
}

}  // namespace

int64_t NowUnixSeconds() { return NowUnixNanos() / 1000000000; }

int64_t SteadyNowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

int64_t NowUnixNanos() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

std::string Rfc3339(int64_t unix_seconds) {
  const Civil c = Utc(unix_seconds);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02uZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

std::string Rfc3339Nano(int64_t unix_ns) {
  int64_t secs = unix_ns / 1000000000;
  int64_t nanos = unix_ns % 1000000000;
  if (nanos < 0) {  // before 1970: the second below, plus a positive fraction
    nanos += 1000000000;
    --secs;
  }
  const Civil c = Utc(secs);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%09lldZ", c.year, c.month, c.day,
                c.hour, c.minute, c.second, static_cast<long long>(nanos));
  return buf;
}

}  // namespace hp
