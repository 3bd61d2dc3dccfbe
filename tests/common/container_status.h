// tests: container statuses in one state each, as a supervisor records them (agent/status.h),
// for the tests of what is derived from them (kubectl's pod columns, the status file).
#pragma once

#include <string>

#include "core/agent/status.h"

namespace hp::testing {

// Running since t=100 (unix seconds), ready or not.
inline agent::ContainerStatus Running(const std::string& name, bool ready) {
  agent::ContainerStatus c;
  c.name = name;
  c.state.kind = "running";
  c.state.started_at = 100;
  c.ready = ready;
  return c;
}
// Waiting with `reason` (ContainerCreating, CrashLoopBackOff, ...).
inline agent::ContainerStatus Waiting(const std::string& name, const std::string& reason) {
  agent::ContainerStatus c;
  c.name = name;
  c.state.reason = reason;
  return c;
}
// Terminated with exit code `code` and `reason` (Completed, Error, OOMKilled, ...).
inline agent::ContainerStatus Terminated(const std::string& name, int code,
                                         const std::string& reason) {
  agent::ContainerStatus c;
  c.name = name;
  c.state.kind = "terminated";
  c.state.exit_code = code;
  c.state.reason = reason;
  return c;
}

}  // namespace hp::testing
