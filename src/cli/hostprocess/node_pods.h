// The node's pods and DaemonSets as the verbs written once for both nodes read them (`logs`,
// `wait`, `events`, `rollout`, `get`, `describe`, `top`, `apply`, `delete`, `diff`): the
// Linux agent's store (node_pods.cc) or the Windows node's (windows/node_pods.cc).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/hostprocess/command.h"
#include "cli/hostprocess/printers/describe.h"
#include "core/agent/daemonset_view.h"
#include "core/agent/pod_status.h"
#include "core/base/result.h"
#include "core/job/job.h"
#include "core/k8s/types.h"
#include "core/sys/dir_watch.h"

namespace hp::cli {

struct NodePod {
  std::string name, ns, uid;
  std::string key;  // where the store keeps the pod (its directory)
  // As the verbs show it. Windows: a dead supervisor's containers ended with it (kill-on-job-
  // close), so they show as terminated.
  agent::PodStatus status;
  std::map<std::string, std::string> labels;
  std::string owner_kind, owner_name;  // "DaemonSet" and its name; empty for a bare pod
  std::string revision;                // a DaemonSet's pod: its template's revision
  nlohmann::json pod;                  // as applied (its record's)
  int64_t created = 0;                 // unix seconds
  bool lost = false;                   // its supervisor died before the pod ended
};

// An applied DaemonSet as this node's controller sees it: the object as applied, the counts of
// its status, and the controller's events (SuccessfulCreate, SuccessfulDelete of its pods).
struct NodeDaemonSet {
  std::string ns, name;
  nlohmann::json object;
  std::string revision;  // its template's (controller-revision-hash)
  // desired: 1 when its template fits this node; the rest counts its pods (CountDaemonSetPods).
  int desired = 0, current = 0, ready = 0, up_to_date = 0, available = 0;
  std::vector<agent::Event> events;
  int64_t created = 0;   // unix seconds
  agent::FitResult fit;  // whether its pod template fits this node, and why not
};

// A stored ConfigMap or Secret, as applied.
struct NodeObject {
  std::string ns, name;
  nlohmann::json object;
  int64_t created = 0;  // unix seconds
};

// What `wait` sleeps on between two looks at a pod: it returns after a change to the pod's
// state may have happened, or after `at_most`. Made before a look that the wait follows, so that
// no change between that look and the wait is missed.
class PodWatch {
 public:
  virtual ~PodWatch() = default;
  virtual void Wait(std::chrono::milliseconds at_most) = 0;
};

// A watch that sees nothing: it sleeps `at_most`.
class SleepingPodWatch : public PodWatch {
 public:
  void Wait(std::chrono::milliseconds at_most) override { std::this_thread::sleep_for(at_most); }
};

// A watch over the store's directories that hold the pod's state (sys::DirWatch): woken when a
// file is made, renamed over, written or removed in them.
class DirPodWatch : public PodWatch {
 public:
  explicit DirPodWatch(std::vector<std::string> dirs) : watch_(std::move(dirs)) {}
  void Wait(std::chrono::milliseconds at_most) override { watch_.Wait(at_most); }

