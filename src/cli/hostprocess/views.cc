#include "cli/hostprocess/views.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/agent/format.h"
#include "core/base/strings.h"
#include "core/k8s/yaml.h"

namespace hp::cli {

std::string ToYaml(const nlohmann::json& j) { return k8s::yaml::JsonToYaml(j); }

nlohmann::json PodObject(const agent::PodView& v, const agent::Node& node) {
  nlohmann::json pod = v.record.pod;
  pod["apiVersion"] = "v1";
  pod["kind"] = "Pod";
  auto& meta = pod["metadata"];
  meta["creationTimestamp"] = agent::Rfc3339(v.record.created);
  if (v.record.owner_kind == "DaemonSet") {
    meta["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                {"kind", "DaemonSet"},
                                {"name", v.record.owner_name},
                                {"controller", true},
                                {"blockOwnerDeletion", true}}};
  }
  pod["spec"]["nodeName"] = node.name;
  pod["status"] = agent::ApiPodStatus(v.status);
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
  ds["metadata"]["creationTimestamp"] = agent::Rfc3339(v.created);
  ds["status"] = {{"currentNumberScheduled", v.current},
                  {"desiredNumberScheduled", v.desired},
                  {"numberAvailable", v.available},
                  {"numberMisscheduled", 0},
                  {"numberReady", v.ready},
                  {"observedGeneration", 1},
                  {"updatedNumberScheduled", v.up_to_date}};
  return ds;
}

std::string PodStatusColumn(const agent::PodView& v) {
  if (v.lost && !v.status.terminating) return "Unknown";
  return agent::StatusColumn(v.status);
}

}  // namespace hp::cli
