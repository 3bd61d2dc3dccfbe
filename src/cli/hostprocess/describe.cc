// `hostprocess describe pod|ds NAME`: kubectl describe for this node — the object, its
// containers' states (with last state, restart count, probes), conditions and events. For a
// DaemonSet that does not fit this node it says which selector term or taint did not match.
#include "cli/hostprocess/printers/describe.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/hostprocess/agent_cli.h"
#include "cli/hostprocess/events.h"
#include "cli/hostprocess/printers/table.h"
#include "cli/hostprocess/views.h"
#include "core/agent/naming.h"
#include "core/base/strings.h"

namespace hp::cli {
namespace {

struct DescribeFlags {
  std::string resource;
  std::vector<std::string> names;
  NamespaceFlags ns;
};

int DescribePod(agent::Agent& a, const agent::PodView& v) {
  PodDescription p;
  p.pod = PodObject(v, a.node());  // with the API server's defaults
  p.status = &v.status;
  p.node_name = a.node().name;
  p.owner_kind = v.record.owner_kind;
  p.owner_name = v.record.owner_name;
  p.qos_class = agent::QOSClassOf(v.record.pod);
  p.sa_volume = ServiceAccountVolume(p.pod.value("spec", nlohmann::json::object()), v.uid);
  p.lost = v.lost;
  Print(stdout, DescribePodText(p, NowUnixSeconds()));
  return 0;
}

int DescribeDaemonSet(const agent::DaemonSetView& v, const std::vector<agent::PodView>& pods) {
  Describer d;
  nlohmann::json obj = DaemonSetObject(v);
  auto tmpl = obj["spec"].value("template", nlohmann::json::object());
  auto tspec = tmpl.value("spec", nlohmann::json::object());
  auto tmeta = tmpl.value("metadata", nlohmann::json::object());
  auto labels_of = [](const nlohmann::json& m, const std::string& none) {
    std::vector<std::string> parts;
    for (const auto& [k, val] : m.items()) parts.push_back(k + "=" + IntOrString(val));
    return parts.empty() ? none : Join(parts, ",");
  };
  d.W(0, "Name:\t" + v.name + "\n");
  d.W(0, "Selector:\t" +
             labels_of(obj["spec"]
                           .value("selector", nlohmann::json::object())
                           .value("matchLabels", nlohmann::json::object()),
                       "") +
             "\n");
  d.W(0, "Node-Selector:\t" +
             labels_of(tspec.value("nodeSelector", nlohmann::json::object()), "<none>") + "\n");
  d.Multiline("Labels", obj["metadata"].value("labels", nlohmann::json::object()));
  nlohmann::json annotations = obj["metadata"].value("annotations", nlohmann::json::object());
  annotations.erase("kubectl.kubernetes.io/last-applied-configuration");
  d.Multiline("Annotations", annotations);
  d.W(0, fmt::format("Desired Number of Nodes Scheduled: {}\n", v.desired));
  d.W(0, fmt::format("Current Number of Nodes Scheduled: {}\n", v.current));
  d.W(0, fmt::format("Number of Nodes Scheduled with Up-to-date Pods: {}\n", v.up_to_date));
  d.W(0, fmt::format("Number of Nodes Scheduled with Available Pods: {}\n", v.available));
  d.W(0, "Number of Nodes Misscheduled: 0\n");
  int running = 0, waiting = 0, succeeded = 0, failed = 0;
  for (const auto& p : pods) {
    if (p.record.owner_kind != "DaemonSet" || p.record.owner_name != v.name || p.ns != v.ns)
      continue;
    const std::string& ph = p.status.phase;
    running += ph == "Running";
    waiting += ph == "Pending";
    succeeded += ph == "Succeeded";
    failed += ph == "Failed";
  }
  d.W(0, fmt::format("Pods Status:\t{} Running / {} Waiting / {} Succeeded / {} Failed\n", running,
                     waiting, succeeded, failed));
  if (!v.fit.fits) {
    // Why this node gets no pod (not in kubectl's describe: a cluster would have other
    // nodes): kube-scheduler's reason, then each failing term.
    d.W(0, "Scheduling:\t" + v.fit.Message() + "\n");
    for (const auto& why : v.fit.details) d.W(0, "\t" + why + "\n");
  }
  // DescribePodTemplate.
  d.W(0, "Pod Template:\n");
  d.Multiline("  Labels", tmeta.value("labels", nlohmann::json::object()));
  if (!tmeta.value("annotations", nlohmann::json::object()).empty())
    d.Multiline("  Annotations", tmeta["annotations"]);
  if (!tspec.value("serviceAccountName", "").empty())
    d.W(1, "Service Account:\t" + tspec.value("serviceAccountName", "") + "\n");
  Containers(d, "Init Containers", tspec.value("initContainers", nlohmann::json::array()), nullptr,
             "  ", "", nullptr);
  Containers(d, "Containers", tspec.value("containers", nlohmann::json::array()), nullptr, "  ", "",
             nullptr);
  Volumes(d, tspec.value("volumes", nlohmann::json::array()), "  ", "");
  if (!tspec.value("priorityClassName", "").empty())
    d.W(1, "Priority Class Name:\t" + tspec.value("priorityClassName", "") + "\n");
  d.Multiline("  Node-Selectors", tspec.value("nodeSelector", nlohmann::json::object()));
  Tolerations(d, "  Tolerations", tspec.value("tolerations", nlohmann::json::array()));
  // The controller's events (SuccessfulCreate and SuccessfulDelete of its pods).
  Events(d, v.events, NowUnixSeconds());
  Print(stdout, d.str());
  return 0;
}

int RunDescribe(const GlobalOptions& global, DescribeFlags f) {
  std::string kind = PodOrDaemonSetKind(f.resource, f.names);
  if (kind.empty()) return 1;
  auto agent = OpenAgent(global);
  if (!agent) return Fail(agent.error());
  auto pods = (*agent)->ListPods();
  if (!pods) return Fail(pods.error());
  int rc = 0;
  bool first = true;
  auto matches = [&](const std::string& ns, const std::string& name) {
    if (ns != f.ns.ns) return false;
    if (f.names.empty()) return true;
    return std::find(f.names.begin(), f.names.end(), name) != f.names.end();
  };
  std::vector<std::string> seen;
  if (kind == "pods") {
    for (const auto& p : *pods) {
      if (!matches(p.ns, p.name)) continue;
      if (!first) Print(stdout, "\n\n");
      first = false;
      seen.push_back(p.name);
      rc |= DescribePod(**agent, p);
    }
  } else {
    auto list = (*agent)->ListDaemonSets();
    if (!list) return Fail(list.error());
    for (const auto& ds : *list) {
      if (!matches(ds.ns, ds.name)) continue;
      if (!first) Print(stdout, "\n\n");
      first = false;
      seen.push_back(ds.name);
      rc |= DescribeDaemonSet(ds, *pods);
    }
  }
  for (const auto& n : f.names) {
    if (std::find(seen.begin(), seen.end(), n) == seen.end()) {
      rc = NotFound(kind == "pods" ? "pods" : "daemonsets.apps", n);
    }
  }
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
      cmd->callback([flags, &global, &exit_code] { exit_code = RunDescribe(global, *flags); });
    });

}  // namespace
}  // namespace hp::cli
