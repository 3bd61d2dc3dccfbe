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
  DaemonSetDescription d;
  d.object = DaemonSetObject(v);
  d.desired = v.desired;
  d.current = v.current;
  d.up_to_date = v.up_to_date;
  d.available = v.available;
  for (const auto& p : pods) {
    if (p.record.owner_kind != "DaemonSet" || p.record.owner_name != v.name || p.ns != v.ns)
      continue;
    const std::string& ph = p.status.phase;
    d.running += ph == "Running";
    d.waiting += ph == "Pending";
    d.succeeded += ph == "Succeeded";
    d.failed += ph == "Failed";
  }
  d.fit = v.fit;
  d.events = v.events;
  Print(stdout, DescribeDaemonSetText(d, NowUnixSeconds()));
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
