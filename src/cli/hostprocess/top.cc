// `hostprocess top pods`: kubectl top pod for this node, from the pods' jobs (cgroups): CPU as
// millicores over a short sample window, memory in Mi, and with --containers one row per
// container.
#include "cli/hostprocess/printers/top.h"

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/hostprocess/agent_cli.h"
#include "core/job/job.h"
#include "core/k8s/selector.h"

namespace hp::cli {
namespace {

struct TopFlags {
  std::string resource;
  std::vector<std::string> names;
  NamespaceFlags ns;
  bool containers = false;
  bool no_headers = false;
  int window_ms = 500;
  std::string selector;  // -l
};

// Where a sample's figures come from: the pod's cgroup, or one container's.
struct JobRef {
  std::string pod_id, container_id, job_root;
};

Result<job::Stats> Read(std::map<std::string, std::unique_ptr<job::JobManager>>& managers,
                        const JobRef& s) {
  auto& m = managers[s.job_root];
  if (!m) {
    ASSIGN_OR_RETURN(m, job::NewJobManager({s.job_root}));
  }
  if (s.container_id.empty()) return m->PodStats(s.pod_id);
  ASSIGN_OR_RETURN(auto j, m->Open(s.pod_id, s.container_id));
  return j->GetStats();
}

int RunTop(const GlobalOptions& global, const TopFlags& f) {
  if (agent::ResourceKind(f.resource) != "pods") {
    Print(stderr, fmt::format("error: unknown resource \"{}\": top supports pods\n", f.resource));
    return 1;
  }
  auto agent = OpenAgent(global);
  if (!agent) return Fail(agent.error());
  auto pods = (*agent)->ListPods();
  if (!pods) return Fail(pods.error());
  auto labels = k8s::LabelMatcher::Parse(f.selector);
  if (!labels) return Fail(labels.error());
  for (const auto& n : f.names) {
    bool found = false;
    for (const auto& p : *pods) found |= p.name == n && (f.ns.all || p.ns == f.ns.ns);
    if (!found) return NotFound("pods", n);
  }
  std::vector<TopSample> samples;
  std::vector<JobRef> refs;  // samples[i]'s job
  for (const auto& p : *pods) {
    if (!f.ns.all && p.ns != f.ns.ns) continue;
    std::map<std::string, std::string> pod_labels = LabelsOf(p.record.pod);
    if (!labels->Matches(pod_labels)) continue;
    if (!f.names.empty() && std::find(f.names.begin(), f.names.end(), p.name) == f.names.end())
      continue;
    if (p.status.phase != "Running" || p.lost) continue;
    if (!f.containers) {
      samples.push_back({p.ns, p.name, "", {}, {}});
      refs.push_back({p.uid, "", p.record.job_root});
      continue;
    }
    for (const auto& c : p.status.containers) {
      if (c.state.kind != "running") continue;
      std::string id = c.container_id.substr(c.container_id.find("://") + 3);
      samples.push_back({p.ns, p.name, c.name, {}, {}});
      refs.push_back({p.uid, id, p.record.job_root});
    }
  }
  if (samples.empty()) {
    Print(stderr, TopNoMetrics(f.ns.ns, f.ns.all));
    return 1;
  }
  std::map<std::string, std::unique_ptr<job::JobManager>> managers;
  double secs = SampleTwice(samples, std::chrono::milliseconds(f.window_ms),
                            [&](size_t i) { return Read(managers, refs[i]); });
  Print(stdout, TopPodsTable(samples, secs, f.ns.all, f.containers, f.no_headers));
  return 0;
}

CommandRegistration top_verb(35, {"top"}, [](CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<TopFlags>();
  CLI::App* cmd = app.add_subcommand(
      "top", "Show CPU and memory use of running pods, from their jobs (kubectl top pod)");
  cmd->add_option("resource", flags->resource, "pods (po)")->required();
  cmd->add_option("names", flags->names, "Pods to show (default: all)");
  AddNamespaceFlags(cmd, flags->ns, true);
  cmd->add_flag("--containers", flags->containers, "One row per container");
  cmd->add_option("-l,--selector", flags->selector, "Only the pods with these labels");
  cmd->add_flag("--no-headers", flags->no_headers, "Do not print the header row");
  cmd->add_option("--window", flags->window_ms, "CPU sample window in milliseconds")
      ->capture_default_str();
  cmd->callback([flags, &global, &exit_code] { exit_code = RunTop(global, *flags); });
});

}  // namespace
}  // namespace hp::cli
