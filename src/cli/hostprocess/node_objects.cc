// What node_pods.h gives both nodes on top of a node: the API objects of its pods and
// DaemonSets, and `apply`'s restore.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/node_pods.h"
#include "cli/hostprocess/printers/api_objects.h"
#include "core/agent/naming.h"
#include "core/k8s/names.h"

namespace hp::cli {

Result<std::vector<NodePod>> GetNamedPods(NodePods& node, const std::string& ns,
                                          const std::vector<std::string>& names) {
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<NodePod> out;
  // Only what a pod can be named (the API's rules) names one: the stores' lookups go through
  // file names, which Windows compares without case and without trailing dots and spaces.
  if (!k8s::names::IsDNS1123Label(ns).empty()) return out;
  for (const std::string& name : sorted) {
    if (!k8s::names::IsDNS1123Subdomain(name).empty()) continue;
    // A pod that cannot be read is not there, as the listing skips it: one being made or
    // removed has its directory before and after its record (wait.cc takes it so too).
    Result<std::optional<NodePod>> pod = node.Get(ns, name);
    if (pod && *pod) out.push_back(std::move(**pod));
  }
  return out;
}

std::string DefaultedContainerNotice(const agent::PodStatus& status) {
  if (status.containers.empty()) return "";
  if (status.containers.size() == 1 && status.init_containers.empty()) return "";
  std::vector<std::string> names;  // kubectl's AllContainerNames: containers, then init
  for (const auto& c : status.containers) names.push_back(c.name);
  for (const auto& c : status.init_containers) names.push_back(c.name + " (init)");
  return fmt::format("Defaulted container \"{}\" out of: {}\n", status.containers[0].name,
                     fmt::join(names, ", "));
}

Result<std::optional<NodePod>> FindPodOfArg(NodePods& node, const std::string& ns,
                                            const std::string& arg,
                                            std::pair<std::string, std::string>* not_found) {
  std::string type = "pods", name = arg;
  if (auto slash = arg.find('/'); slash != std::string::npos) {
    type = agent::ResourceKind(arg.substr(0, slash));
    name = arg.substr(slash + 1);
  }
  *not_found = {"pods", name};
  if (type == "pods") return node.Get(ns, name);
  if (type != "daemonsets") {
    return Err(ErrorCode::kInvalidArgument, "cannot attach to a {}: only pods and daemonsets",
               arg.substr(0, arg.find('/')));
  }
  ASSIGN_OR_RETURN(auto all, node.List());
  for (NodePod& p : all) {
    if (p.ns == ns && p.owner_kind == "DaemonSet" && p.owner_name == name)
      return std::optional<NodePod>(std::move(p));
  }
  ASSIGN_OR_RETURN(auto daemonsets, node.DaemonSets());
  bool exists = std::any_of(daemonsets.begin(), daemonsets.end(),
                            [&](const NodeDaemonSet& d) { return d.ns == ns && d.name == name; });
  if (!exists) not_found->first = "daemonsets.apps";
  return std::optional<NodePod>();
}

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

int RestoreNode(NodePods& node) {
  auto before = node.ListRows();  // which pods, and whether lost
  if (!before) return Fail(before.error());
  if (Status s = node.Reconcile(); !s) return Fail(s.error());
  auto after = node.ListRows();
  if (!after) return Fail(after.error());
  auto find = [](const std::vector<NodePod>& pods, const std::string& key) -> const NodePod* {
    for (const NodePod& p : pods)
      if (p.key == key) return &p;
    return nullptr;
  };
  std::string out;
  int started = 0, removed = 0;
  for (const NodePod& p : *after) {
    const NodePod* old = find(*before, p.key);
    if (old && !old->lost) continue;
    out += fmt::format("started pod \"{}/{}\"\n", p.ns, p.name);
    started++;
  }
  for (const NodePod& p : *before) {
    if (find(*after, p.key)) continue;
    out += fmt::format("removed pod \"{}/{}\"\n", p.ns, p.name);
    removed++;
  }
  out += fmt::format("{} pods on this node as applied: {} started, {} removed\n", after->size(),
                     started, removed);
  Print(stdout, out);
  return 0;
}

}  // namespace hp::cli
