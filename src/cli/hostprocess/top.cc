// `hostprocess top pods`: kubectl top pod for this node, both nodes' (the pods and their usage
// come from node_pods.h: the pods' cgroups on Linux, the running containers' Job Objects on
// Windows): CPU as millicores over a short sample window, memory in Mi (Windows: the private
// working sets, what kubelet reports for a Windows container), and with --containers one row
// per container.
#include "cli/hostprocess/printers/top.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/node_pods.h"
#include "core/agent/naming.h"
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

int RunTop(const GlobalOptions& global, const TopFlags& f) {
  if (agent::ResourceKind(f.resource) != "pods") {
    Print(stderr, fmt::format("error: unknown resource \"{}\": top supports pods\n", f.resource));
    return 1;
  }
  auto labels = k8s::LabelMatcher::Parse(f.selector);
  if (!labels) return Fail(labels.error());
  auto opened = OpenNodePods(global);
  if (!opened) return Fail(opened.error());
  NodePods& node = **opened;
  auto pods = !f.names.empty() && !f.ns.all ? GetNamedPods(node, f.ns.ns, f.names) : node.List();
  if (!pods) return Fail(pods.error());
  for (const auto& n : f.names) {
    bool found = false;
    for (const NodePod& p : *pods) found |= p.name == n && (f.ns.all || p.ns == f.ns.ns);
    if (!found) return NotFound("pods", n);
  }
  std::vector<TopSample> samples;
  struct Source {
    const NodePod* pod;
    std::string container_id;  // "" for the pod's own job
  };
  std::vector<Source> sources;  // samples[i]'s
  size_t matched = 0;
  for (const NodePod& p : *pods) {
    if (!f.ns.all && p.ns != f.ns.ns) continue;
    if (!labels->Matches(p.labels)) continue;
    if (!f.names.empty() && std::find(f.names.begin(), f.names.end(), p.name) == f.names.end())
      continue;
    matched++;
    if (p.status.phase != "Running" || p.lost) continue;
    if (!f.containers) {
      samples.push_back({p.ns, p.name, "", {}, {}});
      sources.push_back({&p, ""});
      continue;
    }
    for (const agent::ContainerStatus& c : p.status.containers) {
      std::optional<std::string> id = agent::RunningContainerId(c);
      if (!id) continue;
      samples.push_back({p.ns, p.name, c.name, {}, {}});
      sources.push_back({&p, *id});
    }
  }
  if (matched == 0) {  // kubectl: no pods at all is no error (verifyEmptyMetrics)
    Print(stderr, f.ns.all ? std::string("No resources found\n")
                           : fmt::format("No resources found in {} namespace.\n", f.ns.ns));
    return 0;
  }
  if (samples.empty()) {
    Print(stderr, TopNoMetrics(f.ns.ns, f.ns.all));
    return 1;
  }
  double secs = SampleTwice(samples, std::chrono::milliseconds(f.window_ms), [&](size_t i) {
    return node.Usage(*sources[i].pod, sources[i].container_id);
  });
  Print(stderr, node.UsageCaveat());
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
