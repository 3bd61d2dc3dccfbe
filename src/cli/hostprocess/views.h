// The API objects of the agent's views, as `describe` prints them (get's come from node_pods.h).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "core/agent/agent.h"

namespace hp::cli {

// The pod as the API server would return it (`get pod -o json`): metadata with uid,
// creationTimestamp, ownerReferences; spec with nodeName; status (printers/api_objects.h, shared
// with the Windows build).
nlohmann::json PodObject(const agent::PodView& v, const agent::Node& node);
// The DaemonSet with its status (desiredNumberScheduled, currentNumberScheduled, ...).
nlohmann::json DaemonSetObject(const agent::DaemonSetView& v);

}  // namespace hp::cli
