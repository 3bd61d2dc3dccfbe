// hp/windows: the decisions of a container's stop on Windows (SPEC §7: the grace period with
// console control events, then TerminateJobObject), as hcsshim's job containers stop: every
// process of the job is sent CTRL_SHUTDOWN_EVENT, the job gets the pod's grace period to empty,
// and what is left is terminated. Pure: the caller does the Win32 calls and gives the times.
#pragma once

#include <chrono>
#include <cstdint>

namespace hp::windows {

enum class StopAction {
  kSendShutdown,  // send CTRL_SHUTDOWN_EVENT to each process of the job, then call Sent
  kWait,          // poll again (Poll) until the job is empty or the deadline
  kTerminate,     // TerminateJobObject now
  kDone,          // the job is empty: nothing to do
};

class GracefulStop {
 public:
  // `grace`: agent::GracePeriod of the pod; `now_ms`: a monotonic clock.
  GracefulStop(std::chrono::milliseconds grace, int64_t now_ms)
      : grace_ms_(grace.count()), deadline_ms_(now_ms + grace.count()) {}

  // The first step: the events when there is a grace period, else terminate at once (a pod with
  // terminationGracePeriodSeconds: 0 stops at once, as kubelet's force delete).
  StopAction Begin() const {
    return grace_ms_ > 0 ? StopAction::kSendShutdown : StopAction::kTerminate;
  }
  // After the events went to `delivered` processes: wait for them; when no process could be
  // sent one (none left, or the system refused every remote thread), there is nothing to wait
  // for: terminate at once rather than wait a grace that nothing can use.
  StopAction Sent(int delivered) const {
    return delivered > 0 ? StopAction::kWait : StopAction::kTerminate;
  }
  // While waiting: done once the job is empty, terminate at the deadline, else wait.
  StopAction Poll(bool job_empty, int64_t now_ms) const {
    if (job_empty) return StopAction::kDone;
    return now_ms >= deadline_ms_ ? StopAction::kTerminate : StopAction::kWait;
  }
  int64_t deadline_ms() const { return deadline_ms_; }

 private:
  int64_t grace_ms_;
  int64_t deadline_ms_;
};

}  // namespace hp::windows
