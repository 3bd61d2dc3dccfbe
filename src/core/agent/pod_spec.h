// hp/agent: a stored pod's spec as the node reads it (both platforms: the Linux agent and the
// Windows pod verbs store a pod as its JSON).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/k8s/types.h"

namespace hp::agent {

// The pod's spec alone, with the API server's defaults (k8s/defaults.h); nullopt when it does
// not decode (its supervisor reports why).
std::optional<k8s::PodSpec> DecodePodSpec(const nlohmann::json& pod);
// status.qosClass (k8s/qos.h) of the pod; BestEffort when it does not decode.
std::string QOSClassOf(const nlohmann::json& pod);

}  // namespace hp::agent
