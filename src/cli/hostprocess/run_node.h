// `run`'s node side, one per platform, chosen by the build (Linux: run_node.cc, hp/pod's
// PodRunner under a keeper, in cgroups; Windows: windows/run.cc, Job Objects in container
// volumes): its own flags, and the pod's run in the foreground. The verb is shared (run.cc):
// its flags, the input's admission and the pod it runs.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "cli/hostprocess/command.h"
#include "core/agent/node.h"
#include "core/agent/schedule.h"
#include "core/base/result.h"
#include "core/k8s/types.h"

namespace hp::cli {

struct RunNodeFlags;
std::shared_ptr<RunNodeFlags> AddRunNodeFlags(CLI::App* cmd);
// Checks the node flags before anything is read; false after saying why on stderr (exit 1).
bool CheckRunNodeFlags(const RunNodeFlags& flags);

// This node as the scheduler sees it (Linux: with the labels and taints `apply` keeps; Windows:
// os windows).
agent::Node ForegroundNode(const GlobalOptions& global);

// The host ports the pods this node keeps hold (those `apply` made, placed here and not finished:
// agent::HostPortsHeld), as the node's own placement counts them; read without changing anything
// (Linux: run/pods' files, the agent not opened, so no recovery and no node.json written;
// Windows: pods\, windows_node::HeldHostPorts).
Result<std::vector<agent::HostPort>> HeldHostPorts(const GlobalOptions& global);

// What `run` runs: the input's one pod (named, namespaced, with a uid), the input's other
// objects (the ConfigMaps, Secrets and ServiceAccounts it reads), and how long it may run.
struct ForegroundPod {
  k8s::Pod pod;
  const std::vector<k8s::Object>* objects = nullptr;
  std::optional<std::chrono::milliseconds> timeout;
  bool verbose = false;  // say each container's start and exit on stderr
};

// Runs the pod in the foreground; returns `run`'s exit code (docs/run.md) once it ended, having
// said on stderr why when it is not the pod's own.
int RunInForeground(const GlobalOptions& global, const RunNodeFlags& flags, ForegroundPod& run);

}  // namespace hp::cli
