// The events of this node's objects, as `kubectl get events` and `kubectl events` list them:
// the kubelet's and scheduler's events of each pod (kept in its status) and the DaemonSet
// controller's SuccessfulCreate and SuccessfulDelete of its pods (kept with the DaemonSet).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/hostprocess/node_pods.h"
#include "cli/hostprocess/printers/table.h"
#include "core/agent/pod_status.h"
#include "core/base/result.h"

namespace hp::cli {

struct NodeEvent {
  std::string ns;
  std::string object;  // kubectl's OBJECT column: "pod/x", "daemonset/y"
  agent::Event event;
};

// Every event of the node's pods and DaemonSets, oldest last-seen first (`events`, and
// `get events`).
Result<std::vector<NodeEvent>> ListNodeEvents(NodePods& node);
// The events of pod `ns`/`name` alone, oldest last-seen first (`events --for pod/NAME`): only
// that pod is read.
Result<std::vector<NodeEvent>> PodEvents(NodePods& node, const std::string& ns,
                                         const std::string& name);

// EventSource and LastSeenColumn: printers/table.h.

// printEvent's table: [NAMESPACE] LAST SEEN, TYPE, REASON, OBJECT, MESSAGE.
Table EventsTable(const std::vector<NodeEvent>& events, bool with_namespace, int64_t now);

}  // namespace hp::cli
