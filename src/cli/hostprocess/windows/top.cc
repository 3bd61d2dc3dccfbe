// `hostprocess.exe top pods` on Windows (preview, docs/windows.md): kubectl top pod for this
// node, from the running containers' Job Objects opened by name (job::JobObject::Open): CPU from
// the jobs' accounting over a sample window, memory as the private working set of their
// processes (what kubelet reports for a Windows container). A pod's row adds up its running
// containers. The table is the Linux node's (printers/top.h).
#include "cli/hostprocess/printers/top.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/hostprocess/command.h"
#include "cli/hostprocess/windows/container.h"
#include "cli/hostprocess/windows/pod_state.h"
#include "core/base/strings.h"
#include "core/job/windows/job_object.h"
#include "core/k8s/selector.h"
#include "core/sys/windows/wine.h"

namespace hp::cli {
namespace {

namespace wn = windows_node;

struct WindowsTopFlags {
  std::string resource;
  std::vector<std::string> names;
  std::string ns = "default";
  bool all_namespaces = false;
  bool containers = false;
  bool no_headers = false;
  int window_ms = 500;
  std::string selector;  // -l
};

int TopFail(const std::string& message) {
  wn::Write(stderr, message);
  return 1;
}

// The usage of the containers' jobs added up (one job for a container's row).
Result<job::Stats> ReadJobs(const std::vector<std::string>& ids) {
  job::Stats sum;
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(job::JobObject j, job::JobObject::Open(id));
    ASSIGN_OR_RETURN(job::Stats s, j.GetStats());
    sum.cpu_user_ns += s.cpu_user_ns;
    sum.cpu_system_ns += s.cpu_system_ns;
    sum.memory_current_bytes += s.memory_current_bytes;
    sum.pids_current += s.pids_current;
  }
  return sum;
}

int WindowsTop(const GlobalOptions& g, const WindowsTopFlags& f) {
  std::string what = ToLower(f.resource);
  if (what != "pods" && what != "pod" && what != "po")
    return TopFail("error: unknown resource \"" + f.resource + "\": top supports pods\n");
  auto labels = k8s::LabelMatcher::Parse(f.selector);
  if (!labels) return TopFail("error: " + labels.error().ToString() + "\n");
  struct Found {
    std::string ns, name, key;
  };
  std::vector<Found> pods;
  for (const std::string& key : wn::PodKeys(g.root, f.all_namespaces ? "" : f.ns)) {
    size_t cut = key.find('_');
    if (cut == std::string::npos) continue;
    pods.push_back({key.substr(0, cut), key.substr(cut + 1), key});
  }
  for (const std::string& n : f.names) {
    bool found = std::any_of(pods.begin(), pods.end(), [&](const Found& p) { return p.name == n; });
    if (!found) return TopFail("Error from server (NotFound): pods \"" + n + "\" not found\n");
  }
  std::vector<TopSample> samples;
  std::vector<std::vector<std::string>> jobs;  // samples[i]'s container ids
  for (const Found& p : pods) {
    if (!f.names.empty() && std::find(f.names.begin(), f.names.end(), p.name) == f.names.end())
      continue;
    auto rec = wn::ReadPodRecord(g.root, p.key);
    if (!rec) continue;
    if (!labels->Matches(k8s::LabelsOf(rec->pod))) continue;
    agent::PodStatus s = wn::ViewStatus(g.root, p.key, *rec);
    if (s.phase != "Running") continue;
    std::vector<std::string> pod_jobs;
    for (const agent::ContainerStatus& c : s.containers) {
      size_t scheme = c.container_id.find("://");
      if (c.state.kind != "running" || scheme == std::string::npos) continue;
      std::string id = c.container_id.substr(scheme + 3);
      if (f.containers) {
        samples.push_back({p.ns, p.name, c.name, {}, {}});
        jobs.push_back({id});
      }
      pod_jobs.push_back(id);
    }
    if (!f.containers) {
      samples.push_back({p.ns, p.name, "", {}, {}});
      jobs.push_back(pod_jobs);
    }
  }
  if (samples.empty()) return TopFail(TopNoMetrics(f.ns, f.all_namespaces));
  double secs = SampleTwice(samples, std::chrono::milliseconds(f.window_ms),
                            [&](size_t i) { return ReadJobs(jobs[i]); });
  // Wine accepts the accounting query and reads every time as 0 (docs/windows.md): say so, by
  // name, rather than show an idle pod.
  if (std::optional<std::string> wine = sys::WineVersion())
    wn::Write(stderr, "Warning: Wine " + *wine +
                          " does not account the CPU time of Job Objects: CPU(cores) reads 0 "
                          "here\n");
  wn::Write(stdout, TopPodsTable(samples, secs, f.all_namespaces, f.containers, f.no_headers));
  return 0;
}

CommandRegistration windows_top_reg(35, {"top"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto f = std::make_shared<WindowsTopFlags>();
  auto* cmd = app.add_subcommand(
      "top", "Show CPU and memory use of running pods, from their Job Objects (kubectl top pod)");
  cmd->add_option("resource", f->resource, "pods (po)")->required();
  cmd->add_option("names", f->names, "Pods to show (default: all)");
  cmd->add_option("-n,--namespace", f->ns, "Namespace")->capture_default_str();
  cmd->add_flag("-A,--all-namespaces", f->all_namespaces, "Pods of every namespace");
  cmd->add_flag("--containers", f->containers, "One row per container");
  cmd->add_option("-l,--selector", f->selector, "Only the pods with these labels");
  cmd->add_flag("--no-headers", f->no_headers, "Do not print the header row");
  cmd->add_option("--window", f->window_ms, "CPU sample window in milliseconds")
      ->capture_default_str();
  cmd->callback([&g, &rc, f] { rc = WindowsTop(g, *f); });
});

}  // namespace
}  // namespace hp::cli
