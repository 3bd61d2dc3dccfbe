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
#include <memory>
#include <optional>
#include <string>
#include <vector>

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
  std::string cgroup_root = "/hostprocess";
  int64_t log_max_size = 10 * 1024 * 1024;
  int log_max_files = 5;
  // kubelet's --feature-gates: with WindowsHostProcessContainers off, a HostProcess pod's
  // sandbox is not created (the pod stays Pending with kubelet's FailedCreatePodSandBox event).
  k8s::FeatureGates gates;
};

struct AgentOptions {
  std::string root;
  // The `hostprocess` binary that runs `__supervise` ("" = /proc/self/exe).
  std::string self_exe;
  // Settings given on this command line (each replaces the stored value when set).
  std::optional<std::string> cgroup_root;
  std::optional<std::string> node_labels;  // kubelet --node-labels syntax
  std::optional<std::string> taints;       // kubelet --register-with-taints syntax
  std::optional<std::string> hostname_override;
  std::optional<int64_t> log_max_size;
  std::optional<int> log_max_files;
  std::optional<std::string> feature_gates;  // kubelet --feature-gates syntax
  std::string boot_id;  // "" = the kernel's (tests pass their own to simulate a reboot)
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

struct DaemonSetView {
  std::string ns, name;
  nlohmann::json object;
  int64_t created = 0;
  FitResult fit;
  std::string revision;
  int desired = 0, current = 0, ready = 0, up_to_date = 0, available = 0;
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
  };
  std::vector<Result<std::string>> Delete(const std::vector<DeleteRequest>& requests);

  Result<std::vector<PodView>> ListPods();
  Result<std::optional<PodView>> GetPod(const std::string& ns, const std::string& name);
  Result<std::vector<DaemonSetView>> ListDaemonSets();

  const Node& node() const { return node_; }
  const NodeSettings& settings() const { return settings_; }
  Store& store() { return store_; }

 private:
  explicit Agent(AgentOptions options) : options_(std::move(options)), store_(options_.root) {}
  Status ReconcileLocked();
  Result<std::vector<std::pair<std::string, PodRecord>>> WantedPods();
  Status CreatePod(const std::string& key, PodRecord record);
  Status SpawnSupervisor(const std::string& key);
  // Stops the pods (SIGTERM to their supervisors, which stop the containers with the grace
  // period), waits for them, cleans up whatever is left and removes their state and logs.
  Status RemovePods(const std::vector<std::string>& keys);
  Result<PodView> ReadPod(const std::string& key);

  AgentOptions options_;
  Store store_;
  NodeSettings settings_;
  Node node_;
};

// The kind directory for a kubectl resource name or alias ("po", "pod", "pods", "ds",
// "daemonset", "daemonset.apps", "cm", ...); "" when unknown.
std::string ResourceKind(const std::string& name);

}  // namespace hp::agent
