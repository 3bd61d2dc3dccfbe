// The Windows node's pods and DaemonSets on disk, and what starts and stops them (preview,
// docs/windows.md). Under --root:
//   desired\daemonsets\<ns>_<name>.json     {"object": <DaemonSet>, "created", "volumeRoot"}
//                                           (agent/desired.h, the store Linux keeps too)
//   run\daemonsets\<ns>_<name>.events.json the DaemonSet controller's events (Linux's file,
//                                           agent/daemonset_events.h)
//   desired\pods\<ns>_<name>.json          {"object": <Pod>, "created", "volumeRoot"}: the applied
//                                           Pods (agent/apply_plan.h)
//   pods\<ns>_<name>\pod.json               agent::PodRecord (agent/pod_record.h)
//   desired\configmaps\, desired\secrets\   objects.h
//   pods\<ns>_<name>\supervisor.json        its supervisor's pid and creation time
//   pods\<ns>_<name>\status.json            agent::PodStatus, written by the supervisor
//   logs\<ns>_<name>\<container>\<n>.log    CRI log of the container's run n (restart count)
// Every JSON file is written aside and moved over (a reader never sees half of one); a pod's
// are ASCII (`\uXXXX` escapes), which the Windows YAML reader takes as libyaml does.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/agent/daemonset_view.h"
#include "core/agent/pod_record.h"
#include "core/agent/pod_status.h"
#include "core/agent/schedule.h"
#include "core/base/result.h"
#include "core/k8s/types.h"
#include "core/sys/windows/file_lock.h"

