// The Windows node's pods and DaemonSets as the API objects `get -o json|yaml` prints
// (printers/api_objects.h), for `get` and for what diff and apply --dry-run compare with
// (node_pods.h's LiveObject).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "cli/hostprocess/printers/api_objects.h"
#include "cli/hostprocess/windows/pod_state.h"

namespace hp::cli::windows_node {

// The pod of namespace `ns` recorded as `rec`: `recorded` is its status as its supervisor last
// wrote it, `alive` whether that supervisor still runs (or the pod ended), `node` the node's
// name.
nlohmann::json PodApiObject(const std::string& ns, const PodRecord& rec,
                            const agent::PodStatus& recorded, bool alive, const std::string& node);

// A DaemonSet's status counts on this node (its pods counted by CountDaemonSetPods).
DaemonSetCounts CountsOf(const std::string& root, const DaemonSetView& ds);
nlohmann::json DaemonSetApiObject(const DaemonSetView& ds, const DaemonSetCounts& counts);

}  // namespace hp::cli::windows_node
