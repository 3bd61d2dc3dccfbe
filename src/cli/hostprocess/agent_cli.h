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

// A `--timeout` value in Go's duration syntax; nothing, with kubectl's flag error printed, when
// it does not parse.
inline std::optional<std::chrono::milliseconds> ParseTimeoutFlag(const std::string& value) {
  auto timeout = pod::ParseDuration(value);
  if (!timeout) {
    Print(stderr, fmt::format("error: invalid argument \"{}\" for \"--timeout\" flag: {}\n", value,
                              timeout.error().message()));
    return std::nullopt;
  }
  return *timeout;
}

// kubectl's `TYPE NAME...` and `TYPE/NAME`: moves a NAME given as TYPE/NAME to the front of
// `names` and returns the kind of TYPE ("pods" or "daemonsets"); "" with kubectl's error
// printed for any other type.
inline std::string PodOrDaemonSetKind(std::string& resource, std::vector<std::string>& names) {
  if (auto slash = resource.find('/'); slash != std::string::npos) {
    names.insert(names.begin(), resource.substr(slash + 1));
    resource = resource.substr(0, slash);
  }
  std::string kind = agent::ResourceKind(resource);
  if (kind != "pods" && kind != "daemonsets") {
    Print(stderr, fmt::format("error: the server doesn't have a resource type \"{}\"\n", resource));
    return "";
  }
  return kind;
}

// An object's metadata.labels (string values), what -l selectors match.
using k8s::LabelsOf;

inline Result<std::unique_ptr<agent::Agent>> OpenAgent(const GlobalOptions& g,
                                                       agent::AgentOptions options = {}) {
  options.root = g.root;
  options.warn = [](const std::string& m) { Print(stderr, "Warning: " + m + "\n"); };
  return agent::Agent::Open(std::move(options));
}

}  // namespace hp::cli
