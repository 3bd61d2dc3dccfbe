// The Windows node verbs' resource words and kubectl's messages about them (windows/exec.cc,
// windows/node_pods.cc).
#pragma once

#include <string>

#include "cli/hostprocess/windows/container.h"
#include "core/base/strings.h"

namespace hp::cli::windows_node {

enum class Resource { kPods, kDaemonSets, kOther };
inline Resource ResourceOf(const std::string& word) {
  std::string w = ToLower(word);
  if (w == "pods" || w == "pod" || w == "po") return Resource::kPods;
  if (w == "daemonsets" || w == "daemonset" || w == "ds" || w == "daemonsets.apps" ||
      w == "daemonset.apps")
    return Resource::kDaemonSets;
  return Resource::kOther;
}
inline constexpr const char* kResources = "pods, daemonsets, configmaps and secrets";

// Writes `message` and a newline to stderr; returns `code`.
inline int Fail(const std::string& message, int code = 1) {
  Write(stderr, message + "\n");
  return code;
}

// kubectl's words when a namespace (every one: "") has none of what was asked (exit 0).
inline int NoneFound(const std::string& ns) {
  Write(stderr, ns.empty() ? std::string("No resources found\n")
                           : "No resources found in " + ns + " namespace.\n");
  return 0;
}

}  // namespace hp::cli::windows_node
