#include "core/agent/backoff.h"

#include <gtest/gtest.h>

#include <vector>

namespace hp::agent {
namespace {

TEST(BackoffTest, FirstRestartIsImmediateThenDoublesToFiveMinutes) {
  RestartBackoff b;
  std::vector<int64_t> delays;
  int64_t t = 1'000'000;
  for (int i = 0; i < 10; ++i) {
    int64_t d = b.OnExit(t);
    delays.push_back(d);
    t += d + 1'000;  // the container runs 1 s and crashes again
  }
  std::vector<int64_t> want = {0,       10'000,  20'000,  40'000,  80'000,
                               160'000, 300'000, 300'000, 300'000, 300'000};
  EXPECT_EQ(delays, want);
}

TEST(BackoffTest, ResetsAfterTenMinutesRunning) {
  RestartBackoff b;
  int64_t t = 0;
  b.OnExit(t);
  EXPECT_EQ(b.OnExit(t += 1'000), 10'000);
  EXPECT_EQ(b.OnExit(t += 11'000), 20'000);
  // Ran for exactly 10 min since the last back-off step: not expired yet (strictly more).
  EXPECT_EQ(b.OnExit(t += 600'000), 40'000);
  // Ran for more than 10 min: expired, restart at once and start again at 10 s.
  EXPECT_EQ(b.OnExit(t += 600'001), 0);
  EXPECT_EQ(b.OnExit(t += 1'000), 10'000);
}

TEST(BackoffTest, InBackoff) {
  EXPECT_TRUE(RestartBackoff::InBackoff(5'000, 0, 10'000));
  EXPECT_FALSE(RestartBackoff::InBackoff(10'000, 0, 10'000));
  EXPECT_FALSE(RestartBackoff::InBackoff(5'000, 0, 0));
}

}  // namespace
}  // namespace hp::agent
