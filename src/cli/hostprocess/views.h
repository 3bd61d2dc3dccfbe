// The API objects and kubectl columns the node-agent verbs print (get, describe).
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

// kubectl's STATUS column: printPod's reason, "Unknown" when the pod's supervisor is gone.
std::string PodStatusColumn(const agent::PodView& v);

// JSON as YAML, as kubectl -o yaml prints it (k8s::yaml::JsonToYaml).
std::string ToYaml(const nlohmann::json& j);

}  // namespace hp::cli
