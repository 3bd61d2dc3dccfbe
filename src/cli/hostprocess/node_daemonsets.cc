// node_pods.h: a DaemonSet as the verbs show it and its status counts, made once for both nodes.
#include <map>
#include <tuple>

#include "cli/hostprocess/node_pods.h"

namespace hp::cli {

NodeDaemonSet NodeDaemonSetOf(agent::DaemonSetView d) {
  NodeDaemonSet n;
  n.ns = std::move(d.ns);
  n.name = std::move(d.name);
  n.object = std::move(d.object);
  n.revision = std::move(d.revision);
  n.desired = d.desired;
  n.events = std::move(d.events);
  n.created = d.created;
  n.fit = std::move(d.fit);
  return n;
}

void CountDaemonSetPods(std::vector<NodeDaemonSet>& daemonsets, const std::vector<NodePod>& pods) {
  std::map<std::tuple<std::string, std::string>, NodeDaemonSet*> by_name;
  for (NodeDaemonSet& d : daemonsets) {
    d.current = d.ready = d.available = d.up_to_date = 0;
    by_name[{d.ns, d.name}] = &d;
  }
  for (const NodePod& p : pods) {
    if (p.owner_kind != "DaemonSet") continue;
    auto it = by_name.find({p.ns, p.owner_name});
    if (it == by_name.end()) continue;
    NodeDaemonSet& d = *it->second;
    bool ready = p.status.ready && !p.lost;
    d.current++;
    d.ready += ready;
    d.available += ready;
    d.up_to_date += p.revision == d.revision;
  }
}

Result<std::vector<NodeDaemonSet>> DaemonSetsCounted(NodePods& node) {
  ASSIGN_OR_RETURN(std::vector<NodeDaemonSet> daemonsets, node.DaemonSets());
  if (daemonsets.empty()) return daemonsets;
  ASSIGN_OR_RETURN(std::vector<NodePod> pods, node.ListRows());
  CountDaemonSetPods(daemonsets, pods);
  return daemonsets;
}

}  // namespace hp::cli
