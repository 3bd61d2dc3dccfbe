// `run --timeout`'s durations (pod::ParseDuration): Go's syntax and Go's range.
#include <gtest/gtest.h>

#include <string>

#include "core/pod/pod_runner.h"

namespace hp::pod {
namespace {

TEST(ParseDuration, AcceptsGoDurations) {
  EXPECT_EQ(ParseDuration("1h30m")->count(), 5400000);
  EXPECT_EQ(ParseDuration("250ms")->count(), 250);
  EXPECT_EQ(ParseDuration("2")->count(), 2000);
  EXPECT_EQ(ParseDuration("2562047h")->count(), int64_t{2562047} * 3600000);
  // Parts of a millisecond round half away from zero (llround's rule).
  EXPECT_EQ(ParseDuration("1.5ms")->count(), 2);
  EXPECT_EQ(ParseDuration("2.5ms")->count(), 3);
  EXPECT_EQ(ParseDuration("0.4999ms")->count(), 0);
  EXPECT_EQ(ParseDuration("0.0015s")->count(), 2);
}

// Beyond int64 nanoseconds the deadline overflowed and `run` timed out at once (exit 124):
// refused instead, as Go refuses it.
TEST(ParseDuration, RefusesDurationsBeyondInt64Nanoseconds) {
  for (const char* s : {"2562048h", "9999999999999999h"}) {
    auto d = ParseDuration(s);
    EXPECT_FALSE(d) << s << " = " << (d ? d->count() : 0) << "ms";
  }
  auto d = ParseDuration(std::string(400, '9') + "s");  // no exception from std::stod
  EXPECT_FALSE(d);
  EXPECT_FALSE(ParseDuration(".s"));
}

}  // namespace
}  // namespace hp::pod
