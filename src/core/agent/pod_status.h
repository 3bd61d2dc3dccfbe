// hp/agent: a pod's status as a supervisor records it (`status.json`) and the CLI reads it:
// Kubernetes' PodStatus shape (phase, conditions, container states with reasons, restart
// counts) plus what the agent itself needs (the supervisor's identity, the containers that
// exist on the host, the events for `describe`). Platform-neutral: the Windows supervisor
// writes the same JSON (docs/windows.md). Files and processes: status.h (Linux).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace hp::agent {

// One of Kubernetes' ContainerState* (exactly one kind is set).
struct ContainerState {
  std::string kind = "waiting";  // waiting | running | terminated
  std::string reason;            // ContainerCreating, CrashLoopBackOff, Completed, Error, ...
  std::string message;
  int exit_code = 0;
  int signal = 0;
  int64_t started_at = 0;    // unix seconds (running, terminated)
  int64_t finished_at = 0;   // unix seconds (terminated)
  std::string container_id;  // terminated: the container that ended ("hostprocess://<id>")
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

// The id of a running container (its container_id without the scheme: the name of its job),
// or nothing for one that is not running or has no id.
std::optional<std::string> RunningContainerId(const ContainerStatus& c);

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
  std::string job_root;      // job::JobOptions::root (Linux: --cgroup-root), stored as "cgroupRoot"
  std::string volume_root;   // Windows: where the containers' volumes are made (--volume-root)
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

  // A pod that has no supervisor by design (the feature gate refused its sandbox, or it is not
  // placed on this node): not lost, tried again by the next reconcile.
  bool WithoutSupervisor() const { return sandbox_refused || unscheduled; }
  // Whether the pod holds its host ports on the node (the scheduler's NodePorts counts it):
  // placed here and not finished.
  bool HoldsHostPorts() const {
    return !unscheduled && !rejected && phase != "Succeeded" && phase != "Failed";
  }
};

void to_json(nlohmann::json& j, const ContainerState& s);
void from_json(const nlohmann::json& j, ContainerState& s);
void to_json(nlohmann::json& j, const ContainerStatus& s);
void from_json(const nlohmann::json& j, ContainerStatus& s);
void to_json(nlohmann::json& j, const Event& e);
void from_json(const nlohmann::json& j, Event& e);
void to_json(nlohmann::json& j, const PodStatus& s);
void from_json(const nlohmann::json& j, PodStatus& s);

// A status file (`status.json`, both nodes): read with DecodePodStatus below, else through the
// tree; the error names the file. Written through a temp file and a rename.
// Without `events` the status is read without its events (left empty): a table row shows
// none, and they are a third of the file and most of its strings (`get pods`, issue 16).
Result<PodStatus> ReadPodStatus(const std::string& path, bool events = true);
Status WritePodStatus(const std::string& path, const PodStatus& status);

// The status text as WritePodStatus writes it, read straight into `out` without building a
// tree (JsonPull: `get pods` reads one per pod; issue 16). Takes only that shape: each known
// member once, of its own type, no null. On anything else it returns false, and the caller
// decodes through the tree (from_json above), which gives the file its meaning in every case.
// Without `events`, the events are skipped (ReadPodStatus).
bool DecodePodStatus(std::string_view text, PodStatus& out, bool events = true);

// The Kubernetes API form of a status (`status:` of `get -o json`): RFC 3339 times,
// conditions, containerStatuses (qosClass comes from the spec: record.h QOSClassOf).
nlohmann::json ApiPodStatus(const PodStatus& s);

// The status of a pod (a v1 Pod as JSON) before its supervisor writes one, on both nodes: every
// container waiting, in ContainerCreating, or in PodInitializing while the pod has init
// containers (they and the app containers, as kubelet shows them); not initialized while there
// are init containers. A pod that is no object, or lists no containers, has none.
PodStatus InitialStatus(const nlohmann::json& pod);

}  // namespace hp::agent
