#include "cli/hostprocess/views.h"

#include <nlohmann/json.hpp>

#include "cli/hostprocess/printers/api_objects.h"

namespace hp::cli {

nlohmann::json PodObject(const agent::PodView& v, const agent::Node& node) {
  return ApiPodObject(v.record.pod, v.status,
                      {.owner_kind = v.record.owner_kind,
                       .owner_name = v.record.owner_name,
                       .created = v.record.created,
                       .lost = v.lost,
                       .node_name = node.name});
}

nlohmann::json DaemonSetObject(const agent::DaemonSetView& v) {
  return ApiDaemonSetObject(v.object, v.created,
                            {.desired = v.desired,
                             .current = v.current,
                             .ready = v.ready,
                             .up_to_date = v.up_to_date,
                             .available = v.available});
}

}  // namespace hp::cli
