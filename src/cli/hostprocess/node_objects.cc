// The API objects of node_pods.h's pods and DaemonSets, for both nodes.
#include "cli/hostprocess/node_pods.h"
#include "cli/hostprocess/printers/api_objects.h"

namespace hp::cli {

nlohmann::json PodApiObject(const NodePod& p, const std::string& node_name) {
  nlohmann::json stored = p.pod;
  stored["metadata"]["namespace"] = p.ns;  // as the API server fills it in
  return ApiPodObject(stored, p.status,
                      {.owner_kind = p.owner_kind,
                       .owner_name = p.owner_name,
                       .created = p.created,
                       .lost = p.lost,
                       .node_name = node_name});
}

nlohmann::json DaemonSetApiObject(const NodeDaemonSet& d) {
  nlohmann::json stored = d.object;
  stored["metadata"]["namespace"] = d.ns;
  return ApiDaemonSetObject(stored, d.created,
                            {.desired = d.desired,
                             .current = d.current,
                             .ready = d.ready,
                             .up_to_date = d.up_to_date,
                             .available = d.available});
}

}  // namespace hp::cli
