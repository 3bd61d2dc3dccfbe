// Helpers shared by the node-agent verbs (apply, get, describe, logs, exec, delete, top).
#pragma once

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/command.h"
#include "core/agent/agent.h"
#include "core/base/result.h"
#include "core/k8s/selector.h"
#include "core/pod/pod_runner.h"

namespace hp::cli {

// An object's metadata.labels (string values), what -l selectors match.
using k8s::LabelsOf;

inline Result<std::unique_ptr<agent::Agent>> OpenAgent(const GlobalOptions& g,
                                                       agent::AgentOptions options = {}) {
  options.root = g.root;
  options.warn = [](const std::string& m) { Print(stderr, "Warning: " + m + "\n"); };
  return agent::Agent::Open(std::move(options));
}

class NodePods;
// The node_pods.h view of an agent opened with the caller's options (apply's node flags).
std::unique_ptr<NodePods> NodePodsOf(std::unique_ptr<agent::Agent> agent, const std::string& root);

}  // namespace hp::cli
