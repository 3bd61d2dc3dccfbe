// The node flags `apply` takes and keeps, per platform: kubelet's on Linux (apply_node.cc:
// --cgroup-root, --node-labels, --register-with-taints, --hostname-override, the container log
// limits, --feature-gates), where container volumes go on Windows (windows/apply_node.cc:
// --volume-root); and the node opened with them for apply.cc.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>

#include "cli/hostprocess/command.h"
#include "cli/hostprocess/node_pods.h"
#include "core/base/result.h"

namespace hp::cli {

struct ApplyNodeFlags;
std::shared_ptr<ApplyNodeFlags> AddApplyNodeFlags(CLI::App* cmd);

// The node opened with the flags given, checked first with kubelet's words: a bad one is an
// error naming the flag (kInvalidArgument, a usage error: exit 1) before anything is stored.
Result<std::unique_ptr<NodePods>> OpenNodeForApply(const GlobalOptions& global,
                                                   const ApplyNodeFlags& flags, CLI::App* cmd);

}  // namespace hp::cli
