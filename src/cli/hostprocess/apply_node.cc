// apply's node flags on Linux: kubelet's, checked with its words and kept in the agent's state
// for later commands (apply_node.h).
#include "cli/hostprocess/apply_node.h"

#include <fmt/format.h>

#include "cli/hostprocess/agent_cli.h"
#include "core/agent/node_flags.h"
#include "core/k8s/features.h"

namespace hp::cli {

struct ApplyNodeFlags {
  std::string job_root;
  std::string node_labels;
  std::string taints;
  std::string hostname_override;
  std::string log_max_size;
  int log_max_files = 0;
  std::string feature_gates;
};

std::shared_ptr<ApplyNodeFlags> AddApplyNodeFlags(CLI::App* cmd) {
  auto f = std::make_shared<ApplyNodeFlags>();
  cmd->add_option("--cgroup-root", f->job_root,
                  "Root of the pods' jobs in each cgroup hierarchy (kept for later commands; "
                  "default /hostprocess)");
  cmd->add_option("--node-labels", f->node_labels,
                  "Extra node labels, kubelet syntax: key=value,key2=value2 (kept)");
  cmd->add_option("--register-with-taints", f->taints,
                  "Node taints, kubelet syntax: key=value:Effect,... (kept)");
  cmd->add_option("--hostname-override", f->hostname_override,
                  "The node name instead of the host name (kept)");
  cmd->add_option("--container-log-max-size", f->log_max_size,
                  "Rotate a container log at this size, e.g. 10Mi; negative: never, as kubelet "
                  "(kept; default 10Mi)");
  cmd->add_option("--container-log-max-files", f->log_max_files,
                  "Keep at most this many log files per container (kept; default 5)");
  cmd->add_option(
      "--feature-gates", f->feature_gates,
      "kubelet feature gates, Name=bool[,...] (kept): WindowsHostProcessContainers=false "
      "leaves HostProcess pods Pending, as kubelet 1.22-1.25 does");
  return f;
}

Result<std::unique_ptr<NodePods>> OpenNodeForApply(const GlobalOptions& global,
                                                   const ApplyNodeFlags& flags, CLI::App* cmd) {
  // Checked here, with kubelet's words, so that a bad flag is a usage error before anything is
  // stored; Agent::Open applies the same checks.
  agent::AgentOptions opts;
  auto usage = [](const char* flag, const Error& e) {
    return Err(ErrorCode::kInvalidArgument, "{}: {}", flag, e.ToString());
  };
  if (cmd->count("--cgroup-root")) {
    if (auto s = agent::CheckCgroupRoot(flags.job_root); !s)
      return usage("--cgroup-root", s.error());
    opts.job_root = flags.job_root;
  }
  if (cmd->count("--node-labels")) {
    if (auto l = agent::CheckedNodeLabels(flags.node_labels); !l)
      return usage("--node-labels", l.error());
    opts.node_labels = flags.node_labels;
  }
  if (cmd->count("--register-with-taints")) {
    if (auto t = agent::CheckedTaints(flags.taints); !t)
      return usage("--register-with-taints", t.error());
    opts.taints = flags.taints;
  }
  if (cmd->count("--hostname-override")) {
    if (auto h = agent::CheckedHostnameOverride(flags.hostname_override); !h)
      return usage("--hostname-override", h.error());
    opts.hostname_override = flags.hostname_override;
  }
  if (cmd->count("--container-log-max-size")) {
    auto size = agent::CheckedLogMaxSize(flags.log_max_size);
    if (!size) return usage("--container-log-max-size", size.error());
    opts.log_max_size = *size;
  }
  if (cmd->count("--container-log-max-files")) {
    if (flags.log_max_files < 1)
      return Err(ErrorCode::kInvalidArgument, "--container-log-max-files: must be at least 1");
    opts.log_max_files = flags.log_max_files;
  }
  if (cmd->count("--feature-gates")) {
    if (auto g = k8s::ParseFeatureGates(flags.feature_gates); !g)
      return Err(ErrorCode::kInvalidArgument, "{}", g.error().ToString());
    opts.feature_gates = flags.feature_gates;
  }
  ASSIGN_OR_RETURN(auto agent, OpenAgent(global, opts));
  return NodePodsOf(std::move(agent), global.root);
}

}  // namespace hp::cli
