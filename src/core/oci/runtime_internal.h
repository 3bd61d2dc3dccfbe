// hp/oci internals shared by runtime.cc (create/start/state/delete) and runtime_exec.cc
// (exec, kill, ps, pause, update).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/launch/launch.h"
#include "core/oci/console.h"
#include "core/oci/hostprocess.h"
#include "core/oci/seccomp.h"
#include "core/oci/spec.h"

namespace hp::oci::internal {

// A LaunchSpec with the storage it points into.
struct PreparedProcess {
  launch::LaunchSpec spec;
  std::optional<Pty> pty;  // terminal processes: master already sent, slave is the stdio
};

// Turns an OCI process + its plan into a LaunchSpec: identity, capabilities, rlimits, umask,
// stdio (a pty sent to `console_socket` when process.terminal), preserved fds. Warnings (e.g.
// capabilities libcap does not know) are appended.
Result<PreparedProcess> PrepareProcess(const Process& process, const ProcessPlan& plan,
                                       const std::string& console_socket, int preserve_fds,
                                       std::vector<std::string>* warnings);

// Sets the container's seccomp filter on `spec`: runc applies it to init and to every exec'd
// process.
void ApplySeccomp(SeccompProgram program, launch::LaunchSpec& spec);

}  // namespace hp::oci::internal
