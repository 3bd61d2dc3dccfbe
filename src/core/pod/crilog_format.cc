// The CRI log format's stream names and timestamps (see crilog.h): shared by the writer, the
// reader and `logs --since-time`, on Linux and Windows.
#include <chrono>

#include "core/pod/crilog.h"

namespace hp::pod {

const char* LogStreamName(LogStream s) { return s == LogStream::kStdout ? "stdout" : "stderr"; }

Result<int64_t> ParseCriTimestamp(std::string_view s) {
  auto bad = [&]() { return Err(ErrorCode::kInvalidArgument, "invalid timestamp \"{}\"", s); };
  auto num = [&](size_t pos, size_t len, int& out) {
    if (pos + len > s.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int year, mon, day, hour, min, sec;
  if (s.size() < 20 || !num(0, 4, year) || s[4] != '-' || !num(5, 2, mon) || s[7] != '-' ||
      !num(8, 2, day) || (s[10] != 'T' && s[10] != 't') || !num(11, 2, hour) || s[13] != ':' ||
      !num(14, 2, min) || s[16] != ':' || !num(17, 2, sec)) {
    return bad();
  }
  size_t pos = 19;
  int64_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) {
        nanos = nanos * 10 + (s[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return bad();
    for (; digits < 9; ++digits) nanos *= 10;
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!num(pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !num(pos + 4, 2, om))
      return bad();
    offset = (s[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  // Go's time.Parse refuses a date or time out of range (month 13, February 30, hour 24).
  using namespace std::chrono;
  year_month_day date{std::chrono::year(year), month(static_cast<unsigned>(mon)),
                      std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || min > 59 || sec > 59) return bad();
  int64_t secs = sys_days(date).time_since_epoch().count() * int64_t{86400} + hour * 3600 +
                 min * 60 + sec - offset;
  return secs * 1000000000 + nanos;
}

}  // namespace hp::pod
