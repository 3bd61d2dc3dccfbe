// hp/agent: the node agent as the CLI drives it — kubelet plus the DaemonSet controller for one
// node, with the API server's storage replaced by the state directory (store.h).
//
// `Apply` stores the objects (desired state, kept across reboots) and reconciles: every
// DaemonSet whose template fits this node gets one pod `<name>-<5 chars>` at its current
// revision (a changed template replaces the pod: a rollout), every applied Pod runs, pods that
// are no longer wanted are stopped and removed, and a pod whose supervisor died is cleaned up
// and started again. Each pod is run by its own detached supervisor (supervisor.h); the agent
// itself never stays running. Every mutating call holds the store's lock.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/agent/cleanup.h"
#include "core/agent/daemonset_view.h"
#include "core/agent/naming.h"
#include "core/agent/node.h"
#include "core/agent/record.h"
#include "core/agent/schedule.h"
#include "core/agent/status.h"
#include "core/agent/store.h"
#include "core/base/result.h"
#include "core/k8s/features.h"
#include "core/k8s/types.h"

namespace hp::agent {

// Node settings kept in desired/node.json (kubelet's flags).
struct NodeSettings {
  NodeConfig node;
  // job::JobOptions::root (Linux: --cgroup-root), stored as "cgroupRoot".
  std::string job_root = "/hostprocess";
  int64_t log_max_size = 10 * 1024 * 1024;
  int log_max_files = 5;
  // kubelet's --feature-gates: with WindowsHostProcessContainers off, a HostProcess pod's
  // sandbox is not created (the pod stays Pending with kubelet's FailedCreatePodSandBox event).
  k8s::FeatureGates gates;
};

// The node settings kept in `path` (the store's desired/node.json), none when there are none yet;
// an error naming the file when it cannot be read.
Result<std::optional<NodeSettings>> ReadNodeSettings(const std::string& path);

struct AgentOptions {
  std::string root;
  // The `hostprocess` binary that runs `__supervise` ("" = /proc/self/exe).
  std::string self_exe;
  // Settings given on this command line (each replaces the stored value when set).
  std::optional<std::string> job_root;
  std::optional<std::string> node_labels;  // kubelet --node-labels syntax
  std::optional<std::string> taints;       // kubelet --register-with-taints syntax
  std::optional<std::string> hostname_override;
  std::optional<int64_t> log_max_size;
  std::optional<int> log_max_files;
  std::optional<std::string> feature_gates;  // kubelet --feature-gates syntax
  std::string boot_id;  // "" = the kernel's (tests pass their own to simulate a reboot)
  // Told what the agent recovered from or skipped (an unreadable state file, a clean-up that
  // failed): the CLI prints it as a warning. Null: not told.
  std::function<void(const std::string&)> warn;
};

// One pod on this node, as `get`/`describe`/`logs` show it.
struct PodView {
  std::string key;
  std::string dir;
  PodRecord record;
  std::string ns, name, uid;
  PodStatus status;
  bool supervisor_alive = false;
  bool lost = false;  // its supervisor died before the pod ended
};

class Agent {
 public:
  static Result<std::unique_ptr<Agent>> Open(AgentOptions options);

  // Stores `objects` (decoded with keep_raw, already admitted) and reconciles. Returns
  // kubectl's lines: `daemonset.apps/x created`, `pod/y configured`, `configmap/z unchanged`.
  Result<std::vector<std::string>> Apply(const std::vector<k8s::Object>& objects);
  // Brings the node to the desired state (after a reboot, or a crashed supervisor).
  Status Reconcile();

  // kubectl delete. `kind` is "pods", "daemonsets", "configmaps", "secrets",
  // "serviceaccounts" or "namespaces". One result per request, in order: `pod "x" deleted`,
  // or kNotFound with kubectl's `pods "x" not found`. The pods of all requests are stopped at
  // once; this returns when they are gone.
  struct DeleteRequest {
    std::string kind, ns, name;
    // `delete --grace-period` (--now: 1, --force: 0): replaces the pod's own for this stop.
    std::optional<int64_t> grace_seconds;
  };
  std::vector<Result<std::string>> Delete(const std::vector<DeleteRequest>& requests);

