#include "cli/hostprocess/printers/api_objects.h"

#include <algorithm>
#include <cstdlib>

#include "cli/hostprocess/printers/describe.h"
#include "core/agent/pod_spec.h"
#include "core/base/time.h"
#include "core/k8s/defaults_json.h"
#include "core/k8s/yaml.h"

namespace hp::cli {

nlohmann::json ApiPodObject(const nlohmann::json& stored, const agent::PodStatus& status,
                            const PodFacts& facts) {
  nlohmann::json pod = stored;
  pod["apiVersion"] = "v1";
  pod["kind"] = "Pod";
  if (facts.owner_kind == "DaemonSet" && pod["spec"].is_object())
    AddDaemonSetTolerations(pod["spec"]);
  k8s::DefaultPodJson(pod);  // what the API server adds to every Pod it stores
  auto& meta = pod["metadata"];
  meta["creationTimestamp"] = Rfc3339(facts.created);
  if (!meta.contains("generation")) meta["generation"] = 1;
  // Opaque, growing when the pod or its status changes (etcd's revision in a cluster).
  int64_t rv = std::max(facts.created, status.updated) * 1000000;
  if (meta.contains("resourceVersion") && meta["resourceVersion"].is_string())
    rv = std::max<int64_t>(
        rv, std::strtoll(meta["resourceVersion"].get<std::string>().c_str(), nullptr, 10));
  meta["resourceVersion"] = std::to_string(rv);
  if (facts.owner_kind == "DaemonSet") {
    meta["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                {"kind", "DaemonSet"},
                                {"name", facts.owner_name},
                                {"controller", true},
                                {"blockOwnerDeletion", true}}};
  }
  if (!status.unscheduled) pod["spec"]["nodeName"] = facts.node_name;
  pod["status"] = agent::ApiPodStatus(status);
  pod["status"]["qosClass"] = agent::QOSClassOf(stored);
  if (facts.lost) {
    pod["status"]["phase"] = "Unknown";
    pod["status"]["reason"] = "SupervisorLost";
    pod["status"]["message"] = "the pod's supervisor is gone; `hostprocess apply` restarts it";
  }
  return pod;
}

nlohmann::json ApiDaemonSetObject(const nlohmann::json& stored, int64_t created,
                                  const DaemonSetCounts& n) {
  nlohmann::json ds = stored;
  ds["apiVersion"] = "apps/v1";
  ds["kind"] = "DaemonSet";
  k8s::DefaultDaemonSetJson(ds);
  ds["metadata"]["creationTimestamp"] = Rfc3339(created);
  if (!ds["metadata"].contains("generation")) ds["metadata"]["generation"] = 1;
  // A resourceVersion from the creation time in microseconds, as the store's writes.
  if (!ds["metadata"].contains("resourceVersion"))
    ds["metadata"]["resourceVersion"] = std::to_string(created * 1000000);
  // The controller of this node has seen every change: observedGeneration is the generation.
  ds["status"] = {{"currentNumberScheduled", n.current},
                  {"desiredNumberScheduled", n.desired},
                  {"numberAvailable", n.available},
                  {"numberMisscheduled", 0},
                  {"numberReady", n.ready},
                  {"observedGeneration", ds["metadata"]["generation"]},
                  {"updatedNumberScheduled", n.up_to_date}};
  return ds;
}

nlohmann::json GetDocument(std::vector<nlohmann::json> objects, bool one_by_name) {
  if (objects.size() == 1 && one_by_name) return std::move(objects[0]);
  return {{"apiVersion", "v1"},
          {"items", std::move(objects)},
          {"kind", "List"},
          {"metadata", {{"resourceVersion", ""}}}};
}

std::string DocumentText(const nlohmann::json& doc, bool yaml) {
  return yaml ? k8s::yaml::JsonToYaml(doc) : doc.dump(4) + "\n";
}

}  // namespace hp::cli
