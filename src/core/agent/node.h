// hp/agent: the node this agent runs on, as the scheduler sees it: name, labels, taints.
//
// Labels are those kubelet registers (`kubernetes.io/os`, `kubernetes.io/arch`,
// `kubernetes.io/hostname` and their `beta.` twins) plus any given with `--node-labels`;
// taints come from `--register-with-taints`. Both flags use kubelet's syntax.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/result.h"

namespace hp::agent {

struct Taint {
  std::string key;
  std::string value;
  std::string effect;  // NoSchedule | PreferNoSchedule | NoExecute
  bool operator==(const Taint&) const = default;
};

struct Node {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // sorted by key
  std::vector<Taint> taints;

  const std::string* Label(std::string_view key) const;
  void SetLabel(const std::string& key, const std::string& value);
};

// Kubernetes' name for a uname(2) machine: x86_64 → amd64, aarch64 → arm64, ... (others as is).
std::string KubeArch(std::string_view machine);

// Parses kubelet's `--node-labels` value: "k=v,k2=v2" (empty → none).
Result<std::vector<std::pair<std::string, std::string>>> ParseNodeLabels(std::string_view s);
// Parses kubelet's `--register-with-taints` value: "k=v:Effect,k2:Effect" (empty → none).
Result<std::vector<Taint>> ParseTaints(std::string_view s);

struct NodeConfig {
  std::string hostname_override;  // "" = gethostname(), lower-cased as kubelet does
  std::vector<std::pair<std::string, std::string>> extra_labels;
  std::vector<Taint> taints;
};
// Builds the node from `machine` (uname -m's word: x86_64, aarch64, ...), `hostname` and `os`
// (kubelet's GOOS: linux, windows) plus the config. Pure.
Node MakeNode(const NodeConfig& config, std::string_view machine, std::string_view hostname,
              std::string_view os = "linux");
// The node this process runs on: uname + gethostname on Linux (local_node.cc); on Windows
// (windows/local_node.cc) the native processor architecture and the DNS host name, os windows.
Node LocalNode(const NodeConfig& config);

}  // namespace hp::agent
