#include "core/pod/duration.h"

#include <climits>
#include <exception>
#include <string>

namespace hp::pod {

using std::chrono::milliseconds;

Result<milliseconds> ParseDuration(std::string_view s) {
  auto bad = [&]() {
    return Err(ErrorCode::kInvalidArgument, "invalid duration \"{}\": use e.g. 30s, 2m, 1h30m", s);
  };
  if (s.empty()) return bad();
  double total_ms = 0;
  size_t i = 0;
  bool any = false;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (start == i) return bad();
    double v = 0;
    try {
      v = std::stod(std::string(s.substr(start, i - start)));
    } catch (const std::exception&) {  // "." alone, or too many digits for a double
      return bad();
    }
    size_t ustart = i;
    while (i < s.size() && !((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    std::string_view unit = s.substr(ustart, i - ustart);
    double mult;
    if (unit.empty()) {
      if (any || i != s.size()) return bad();
      mult = 1000;
    } else if (unit == "ms") {
      mult = 1;
    } else if (unit == "s") {
      mult = 1000;
    } else if (unit == "m") {
      mult = 60000;
    } else if (unit == "h") {
      mult = 3600000;
    } else {
      return bad();
    }
    total_ms += v * mult;
    any = true;
  }
  // Go's limit (time.ParseDuration): int64 nanoseconds, about 2562047h. Beyond it a deadline
  // would overflow and pass at once.
  if (total_ms > static_cast<double>(INT64_MAX / 1000000)) {
    return Err(ErrorCode::kInvalidArgument, "invalid duration \"{}\": longer than 2562047h", s);
  }
  // Rounded half away from zero, as llround would (total_ms is never negative), without
  // libm's llround: the binaries need no libm, which costs every process start (issue 16).
  auto whole = static_cast<int64_t>(total_ms);
  if (total_ms - static_cast<double>(whole) >= 0.5) whole++;
  return milliseconds(whole);
}

}  // namespace hp::pod