namespace hp::cli::windows_node {

std::string PodDir(const std::string& root, const std::string& key);
std::string PodsDir(const std::string& root);
// The stored DaemonSet `key` (agent/desired.h: <root>\desired\daemonsets\<key>.json).
std::string DaemonSetPath(const std::string& root, const std::string& key);
std::string LogDir(const std::string& root, const std::string& key);
std::string LogPath(const std::string& root, const std::string& key, const std::string& container,
                    int restart);

std::optional<nlohmann::json> ReadJson(const std::string& path);
Status WriteJson(const std::string& path, const nlohmann::json& j);

// pod.json: the record Linux keeps too (agent/pod_record.h), with the Windows node's own field
// (its volume root) and none of Linux's.
using agent::PodRecord;
// Where the containers' volumes are made when no --volume-root says otherwise.
inline constexpr const char kDefaultVolumeRoot[] = "C:\\hpc";
// A record of this node's: pods' container volumes under `volume_root`.
PodRecord NewPodRecord(const std::string& volume_root);
Result<PodRecord> ReadPodRecord(const std::string& root, const std::string& key);
// The same where a failure removes the pod (Reconcile, apply over an unreadable record): a
// read that fails is tried once more 100 ms later (another program may hold the file for a
// moment), since removing the pod is for good.
Result<PodRecord> ReadPodRecordBeforeRemoving(const std::string& root, const std::string& key);
// The record's Pod decoded as `apply` decoded it (errors name pod.json).
Result<k8s::Pod> DecodeRecordPod(const std::string& root, const std::string& key,
                                 const PodRecord& r);

// The status a pod has before its supervisor writes one: agent::InitialStatus (shared with
// Linux: every container waiting), with its start time now.
agent::PodStatus InitialStatus(const nlohmann::json& pod);

// A process recorded by pid and creation time (Windows reuses pids): kGone when no such
// process runs, kAlive when it runs (its handle in *handle, opened with `access`, when handle is
// not null), kDenied when this account may not open it: it may run, and callers treat it so.
enum class Liveness { kGone, kAlive, kDenied };
Liveness CheckProcess(uint32_t pid, uint64_t start, unsigned long access, void** handle);
// A process handle's creation time (FILETIME ticks), 0 when unknown.
uint64_t ProcessCreationTime(void* process);

// status.json; nullopt when missing or damaged.
std::optional<agent::PodStatus> ReadStatus(const std::string& root, const std::string& key);

// Whether the pod's supervisor runs (its pid, checked against the process's creation time:
// Windows reuses pids).
bool SupervisorAlive(const std::string& root, const std::string& key);

// A pod's status as the verbs show it: what its supervisor recorded, or Pending before it wrote
// anything. A supervisor that died took its containers with it: they show as ended in Error.
agent::PodStatus ViewStatus(const std::string& root, const std::string& key, const PodRecord& rec);
// The same from the status read (`recorded`) and whether its supervisor runs (or it finished).
agent::PodStatus ViewStatus(agent::PodStatus recorded, bool supervisor_alive_or_finished);

// The keys (<ns>_<name>) of the stored pods of namespace `ns` (of every namespace when `ns` is
// empty: a namespace has no `_`), sorted.
std::vector<std::string> PodKeys(const std::string& root, const std::string& ns);

// Records the pod and, when `placement` puts it on this node (the reconciler places it, as on
// Linux: agent::PlacePod), starts its supervisor (`hostprocess.exe supervise-pod`, detached); a
// pod not placed is kept with the scheduler's or kubelet's verdict in its status
// (agent::MarkUnplaced) and no supervisor. On failure nothing of the pod is left.
Status CreatePod(const std::string& root, const std::string& key, const PodRecord& r,
                 const agent::Placement& placement);
// The host ports the pods kept here hold (agent::HostPortsHeld; a pod with no status yet is
// being made and holds them): what `run` places its pod against.
std::vector<agent::HostPort> HeldHostPorts(const std::string& root);
// Stops the pod's supervisor (kill-on-job-close ends its containers and what they started),
// then removes the container volumes, the pod's state and its logs, retrying while the dying
// processes still hold files. An error names what could not be removed.
Status RemovePod(const std::string& root, const std::string& key,
                 std::optional<int64_t> grace_seconds = std::nullopt);

// The stored DaemonSets as the controller sees them on this node (agent::ListDaemonSetViews,
// shared with Linux; the volume root in each one's `fields`), and the messages that name each
// one that cannot be read and say what to do (`unreadable`'s order).
struct DaemonSetListing {
  std::vector<agent::DaemonSetView> daemonsets;
  std::vector<agent::UnreadableDaemonSet> unreadable;
  std::vector<std::string> messages;
};
DaemonSetListing ListDaemonSets(const std::string& root);
// Where the containers of the pods of a stored DaemonSet or Pod get their volumes: the
// `volumeRoot` among its record's other fields (DaemonSetView::fields), C:\hpc when none.
std::string VolumeRootIn(const nlohmann::json& fields);

// What kubelet and the DaemonSet controller do for this node, run after every apply and delete
// (under StoreLock): the reconciler both nodes share (agent::ReconcileNode, agent/reconciler.h:
// the pods the applied DaemonSets and Pods make, the decisions, placement, in-place updates and
// the DaemonSet controller's events) over this node's pods (records, supervisors, container
// volumes); a bare pod of the layout before applied Pods were stored gets its Pod stored again,
// and what killed foreground runs left is removed (runs.h). A DaemonSet file that cannot be read
// is named in the error (its pod is left as it is). `created`/`deleted` (optional) receive the
// keys of the pods made and removed.
Status Reconcile(const std::string& root, std::vector<std::string>* created = nullptr,
                 std::vector<std::string>* deleted = nullptr);

// An exclusive lock on the node's state (`<root>\lock`, LockFileEx) for the commands that change
// it, so that two of them never start one pod twice. Released with the object.
// A root made before the desired store was shared with Linux kept its objects in daemonsets\,
// configmaps\ and secrets\ beside pods\, and the DaemonSets' events in daemonset-events\: they
// move into desired\ and run\daemonsets\ (under the store's lock, which every mutating command
// takes first, and here for the others), so that an upgraded node keeps what was applied. A file
// that cannot be moved (another program holds it beyond 2 s) fails the mutating command, which
// would otherwise remove the pods of what it cannot see; a reading command warns and goes on.
void UpgradeOldLayout(const std::string& root);

class StoreLock {
 public:
  static Result<StoreLock> Take(const std::string& root);

 private:
  explicit StoreLock(sys::FileLock lock) : lock_(std::move(lock)) {}
  sys::FileLock lock_;
};

}  // namespace hp::cli::windows_node
