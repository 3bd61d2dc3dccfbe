#include "core/windows/graceful_stop.h"

#include <gtest/gtest.h>

#include "core/agent/grace.h"

namespace hp::windows {
namespace {

using std::chrono::milliseconds;

TEST(GracePeriod, KubeletsDefaultAndBounds) {
  EXPECT_EQ(agent::GracePeriodSeconds(std::nullopt), 30);  // the API server's default
  EXPECT_EQ(agent::GracePeriodSeconds(0), 0);
  EXPECT_EQ(agent::GracePeriodSeconds(-5), 0);  // negative: at once
  EXPECT_EQ(agent::GracePeriodSeconds(45), 45);
  EXPECT_EQ(agent::GracePeriodSeconds(INT64_MAX), agent::kMaxGraceSeconds);
  EXPECT_EQ(agent::GracePeriod(2), milliseconds(2000));
  // The largest grace still counts in milliseconds (no overflow to a negative wait).
  EXPECT_GT(agent::GracePeriod(INT64_MAX).count(), 0);
  // A liveness or startup probe's restart: the probe's own grace period wins over the pod's.
  EXPECT_EQ(agent::ProbeGracePeriod(5, 60), milliseconds(5000));
  EXPECT_EQ(agent::ProbeGracePeriod(std::nullopt, 60), milliseconds(60000));
  EXPECT_EQ(agent::ProbeGracePeriod(std::nullopt, std::nullopt), milliseconds(30000));
  EXPECT_EQ(agent::ProbeGracePeriod(0, 60), milliseconds(0));
  EXPECT_EQ(agent::SupervisorStopWait(std::nullopt), milliseconds(40000));
  EXPECT_EQ(agent::SupervisorStopWait(0), milliseconds(10000));
}

TEST(GracefulStop, NoGraceTerminatesAtOnce) {
  GracefulStop s(milliseconds(0), 1000);
  EXPECT_EQ(s.Begin(), StopAction::kTerminate);
}

TEST(GracefulStop, EventsThenWaitUntilEmpty) {
  GracefulStop s(milliseconds(3000), 1000);
  EXPECT_EQ(s.Begin(), StopAction::kSendShutdown);
  EXPECT_EQ(s.Sent(2), StopAction::kWait);
  EXPECT_EQ(s.Poll(false, 1000), StopAction::kWait);
  EXPECT_EQ(s.Poll(false, 3999), StopAction::kWait);
  EXPECT_EQ(s.Poll(true, 2500), StopAction::kDone);  // emptied within the grace period
}

TEST(GracefulStop, TerminatesAtTheDeadline) {
  GracefulStop s(milliseconds(3000), 1000);
  EXPECT_EQ(s.deadline_ms(), 4000);
  EXPECT_EQ(s.Poll(false, 4000), StopAction::kTerminate);
  EXPECT_EQ(s.Poll(false, 9000), StopAction::kTerminate);
  EXPECT_EQ(s.Poll(true, 9000), StopAction::kDone);  // empty wins: nothing to terminate
}

TEST(GracefulStop, NothingDeliveredMeansNoWait) {
  // No process took the event (none left, or every remote thread was refused): waiting the
  // grace period would only delay the stop.
  GracefulStop s(milliseconds(30000), 0);
  EXPECT_EQ(s.Begin(), StopAction::kSendShutdown);
  EXPECT_EQ(s.Sent(0), StopAction::kTerminate);
}

}  // namespace
}  // namespace hp::windows