 private:
  sys::DirWatch watch_;
};

class NodePods {
 public:
  virtual ~NodePods() = default;
  // Every pod of the node, sorted by namespace and name.
  virtual Result<std::vector<NodePod>> List() = 0;
  // The same, where `pod` may hold only the pod's metadata (names, labels, uid; no spec): for
  // listings that show no more (`get`'s table, -o name, label selectors). The Linux agent then
  // skips the specs it reads (issue 16).
  virtual Result<std::vector<NodePod>> ListHeads() { return List(); }
  // The same as ListHeads, where the status may also lack its events: for what shows a row or a
  // count per pod (`get`'s table, the DaemonSets' counts). The Linux agent then skips the
  // events it reads.
  virtual Result<std::vector<NodePod>> ListRows() { return ListHeads(); }
  // A watch on pod `ns`/`name` (which may not exist yet). The Linux agent's wakes at each write
  // of the pod's state (inotify on its directory and the pods'); the Windows node's at each
  // change below its pods directory (change notifications); the default sleeps.
  virtual std::unique_ptr<PodWatch> WatchPod(const std::string& /*ns*/,
                                             const std::string& /*name*/) {
    return std::make_unique<SleepingPodWatch>();
  }
  virtual Result<std::optional<NodePod>> Get(const std::string& ns, const std::string& name) = 0;
  // The CRI log of `container`'s run `restart` (its restart count then).
  virtual std::string LogPath(const NodePod& pod, const std::string& container, int restart) = 0;
  // The pod's status as it is now (for `-f`); nothing when the pod is gone.
  virtual std::optional<agent::PodStatus> StatusNow(const NodePod& pod) = 0;
  // Whether DaemonSet `ns`/`name` is applied.
  virtual Result<bool> HasDaemonSet(const std::string& ns, const std::string& name) = 0;
  // Every applied DaemonSet, its pods not counted (DaemonSetsCounted counts them).
  virtual Result<std::vector<NodeDaemonSet>> DaemonSets() = 0;
  // Applies `object`, a changed copy of DaemonSet `ns`/`name` (rollout restart), and reconciles:
  // its pod is replaced as for any changed template.
  virtual Status UpdateDaemonSet(const std::string& ns, const std::string& name,
                                 const nlohmann::json& object) = 0;
  // Applies decoded objects (keep_raw, admitted): ConfigMaps and Secrets stored, Pods and
  // DaemonSets stored and run, as `kubectl apply` and the node's controllers would. kubectl's
  // line for each object ("pod/x created"), or an error (the API server's refusal of an update
  // is kInvalidArgument "The ..."); the Linux agent applies all or nothing (one error), the
  // Windows node object by object.
  virtual std::vector<Result<std::string>> Apply(const std::vector<k8s::Object>& objects) = 0;
  struct DeleteRequest {
    std::string kind, ns, name;
    std::optional<int64_t> grace_seconds;  // --grace-period (--now 1, --force 0): the pod's own
  };
  // Deletes each object (kind: "pods", "daemonsets", "configmaps", "secrets", ...), in order,
  // and then brings the node to what is left (a deleted DaemonSet's pod goes, a DaemonSet's pod
  // deleted by name comes back), each pod stopped with its grace period and everything it had
  // on the host removed before this returns: kubectl's line for each ("pod \"x\" deleted") or
  // its error (kNotFound: `pods "x" not found`); an error of the reconcile after them comes
  // last.
  virtual std::vector<Result<std::string>> Delete(const std::vector<DeleteRequest>& requests) = 0;
  // Brings the node to what is applied (kubelet's and the DaemonSet controller's work after a
  // reboot or a crashed supervisor): pods wanted and not running are started, pods no longer
  // wanted removed.
  virtual Status Reconcile() = 0;
  // What a running pod's jobs use (`top`): its job's (Linux: its cgroup; Windows: its running
  // containers' Job Objects added up), or one container's when `container_id` is given.
  virtual Result<job::Stats> Usage(const NodePod& pod, const std::string& container_id) = 0;
  // What `top` says once on stderr about its figures (under Wine, what it cannot count), or "".
  virtual std::string UsageCaveat() = 0;
  // The name of this node (for a pod's spec.nodeName).
  virtual std::string NodeName() = 0;
  // The node's own blocks under a pod's running containers in `describe` (Windows: each Job
  // Object's accounting); none on Linux.
  virtual ContainerBlocks ContainerAccounting(const NodePod& pod) = 0;
  // What `describe` says once after the blocks it showed (what the platform does not account,
  // under Wine), or "".
  virtual std::string AccountingCaveat() = 0;
  // The stored objects of `kind_dir` ("configmaps" or "secrets") in namespace `ns` (every one
  // when empty), sorted by namespace and name. A stored file that cannot be read is skipped with
  // a warning on stderr (as the Linux agent warns), here and in DaemonSets.
  virtual Result<std::vector<NodeObject>> Objects(const std::string& kind_dir,
                                                  const std::string& ns) = 0;
  // The applied object of resource `kind_dir` ("pods", "configmaps", "secrets", ...; not
  // "daemonsets": those come from DaemonSets) as `get -o yaml` shows it, or null when there is
  // none (a DaemonSet's pod is the controller's, not an applied one: null too). What diff and
  // apply --dry-run compare with (dry_run.h).
  virtual Result<nlohmann::json> LiveObject(const std::string& kind_dir, const std::string& ns,
                                            const std::string& name) = 0;
};

Result<std::unique_ptr<NodePods>> OpenNodePods(const GlobalOptions& global);

// `apply` without a file (at boot): Reconcile, and what changed for the journal: each pod
// started (new, or its supervisor was gone) or removed, then a count. Its exit code.
int RestoreNode(NodePods& node);

// The pod as `get pod -o json` prints it, on node `node_name` (printers/api_objects.h), and the
// DaemonSet likewise: the same objects from both nodes' stores.
nlohmann::json PodApiObject(const NodePod& p, const std::string& node_name);
nlohmann::json DaemonSetApiObject(const NodeDaemonSet& d);

// The agent's view of an applied DaemonSet (agent/daemonset_view.h, both nodes), its pods not
// counted yet.
NodeDaemonSet NodeDaemonSetOf(agent::DaemonSetView d);
// The DaemonSets' status counts from the node's pods, as the DaemonSet controller makes them
// (both nodes): current (its pods), ready and available (ready, their supervisor alive), up to
// date (at its template's revision).
void CountDaemonSetPods(std::vector<NodeDaemonSet>& daemonsets, const std::vector<NodePod>& pods);
// The pods of namespace `ns` named in `names` that exist, each read alone (Get), sorted by name
// and each once, as a listing filtered by these names would give them: a name that is no valid
// pod name (a DNS-1123 subdomain; the namespace a DNS-1123 label) names none, and a pod that
// cannot be read (made or removed meanwhile, or damaged) is skipped as the listing skips it.
Result<std::vector<NodePod>> GetNamedPods(NodePods& node, const std::string& ns,
                                          const std::vector<std::string>& names);
// The pod that an argument of `logs` or `exec` names: NAME, pod/NAME, or ds/NAME (the
// DaemonSet's pod on this node), as kubectl's AttachablePodForObject finds it. None: nullopt,
// and `*not_found` what kubectl's NotFound names: {"pods", "x"} or {"daemonsets.apps", "x"}.
Result<std::optional<NodePod>> FindPodOfArg(NodePods& node, const std::string& ns,
                                            const std::string& arg,
                                            std::pair<std::string, std::string>* not_found);
// kubectl's notice when logs or exec take a pod's first container for none named
// (podcmd.FindOrDefaultContainerByName): `Defaulted container "a" out of: a, b, init (init)`,
// when the pod has more than one container or any init container; "" otherwise.
std::string DefaultedContainerNotice(const agent::PodStatus& status);
// Every applied DaemonSet with its pods counted: the pods read once for all of them (ListHeads).
Result<std::vector<NodeDaemonSet>> DaemonSetsCounted(NodePods& node);

}  // namespace hp::cli
