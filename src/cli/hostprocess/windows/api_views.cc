#include "cli/hostprocess/windows/api_views.h"

namespace hp::cli::windows_node {

nlohmann::json PodApiObject(const std::string& ns, const PodRecord& rec,
                            const agent::PodStatus& recorded, bool alive, const std::string& node) {
  nlohmann::json stored = rec.pod;
  stored["metadata"]["namespace"] = ns;  // as the API server fills it in
  return ApiPodObject(stored, recorded,
                      {.owner_kind = rec.owner_kind,
                       .owner_name = rec.owner_name,
                       .created = rec.created,
                       .lost = !alive,
                       .node_name = node});
}

DaemonSetCounts CountsOf(const std::string& root, const DaemonSetView& ds) {
  DaemonSetPods n = CountDaemonSetPods(root, ds);
  return {.desired = ds.fit.fits ? 1 : 0,
          .current = n.current,
          .ready = n.ready,
          .up_to_date = n.up_to_date,
          .available = n.ready};
}

nlohmann::json DaemonSetApiObject(const DaemonSetView& ds, const DaemonSetCounts& counts) {
  nlohmann::json stored = ds.object;
  stored["metadata"]["namespace"] = ds.ns;
  return ApiDaemonSetObject(stored, ds.created, counts);
}

}  // namespace hp::cli::windows_node
