// hp/agent: a pod's status file (`run/pods/<key>/status.json`, the types in pod_status.h) and
// its supervisor's identity, as the Linux supervisor records them and the CLI reads them.
// (kubectl's columns derived from a status are the CLI's: src/cli/hostprocess/printers/table.h.)
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/agent/pod_status.h"
#include "core/base/result.h"
#include "core/sys/process.h"

namespace hp::agent {

// The start time of a live process (field 22 of /proc/<pid>/stat); 0 when it is not alive.
inline uint64_t ProcessStartTime(pid_t pid) { return sys::LiveStartTicks(pid).value_or(0); }
using sys::ProcessAlive;  // pid alive and started at `start` (not a reused pid)

// A supervisor's identity: pid, start time and the kernel's boot id it started in. Recorded
// twice, by the CLI that starts it (`supervisor.json`, written once) and in every status the
// supervisor writes, so that one unreadable file does not hide a live supervisor.
struct SupervisorId {
  pid_t pid = 0;
  uint64_t start = 0;
  std::string boot;
  // What a clean-up needs when pod.json and status.json are both damaged (supervisor.json only).
  std::string pod_uid;
  std::string job_root;
};
// The identity of `pod_dir`'s supervisor when it is alive in boot `boot` (the pid runs, has
// the recorded start time, and the recorded boot id, when there is one, is `boot`): from
// status.json, else from supervisor.json. `status`: the pod's status as the caller already read
// it from status.json (a pod without a readable one: a status naming no supervisor), which is
// then not read again; nullptr reads it.
std::optional<SupervisorId> FindLiveSupervisor(const std::string& pod_dir, const std::string& boot,
                                               const PodStatus* status = nullptr);
Status WriteSupervisorId(const std::string& pod_dir, const SupervisorId& id);
// supervisor.json as written, alive or not (nullopt when unreadable).
std::optional<SupervisorId> ReadSupervisorId(const std::string& pod_dir);

}  // namespace hp::agent
