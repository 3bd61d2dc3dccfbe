// `hostprocess top pods`: kubectl top pod for this node, from the pods' jobs (cgroups): CPU as
// millicores over a short sample window, memory in Mi, and with --containers one row per
// container.
#include <fmt/format.h>

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli/hostprocess/agent_cli.h"
#include "cli/hostprocess/printers/table.h"
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

struct Sample {
  std::string ns, pod, container;
  std::string pod_id, container_id, cgroup_root;
  job::Stats first, second;
};

Result<job::Stats> Read(std::map<std::string, std::unique_ptr<job::JobManager>>& managers,
                        const Sample& s) {
  auto& m = managers[s.cgroup_root];
  if (!m) {
    ASSIGN_OR_RETURN(m, job::NewJobManager({s.cgroup_root}));
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
  std::vector<Sample> samples;
  for (const auto& p : *pods) {
    if (!f.ns.all && p.ns != f.ns.ns) continue;
    std::map<std::string, std::string> pod_labels = LabelsOf(p.record.pod);
    if (!labels->Matches(pod_labels)) continue;
    if (!f.names.empty() && std::find(f.names.begin(), f.names.end(), p.name) == f.names.end())
      continue;
    if (p.status.phase != "Running" || p.lost) continue;
    if (!f.containers) {
      samples.push_back({p.ns, p.name, "", p.uid, "", p.record.cgroup_root, {}, {}});
      continue;
    }
    for (const auto& c : p.status.containers) {
      if (c.state.kind != "running") continue;
      std::string id = c.container_id.substr(c.container_id.find("://") + 3);
      samples.push_back({p.ns, p.name, c.name, p.uid, id, p.record.cgroup_root, {}, {}});
    }
  }
  if (samples.empty()) {
    Print(stderr, "error: Metrics not available for pods in namespace " +
                      (f.ns.all ? std::string("(all)") : f.ns.ns) + "\n");
    return 1;
  }
  std::map<std::string, std::unique_ptr<job::JobManager>> managers;
  for (auto& s : samples) {
    auto st = Read(managers, s);
    if (st) s.first = *st;
  }
  auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(f.window_ms));
  for (auto& s : samples) {
    auto st = Read(managers, s);
    if (st) s.second = *st;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // kubectl: NAME CPU(cores) MEMORY(bytes); with --containers: POD NAME CPU(cores) ...
  std::vector<std::string> header;
  if (f.ns.all) header.push_back("NAMESPACE");
  if (f.containers) header.push_back("POD");
  for (const char* h : {"NAME", "CPU(cores)", "MEMORY(bytes)"}) header.push_back(h);
  Table table(header);
  for (const auto& s : samples) {
    uint64_t a = s.first.cpu_user_ns + s.first.cpu_system_ns;
    uint64_t b = s.second.cpu_user_ns + s.second.cpu_system_ns;
    double millicores = b > a ? static_cast<double>(b - a) / 1e6 / secs : 0;
    std::vector<std::string> row;
    if (f.ns.all) row.push_back(s.ns);
    row.push_back(s.pod);
    if (f.containers) row.push_back(s.container);
    row.push_back(fmt::format("{}m", static_cast<int64_t>(millicores + 0.5)));
    row.push_back(fmt::format("{}Mi", s.second.memory_current_bytes / (1024 * 1024)));
    table.AddRow(row);
  }
  Print(stdout, table.Render(f.no_headers));
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