  // How much of each pod a listing reads (issue 16: `get pods` reads every pod at each call).
  enum class PodDetail {
    kWhole,  // the record with the pod's spec and objects; the status with its events
    // The record without the pod's spec and objects (ReadPodRecordHead): for listings that
    // show no more; such a view is never written back.
    kHead,
    kRow,  // kHead, and the status without its events: what a table row or a count shows
  };
  // Every pod.
  Result<std::vector<PodView>> ListPods(PodDetail detail = PodDetail::kWhole);
  Result<std::optional<PodView>> GetPod(const std::string& ns, const std::string& name);
  Result<std::vector<DaemonSetView>> ListDaemonSets();

  const Node& node() const { return node_; }
  const NodeSettings& settings() const { return settings_; }
  Store& store() { return store_; }

 private:
  explicit Agent(AgentOptions options) : options_(std::move(options)), store_(options_.root) {}
  // The shared reconciler (reconciler.h) over this node (reconcile.cc).
  class Backend;
  Status ReconcileLocked();
  // Open's recovery (recover.cc): when run/ is not this boot's (a reboot, or a damaged or
  // missing boot id), takes the lock (kept in `lock`), judges each pod by its own evidence
  // (Store::Init) and removes the last boot's leftovers except those of the pods kept.
  Status RecoverRunState(FileLock& lock);
  // The applied DaemonSets (daemonset_view.h), the unreadable ones warned about and kept so.
  Result<std::vector<DaemonSetView>> DaemonSetViews();
  void NoteUnreadable(const std::string& kind, const std::string& key, const std::string& error);
  // Creates the pod's run state; starts its supervisor when `placement` puts it on this node,
  // else records why not (Pending or Failed, with the scheduler's or kubelet's event).
  Status CreatePod(const std::string& key, PodRecord record, const Placement& placement);
  // Starts the supervisor of the pod whose pod.json holds `record`: returns once it has exec'd
  // and been given the go (it loads while the next pods are made, and touches nothing before
  // its identity is recorded).
  Status SpawnSupervisor(const std::string& key, const PodRecord& record);
  // Records that `p` keeps the pod off this node: Pending with kube-scheduler's event (tried
  // again at every reconcile), Failed with kubelet's admission event, or Pending bound
  // elsewhere. No supervisor; the events of earlier tries are kept.
  static Status RecordUnplaced(const std::string& dir, const PodRecord& record, const Placement& p);
  // Stops the pods (SIGTERM to their supervisors, which stop the containers with the grace
  // period, or `grace`'s for a key it has), waits for them, cleans up whatever is left and
  // removes their state and logs.
  Status RemovePods(const std::vector<std::string>& keys,
                    const std::map<std::string, int64_t>& grace = {});
  Result<PodView> ReadPod(const std::string& key, PodDetail detail = PodDetail::kWhole);
  // ReadPod of each key, on every core when there are many: `views` gets one view per key,
  // `read` 0 where the pod is unreadable (its view left empty).
  void ReadPods(const std::vector<std::string>& keys, PodDetail detail, std::vector<PodView>& views,
                std::vector<char>& read);
  // Sets supervisor_alive (and the status's supervisor identity) and lost.
  void SetSupervisor(PodView& v) const;
  // A pod whose pod.json is unreadable, as far as its status and directory name tell.
  PodView SalvagePod(const std::string& key);
  // What a clean-up of the pod `key` must remove, from its record and status, whichever is
  // readable (either may be damaged). `complete`: the status was readable (it names the
  // containers).
  PodLeftovers LeftoversOf(const std::string& key, bool* complete = nullptr);
  // Removes the containers (sandbox, scratch, lease, ephemeral user) that no pod and no live
  // foreground run names: what a supervisor killed in a teardown left after its status was
  // damaged. Skipped while a pod's status is unreadable (it could name one of them).
  // `named`: the containers the pods read just before name (their status's live containers),
  // kept without reading the pods again; only when others are left are the pods read.
  void SweepOrphanContainers(const std::set<std::string>& named);
  void Warn(const std::string& message) const {
    if (options_.warn) options_.warn(message);
  }

  AgentOptions options_;
  Store store_;
  NodeSettings settings_;
  Node node_;
  std::string boot_id_;  // options_.boot_id, else the kernel's
  // The keys of the damaged desired objects, by kind dir ("daemonsets", "pods", ...).
  std::map<std::string, std::set<std::string>> unreadable_;
  // The images whose layers this command found unpacked before a supervisor started
  // (spawn.cc UnpackImageLayers): each is looked at once per command, not once per pod.
  std::set<std::string> images_unpacked_;
};

}  // namespace hp::agent
