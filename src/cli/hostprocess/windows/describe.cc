// `hostprocess.exe describe pods|daemonsets [NAME...]` on Windows (preview, docs/windows.md):
// kubectl describe's text, the Linux node's printers (printers/describe.h), from this node's
// records and the statuses its supervisors write; a running container adds its Job Object's
// accounting (processes, CPU time, peak memory, I/O) under its Restart Count.
#include "cli/hostprocess/printers/describe.h"

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/hostprocess/command.h"
#include "cli/hostprocess/printers/table.h"
#include "cli/hostprocess/windows/pod_state.h"
#include "cli/hostprocess/windows/resources.h"
#include "core/agent/node.h"
#include "core/agent/pod_spec.h"
#include "core/base/time.h"
#include "core/job/windows/job_object.h"
#include "core/k8s/defaults_json.h"
#include "core/sys/windows/wine.h"
#include "core/windows/job_accounting.h"

namespace hp::cli {
namespace {

namespace wn = windows_node;
using windows_node::Write;

// The job accounting blocks of the running containers (init containers included), read from
// their Job Objects opened by name. A container not running, or whose supervisor is gone, has
// none (no zeros for a job that is gone); a job that ended since the status was written is
// skipped, a query that fails is warned about.
ContainerBlocks JobBlocks(const agent::PodStatus& status, bool lost) {
  ContainerBlocks blocks;
  if (lost) return blocks;
  for (const auto* list : {&status.init_containers, &status.containers}) {
    for (const agent::ContainerStatus& c : *list) {
      size_t scheme = c.container_id.find("://");
      if (c.state.kind != "running" || scheme == std::string::npos) continue;
      auto job = job::JobObject::Open(c.container_id.substr(scheme + 3));
      if (!job) continue;
      auto a = job->Accounting();
      if (!a) {
        Write(stderr, "Warning: container \"" + c.name + "\": " + a.error().ToString() + "\n");
        continue;
      }
      blocks[c.name] = {"Job Object", job->name(), windows::JobAccountingLines(*a)};
    }
  }
  return blocks;
}

// kubectl describe pod: the Linux node's text (printers/describe.h) from this node's record and
// status; a pod whose supervisor died shows Unknown (SupervisorLost) until apply re-adopts it.
int DescribePods(const GlobalOptions& g, const std::string& ns,
                 const std::vector<std::string>& names) {
  int rc = 0;
  bool first = true;
  bool any_block = false;
  std::vector<std::string> seen;
  std::string node = agent::LocalNode({}).name;
  for (const std::string& key : wn::PodKeys(g.root, ns)) {
    std::string name = key.substr(ns.size() + 1);
    if (!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) continue;
    auto rec = wn::ReadPodRecord(g.root, key);
    if (!rec) continue;
    seen.push_back(name);
    agent::PodStatus status = wn::ReadStatus(g.root, key).value_or(wn::InitialStatus(rec->pod));
    PodDescription p;
    p.pod = rec->pod;
    p.pod["apiVersion"] = "v1";
    p.pod["kind"] = "Pod";
    if (rec->owner_kind == "DaemonSet" && p.pod["spec"].is_object())
      AddDaemonSetTolerations(p.pod["spec"]);
    k8s::DefaultPodJson(p.pod);  // what the API server adds to every Pod it stores
    p.pod["metadata"]["namespace"] = ns;
    p.pod["metadata"]["creationTimestamp"] = Rfc3339(rec->created);
    p.pod["status"] = agent::ApiPodStatus(status);
    p.status = &status;
    p.node_name = node;
    p.owner_kind = rec->owner_kind;
    p.owner_name = rec->owner_name;
    // Kubernetes' rule on the spec with the API's defaults (a limit is also the request), as
    // the Linux node and `get -o json` compute it.
    p.qos_class = agent::QOSClassOf(rec->pod);
    p.lost = !status.finished && !wn::SupervisorAlive(g.root, key);
    p.blocks = JobBlocks(status, p.lost);
    any_block = any_block || !p.blocks.empty();
    if (!first) Write(stdout, "\n\n");
    first = false;
    Write(stdout, DescribePodText(p, NowUnixSeconds()));
  }
  for (const std::string& n : names)
    if (std::find(seen.begin(), seen.end(), n) == seen.end())
      rc = wn::Fail("Error from server (NotFound): pods \"" + n + "\" not found");
  // Wine accepts the accounting queries and reads the CPU times and the peak as 0, and has no
  // I/O accounting (docs/windows.md): say so, by name, rather than show an idle container.
  if (std::optional<std::string> wine = sys::WineVersion(); wine && any_block)
    Write(stderr, "Warning: Wine " + *wine +
                      " does not account the CPU time, peak memory and I/O of Job Objects: CPU "
                      "time and peak memory read 0 here\n");
  if (names.empty() && seen.empty()) return wn::NoneFound(ns);
  return rc;
}

// kubectl describe daemonset: the Linux node's text from the stored DaemonSet and its pod on
// this node, with the DaemonSet controller's events.
int DescribeDaemonSets(const GlobalOptions& g, const std::string& ns,
                       const std::vector<std::string>& names) {
  int rc = 0;
  bool first = true;
  std::vector<std::string> seen;
  std::vector<std::string> damaged;
  for (const wn::DaemonSetView& ds : wn::ListDaemonSets(g.root, &damaged)) {
    if (ds.ns != ns) continue;
    if (!names.empty() && std::find(names.begin(), names.end(), ds.name) == names.end()) continue;
    seen.push_back(ds.name);
    DaemonSetDescription d;
    d.object = ds.object;
    d.object["apiVersion"] = "apps/v1";
    d.object["kind"] = "DaemonSet";
    k8s::DefaultDaemonSetJson(d.object);  // what the API server adds to every DaemonSet
    wn::DaemonSetPods n = wn::CountDaemonSetPods(g.root, ds);
    d.desired = ds.fit.fits ? 1 : 0;
    d.current = n.current;
    d.up_to_date = n.up_to_date;
    d.available = n.ready;
    d.running = n.running;
    d.waiting = n.waiting;
    d.succeeded = n.succeeded;
    d.failed = n.failed;
    d.fit = ds.fit;
    d.events = ds.events;
    if (!first) wn::Write(stdout, "\n\n");
    first = false;
    wn::Write(stdout, DescribeDaemonSetText(d, NowUnixSeconds()));
  }
  for (const std::string& d : damaged) wn::Write(stderr, "Warning: " + d + "\n");
  for (const std::string& n : names)
    if (std::find(seen.begin(), seen.end(), n) == seen.end())
      rc = wn::Fail("Error from server (NotFound): daemonsets.apps \"" + n + "\" not found");
  if (names.empty() && seen.empty()) return wn::NoneFound(ns);
  return rc;
}

CommandRegistration describe_reg(32, {"describe"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto ns = std::make_shared<std::string>("default");
  auto what = std::make_shared<std::string>();
  auto names = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand(
      "describe", "Show pods or DaemonSets in detail (kubectl describe pod|daemonset)");
  cmd->add_option("RESOURCE", *what, "pods | daemonsets")->required();
  cmd->add_option("NAMES", *names, "Names (default: all in the namespace)");
  cmd->add_option("-n,--namespace", *ns, "Namespace")->capture_default_str();
  cmd->callback([&g, &rc, ns, what, names] {
    switch (wn::ResourceOf(*what)) {
      case wn::Resource::kPods:
        rc = DescribePods(g, *ns, *names);
        break;
      case wn::Resource::kDaemonSets:
        rc = DescribeDaemonSets(g, *ns, *names);
        break;
      default:
        rc = wn::Fail("error: the server doesn't have a resource type \"" + *what +
                      "\" (the Windows preview build describes pods and daemonsets)");
    }
  });
});

}  // namespace
}  // namespace hp::cli
