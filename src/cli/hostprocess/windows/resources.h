// The Windows node's words for what its preview build takes, and its error line (windows/exec.cc,
// windows/node_pods.cc).
#pragma once

#include <string>

#include "cli/hostprocess/windows/container.h"

namespace hp::cli::windows_node {

// What the Windows preview build applies and deletes, for its refusals.
inline constexpr const char* kResources = "pods, daemonsets, configmaps and secrets";

// Writes `message` and a newline to stderr; returns `code`.
inline int Fail(const std::string& message, int code = 1) {
  Write(stderr, message + "\n");
  return code;
}

}  // namespace hp::cli::windows_node
