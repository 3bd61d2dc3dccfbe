// hp/agent: the node's controllers (kubelet and the DaemonSet controller) bringing the pods to
// what was applied, one implementation for both nodes: what is wanted (WantedPods), what is
// held, the decisions (PlanReconcile), the DaemonSet controller's events, in-place updates and
// placement (schedule.h) are here; making, removing and restarting a pod are the node's
// (NodeBackend: the Linux agent's cgroups and supervisors, the Windows node's Job Objects).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/agent/daemonset_view.h"
#include "core/agent/desired.h"
#include "core/agent/node.h"
#include "core/agent/pod_record.h"
#include "core/agent/pod_status.h"
#include "core/agent/schedule.h"
#include "core/base/result.h"

namespace hp::agent {

// A pod the node holds, as the reconciler sees it.
struct HeldPod {
  std::string key;
  std::optional<PodRecord> record;  // nullopt: its record cannot be read (removed, made again)
  PodStatus status;                 // its host ports (HostPortsHeld)
  // Wanted as it is, but to be started again: its supervisor died before the pod ended, or it
  // has none to have (not placed: tried again).
  bool restart = false;
};

class NodeBackend {
 public:
  virtual ~NodeBackend() = default;
  // The applied DaemonSets that can be read (ListDaemonSetViews); the keys of those that
  // cannot into `unreadable` (the node names them).
  virtual Result<std::vector<DaemonSetView>> DaemonSets(std::set<std::string>& unreadable) = 0;
  // The node's own settings on a wanted pod's record, from the stored object's other fields
  // (WantedPods).
  virtual void FinishRecord(PodRecord& record, const nlohmann::json& fields) = 0;
  // A stored object that cannot be read (skipped; its pods are left as they are).
  virtual void NoteUnreadable(const DesiredObjects::Unreadable& u) = 0;
  // The pods under the node's run state, sorted by key. Called first: what the node brings up to
  // date here is read as wanted after.
  virtual Result<std::vector<HeldPod>> HeldPods() = 0;
  // Same revision, other mutable fields: `record` replaces the pod's record; the pod keeps its
  // uid (and its supervisor takes what it can of the change).
  virtual Status UpdateInPlace(const std::string& key, const PodRecord& record) = 0;
  // Stops the pods and removes their state (a pod whose record cannot be read too).
  virtual Status RemovePods(const std::vector<std::string>& keys) = 0;
  // Re-adopts a pod (HeldPod::restart): what its dead supervisor left is removed and, when
  // `placement` puts it on this node, a new supervisor starts it; else the pod records why not.
  virtual Status Restart(const HeldPod& pod, const Placement& placement) = 0;
  // Makes the pod `key` (a new uid), started when placed, else recording why not. On failure
  // nothing of it is left.
  virtual Status Create(const std::string& key, const PodRecord& record,
                        const Placement& placement) = 0;
  // After the pods were brought to what is wanted (Linux: the orphan containers' sweep).
  virtual void Finish(const std::vector<HeldPod>& held) { (void)held; }
  virtual void Warn(const std::string& message) = 0;
};

// What a reconcile did: the keys of the pods made and removed.
struct ReconcileReport {
  std::vector<std::string> created, removed;
};

// Brings the node's pods to what `desired` holds, on `node` (placement: kube-scheduler's
// predicates against the host ports of the pods kept): each pod removed, updated in place,
// re-adopted or made by PlanReconcile's rules, the DaemonSet controller's SuccessfulCreate and
// SuccessfulDelete events recorded with the DaemonSet (a failure to record one is warned about,
// the pod's change stands), the events of DaemonSets no longer applied pruned. Goes on past a
// failure: one error returned as it is, several joined.
Status ReconcileNode(const DesiredObjects& desired, const Node& node, NodeBackend& backend,
                     ReconcileReport* report = nullptr);

}  // namespace hp::agent
