#include "cli/hostprocess/views.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli/hostprocess/printers/describe.h"
#include "cli/hostprocess/printers/table.h"
#include "core/base/strings.h"
#include "core/k8s/defaults_json.h"
#include "core/k8s/yaml.h"

namespace hp::cli {

std::string ToYaml(const nlohmann::json& j) { return k8s::yaml::JsonToYaml(j); }

namespace {

// A resourceVersion from a time in Unix seconds (microseconds, as the store's writes).
std::string MicrosString(int64_t unix_seconds) { return std::to_string(unix_seconds * 1000000); }

}  // namespace

nlohmann::json PodObject(const agent::PodView& v, const agent::Node& node) {
  nlohmann::json pod = v.record.pod;
  pod["apiVersion"] = "v1";
  pod["kind"] = "Pod";
  if (v.record.owner_kind == "DaemonSet" && pod["spec"].is_object())
    AddDaemonSetTolerations(pod["spec"]);
  k8s::DefaultPodJson(pod);  // what the API server adds to every Pod it stores
  auto& meta = pod["metadata"];
  meta["creationTimestamp"] = Rfc3339(v.record.created);
  if (!meta.contains("generation")) meta["generation"] = 1;
  // Opaque, growing when the pod or its status changes (etcd's revision in a cluster).
  int64_t rv = std::max(v.record.created, v.status.updated) * 1000000;
  if (meta.contains("resourceVersion") && meta["resourceVersion"].is_string())
    rv = std::max<int64_t>(
        rv, std::strtoll(meta["resourceVersion"].get<std::string>().c_str(), nullptr, 10));
  meta["resourceVersion"] = std::to_string(rv);
  if (v.record.owner_kind == "DaemonSet") {
    meta["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                {"kind", "DaemonSet"},
                                {"name", v.record.owner_name},
                                {"controller", true},
                                {"blockOwnerDeletion", true}}};
  }
  if (!v.status.unscheduled) pod["spec"]["nodeName"] = node.name;
  pod["status"] = agent::ApiPodStatus(v.status);
  pod["status"]["qosClass"] = agent::QOSClassOf(v.record.pod);
  if (v.lost) {
    pod["status"]["phase"] = "Unknown";
    pod["status"]["reason"] = "SupervisorLost";
    pod["status"]["message"] = "the pod's supervisor is gone; `hostprocess apply` restarts it";
  }
  return pod;
}

nlohmann::json DaemonSetObject(const agent::DaemonSetView& v) {
  nlohmann::json ds = v.object;
  ds["apiVersion"] = "apps/v1";
  ds["kind"] = "DaemonSet";
  k8s::DefaultDaemonSetJson(ds);
  ds["metadata"]["creationTimestamp"] = Rfc3339(v.created);
  if (!ds["metadata"].contains("generation")) ds["metadata"]["generation"] = 1;
  if (!ds["metadata"].contains("resourceVersion"))
    ds["metadata"]["resourceVersion"] = MicrosString(v.created);
  // The controller of this node has seen every change: observedGeneration is the generation.
  ds["status"] = {{"currentNumberScheduled", v.current},
                  {"desiredNumberScheduled", v.desired},
                  {"numberAvailable", v.available},
                  {"numberMisscheduled", 0},
                  {"numberReady", v.ready},
                  {"observedGeneration", ds["metadata"]["generation"]},
                  {"updatedNumberScheduled", v.up_to_date}};
  return ds;
}

std::string PodStatusColumn(const agent::PodView& v) {
  if (v.lost && !v.status.terminating) return "Unknown";
  return StatusColumn(v.status);
}

}  // namespace hp::cli
