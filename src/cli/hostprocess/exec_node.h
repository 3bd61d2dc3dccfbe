// `exec`'s start of a command in a running container, one per platform, chosen by the build
// (Linux: exec_node.cc, the container's cgroup job, account and a pseudo-terminal; Windows:
// windows/exec.cc, its Job Object, account and a pseudo console). The verb is shared (exec.cc).
#pragma once

#include <string>
#include <vector>

#include "cli/hostprocess/command.h"
#include "cli/hostprocess/node_pods.h"
#include "core/base/result.h"

namespace hp::cli {

// How the command is connected to our standard streams (kubectl's, after its SetupTTY).
struct ExecStreams {
  bool stdin_ = false;  // our standard input is the command's
  bool tty = false;     // through a terminal (only with stdin_, and when ours is one)
};

// Why a command did not run, each with kubectl's words and a shell's exit code (exec.cc).
struct ExecError {
  enum class Why {
    kNoContainer,      // the container is not running (kubectl: unable to upgrade connection)
    kFailed,           // anything else, before it started or while waiting for it (exit 1)
    kCommandNotFound,  // the command is not in the container's PATH (127)
    kNotStarted,       // it could not be started (126)
  };
  Why why;
  Error error;
};

// The error of a command that did not run, for ExecInContainer's returns.
inline tl::unexpected<ExecError> ExecFailed(ExecError::Why why, Error e) {
  return tl::unexpected(ExecError{why, std::move(e)});
}

// A command whose start failed: not found in the container's PATH (127), or else (126).
inline tl::unexpected<ExecError> ExecNotStarted(Error e) {
  return ExecFailed(e.code() == ErrorCode::kNotFound ? ExecError::Why::kCommandNotFound
                                                     : ExecError::Why::kNotStarted,
                    std::move(e));
}

// Whether our standard input is a terminal (kubectl's IsTerminalIn).
bool StdinIsTerminal();

// Runs `command` in `container` of `pod` (as NodePods::Get read it) with our standard output
// and error, and our input as `streams` says; returns its exit code once it ended.
tl::expected<int, ExecError> ExecInContainer(const GlobalOptions& global, const NodePod& pod,
                                             const std::string& container,
                                             const std::vector<std::string>& command,
                                             ExecStreams streams);

}  // namespace hp::cli
