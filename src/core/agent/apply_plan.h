// hp/agent: what `apply` stores, decided once for both nodes (the Linux agent, agent.cc, and the
// Windows node, cli/hostprocess/windows/node_pods.cc), and the pods the stored objects make.
// Each node writes the steps to its desired store (desired.h) under its lock and reconciles.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/agent/daemonset_view.h"
#include "core/agent/desired.h"
#include "core/agent/pod_record.h"
#include "core/base/result.h"
#include "core/k8s/types.h"

namespace hp::agent {

// A kind the desired store holds, with kubectl's words for it.
struct StoredKind {
  k8s::Kind kind;
  const char* dir;       // desired/<dir>, and the resource (`pods "x" not found`)
  const char* singular;  // `pod/x created`, `pod "x" deleted`
  const char* plural;    // `pods "x" not found` of an API group (`daemonsets.apps`)
  bool namespaced;
};
// Every kind a node stores (the Windows node stores fewer: it says which).
const std::vector<StoredKind>& StoredKinds();
// The stored kind of `kind` / of a store directory (a resource's plural), or null.
const StoredKind* StoredKindOf(k8s::Kind kind);
const StoredKind* StoredKindOfDir(std::string_view dir);

// One object of an apply: where it goes and what is written.
struct ApplyStep {
  const StoredKind* kind = nullptr;
  std::string name;
  std::string key;                         // "<ns>_<name>", or the name of a cluster-wide kind
  std::optional<nlohmann::json> existing;  // the stored record it replaces
  DesiredWrite write;                      // write.record is null when unchanged
  // kubectl's line: `pod/x created`, `daemonset.apps/x configured`, `configmap/x unchanged`.
  std::string Line() const;
};
// What applying `objects` (decoded with their raw JSON) to `desired` does, object by object, by
// the API server's rules: the namespace filled in, what the server set (status, uid, generation,
// resourceVersion, the scheduler's nodeName on `node_name`) not taken for a change of the user's,
// a Pod's update checked (k8s::ValidatePodUpdate: kubectl's `The Pod "x" is invalid: ...`) and
// equal when equal once defaulted. Nothing is written: a refusal of any object is returned before
// the caller stores the first. A stored record that cannot be read is replaced (`warnings` gets
// its error).
Result<std::vector<ApplyStep>> PlanApply(const DesiredObjects& desired,
                                         const std::vector<k8s::Object>& objects,
                                         const std::string& node_name,
                                         std::vector<std::string>* warnings);

// Refuses an apply after which a Pod and a DaemonSet's pod would have one name (one would stop the
// other): the stored DaemonSets and Pods, then the applied ones (which replace stored ones of the
// same key). The error names both and says to rename the Pod.
Status CheckPodNames(const DesiredObjects& desired, const std::vector<k8s::Object>& objects);

// The pods the applied objects make on this node, with their store keys: each fitting
// DaemonSet's (`daemonsets`, ListDaemonSetViews) at its revision, then each applied Pod at the
// hash of what an update may not change (what may change is updated in place). Each record has
// the objects of its namespace (ConfigMaps, Secrets, ServiceAccounts) and is finished by the
// node (`node_fields`: its own settings, from the stored object's other fields: a DaemonSet's
// `fields`, a Pod's record). Unreadable stored objects go to `unreadable`.
using NodeFields = std::function<void(PodRecord& record, const nlohmann::json& fields)>;
Result<std::vector<std::pair<std::string, PodRecord>>> WantedPods(
    const DesiredObjects& desired, const std::vector<DaemonSetView>& daemonsets,
    const NodeFields& node_fields, std::vector<DesiredObjects::Unreadable>* unreadable);

// The revision of an applied Pod (its record's `revision`): a hash of what an update may not
// change.
std::string BarePodRevision(const nlohmann::json& pod);

}  // namespace hp::agent
