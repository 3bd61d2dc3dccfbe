// `hostprocess describe pod|ds [NAME...]`: kubectl describe for this node, both nodes' (the pods
// and DaemonSets come from node_pods.h) — the object, its containers' states (with last state,
// restart count, probes; on Windows a running container's Job Object accounting), conditions
// and events. For a DaemonSet that does not fit this node it says which selector term or taint
// did not match.
#include "cli/hostprocess/printers/describe.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/node_pods.h"
#include "core/agent/pod_spec.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/k8s/selector.h"

namespace hp::cli {
namespace {

struct DescribeFlags {
  std::string resource;
  std::vector<std::string> names;
  NamespaceFlags ns;
  std::string selector;  // -l
};

std::string DescribePod(NodePods& node, const NodePod& np, bool* blocks_shown) {
  PodDescription p;
  p.pod = PodApiObject(np, node.NodeName());  // with the API server's defaults
  p.status = &np.status;
  p.node_name = node.NodeName();
  p.owner_kind = np.owner_kind;
  p.owner_name = np.owner_name;
  // Kubernetes' rule on the spec with the API's defaults (a limit is also the request).
  p.qos_class = agent::QOSClassOf(np.pod);
  p.sa_volume = ServiceAccountVolume(p.pod.value("spec", nlohmann::json::object()), np.uid);
  p.lost = np.lost;
  p.blocks = node.ContainerAccounting(np);
  *blocks_shown |= !p.blocks.empty();
  return DescribePodText(p, NowUnixSeconds());
}

std::string DescribeDaemonSet(const NodeDaemonSet& ds, const std::vector<NodePod>& pods) {
  DaemonSetDescription d;
  d.object = DaemonSetApiObject(ds);
  d.desired = ds.desired;
  d.current = ds.current;
  d.up_to_date = ds.up_to_date;
  d.available = ds.available;
  for (const NodePod& p : pods) {
    if (p.owner_kind != "DaemonSet" || p.owner_name != ds.name || p.ns != ds.ns) continue;
    const std::string& ph = p.status.phase;
    d.running += ph == "Running";
    d.waiting += ph == "Pending";
    d.succeeded += ph == "Succeeded";
    d.failed += ph == "Failed";
  }
  d.fit = ds.fit;
  d.events = ds.events;
  return DescribeDaemonSetText(d, NowUnixSeconds());
}

int RunDescribe(const GlobalOptions& global, DescribeFlags f) {
  std::string kind = PodOrDaemonSetKind(f.resource, f.names);
  if (kind.empty()) return 1;
  if (!f.selector.empty() && !f.names.empty()) {  // kubectl's resource builder
    Print(stderr, "error: name cannot be provided when a selector is specified\n");
    return 1;
  }
  auto labels = k8s::LabelMatcher::Parse(f.selector);
  if (!labels) return Fail(labels.error());
  auto opened = OpenNodePods(global);
  if (!opened) return Fail(opened.error());
  NodePods& node = **opened;
  // Pods named are read alone; a DaemonSet counts its pods from their rows (no specs, no events).
  auto pods = kind != "pods"    ? node.ListRows()
              : f.names.empty() ? node.List()
                                : GetNamedPods(node, f.ns.ns, f.names);
  if (!pods) return Fail(pods.error());
  auto wanted = [&](const std::string& ns, const std::string& name,
                    const std::map<std::string, std::string>& object_labels) {
    if (ns != f.ns.ns || !labels->Matches(object_labels)) return false;
    return f.names.empty() || std::find(f.names.begin(), f.names.end(), name) != f.names.end();
  };
  std::vector<std::string> texts, seen;
  bool blocks_shown = false;
  if (kind == "pods") {
    for (const NodePod& p : *pods) {
      if (!wanted(p.ns, p.name, p.labels)) continue;
      seen.push_back(p.name);
      texts.push_back(DescribePod(node, p, &blocks_shown));
    }
  } else {
    auto list = node.DaemonSets();
    if (!list) return Fail(list.error());
    CountDaemonSetPods(*list, *pods);
    for (const NodeDaemonSet& ds : *list) {
      if (!wanted(ds.ns, ds.name, k8s::LabelsOf(ds.object))) continue;
      seen.push_back(ds.name);
      texts.push_back(DescribeDaemonSet(ds, *pods));
    }
  }
  Print(stdout, Join(texts, "\n\n"));
  if (blocks_shown) Print(stderr, node.AccountingCaveat());
  int rc = 0;
  for (const std::string& n : f.names) {
    if (std::find(seen.begin(), seen.end(), n) == seen.end())
      rc = NotFound(kind == "pods" ? "pods" : "daemonsets.apps", n);
  }
  if (f.names.empty() && seen.empty())
    Print(stderr, "No resources found in " + f.ns.ns + " namespace.\n");
  return rc;
}

CommandRegistration describe_verb(
    32, {"describe"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
      auto flags = std::make_shared<DescribeFlags>();
      CLI::App* cmd = app.add_subcommand(
          "describe", "Show a pod or DaemonSet in detail, with events (kubectl describe)");
      cmd->add_option("resource", flags->resource, "pods (po) or daemonsets (ds), or TYPE/NAME")
          ->required();
      cmd->add_option("names", flags->names, "Names (default: all in the namespace)");
      AddNamespaceFlags(cmd, flags->ns, false);
      cmd->add_option("-l,--selector", flags->selector,
                      "Describe the objects with these labels (k=v, 'k in (a,b)', ...)");
      cmd->callback([flags, &global, &exit_code] { exit_code = RunDescribe(global, *flags); });
    });

}  // namespace
}  // namespace hp::cli
