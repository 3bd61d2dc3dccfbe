// hp/agent: a pod's status as the supervisor records it (`run/pods/<key>/status.json`) and the
// CLI reads it: Kubernetes' PodStatus shape (phase, conditions, container states with reasons,
// restart counts) plus what the agent itself needs (the supervisor's identity, the containers
// that exist on the host, the events for `describe`).
// (kubectl's columns derived from it are the CLI's: src/cli/hostprocess/printers/table.h.)
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/sys/process.h"

namespace hp::agent {

// One of Kubernetes' ContainerState* (exactly one kind is set).
struct ContainerState {
  std::string kind = "waiting";  // waiting | running | terminated
  std::string reason;            // ContainerCreating, CrashLoopBackOff, Completed, Error, ...
  std::string message;
  int exit_code = 0;
  int signal = 0;
  int64_t started_at = 0;   // unix seconds (running, terminated)
  int64_t finished_at = 0;  // unix seconds (terminated)
};

struct ContainerStatus {
  std::string name;
  std::string image;
  std::string image_id;  // kubelet's imageID: "<repository>@<manifest digest>" or the config id
  ContainerState state;
  std::optional<ContainerState> last_state;  // the previous run (terminated)
  bool ready = false;
  bool started = false;
  int restart_count = 0;
  std::string container_id;  // "hostprocess://<id>" while it exists
  pid_t pid = 0;             // the first process while running
};

// kubectl describe's events (aggregated like the event recorder: same reason+message → count).
struct Event {
  std::string type = "Normal";  // Normal | Warning
  std::string reason;
  std::string message;
  std::string from = "kubelet";
  int64_t first = 0;  // unix seconds
  int64_t last = 0;
  int count = 1;
};

// Appends `events` an event, or counts it again when the same one (type, reason, message,
// source) is there: the API server's event aggregation. At most 50 kept, oldest dropped.
void AddEvent(std::vector<Event>& events, const std::string& type, const std::string& reason,
              const std::string& message, int64_t now, const std::string& from = "kubelet");

struct PodStatus {
  std::string phase = "Pending";  // Pending | Running | Succeeded | Failed
  std::string reason;             // pod-level reason (rare)
  std::string message;
  int64_t start_time = 0;
  std::string host_ip;
  bool initialized = false;
  bool containers_ready = false;
  bool ready = false;
  std::vector<ContainerStatus> init_containers;
  std::vector<ContainerStatus> containers;
  std::vector<Event> events;

  // Agent bookkeeping.
  pid_t supervisor_pid = 0;
  uint64_t supervisor_start = 0;  // /proc/<pid>/stat start time, against pid reuse
  std::string supervisor_boot;    // the kernel's boot id when the supervisor started
  // What a clean-up needs when pod.json is unreadable: the pod's uid and job root.
  std::string pod_uid;
  std::string cgroup_root;
  bool finished = false;     // the supervisor ended on its own (pod done or deleted)
  bool terminating = false;  // a delete is in progress
  // The kubelet refused to create the pod's sandbox (a feature gate): no supervisor; every
  // reconcile tries again.
  bool sandbox_refused = false;
  // Not placed on this node (schedule.h PlacePod): Pending with kube-scheduler's
  // FailedScheduling events (`scheduling_message` is the last one), or bound to another node
  // (message empty). No supervisor; every reconcile tries again.
  bool unscheduled = false;
  std::string scheduling_message;
  // kubelet's admission refused the pod (Failed with the predicate's reason): never started.
  bool rejected = false;
  // Ids of the containers that exist on the host right now (sandbox, job, maybe a user):
  // what a crash clean-up must remove.
  std::vector<std::string> live_containers;
  int64_t updated = 0;

  // Appends or aggregates an event (AddEvent above).
  void AddEvent(const std::string& type, const std::string& reason, const std::string& message,
                int64_t now, const std::string& from = "kubelet");
};

void to_json(nlohmann::json& j, const ContainerState& s);
void from_json(const nlohmann::json& j, ContainerState& s);
void to_json(nlohmann::json& j, const ContainerStatus& s);
void from_json(const nlohmann::json& j, ContainerStatus& s);
void to_json(nlohmann::json& j, const Event& e);
void from_json(const nlohmann::json& j, Event& e);
void to_json(nlohmann::json& j, const PodStatus& s);
void from_json(const nlohmann::json& j, PodStatus& s);

Result<PodStatus> ReadPodStatus(const std::string& path);
Status WritePodStatus(const std::string& path, const PodStatus& status);
// A list of events kept in a file of its own (a DaemonSet's); none when the file is missing or
// damaged (the next event starts it again).
std::vector<Event> ReadEventsFile(const std::string& path);

// The Kubernetes API form of a status (`status:` of `get -o json`): RFC 3339 times,
// conditions, containerStatuses (qosClass comes from the spec: record.h QOSClassOf).
nlohmann::json ApiPodStatus(const PodStatus& s);

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
  std::string cgroup_root;
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
