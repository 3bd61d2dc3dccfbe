// The API objects `get -o json|yaml|name` prints, made from what a node stores (a pod's JSON and
// its agent::PodStatus, a DaemonSet's JSON and its counts): pure, the same code for the Linux
// agent's store and the Windows pod store, through node_pods.h's PodApiObject and
// DaemonSetApiObject.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/agent/pod_status.h"

namespace hp::cli {

// What a node knows of a pod besides its JSON and status.
struct PodFacts {
  std::string owner_kind;  // "DaemonSet", or "" for a bare pod
  std::string owner_name;
  int64_t created = 0;  // unix seconds
  bool lost = false;    // its supervisor died before the pod ended
  std::string node_name;
};

// The pod as the API server would return it (`get pod -o json`): the API's defaults, metadata
// with creationTimestamp, generation, resourceVersion and the DaemonSet's ownerReference; spec
// with nodeName and the DaemonSet's tolerations; status with qosClass.
nlohmann::json ApiPodObject(const nlohmann::json& stored, const agent::PodStatus& status,
                            const PodFacts& facts);

struct DaemonSetCounts {
  int desired = 0, current = 0, ready = 0, up_to_date = 0, available = 0;
};
// The DaemonSet with the API's defaults and its status.
nlohmann::json ApiDaemonSetObject(const nlohmann::json& stored, int64_t created,
                                  const DaemonSetCounts& n);

// What `get -o json|yaml` prints of the listed objects: the object itself when one was asked for
// by name, else kubectl's List.
nlohmann::json GetDocument(std::vector<nlohmann::json> objects, bool one_by_name);
// -o json (kubectl's 4-space indentation) or -o yaml of it.
std::string DocumentText(const nlohmann::json& doc, bool yaml);

}  // namespace hp::cli
