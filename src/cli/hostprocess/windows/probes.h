// Windows transport of kubelet's probes for the pod supervisor (windows/supervise.cc), whose
// decisions are agent::ProbeWorker's (shared with nothing Linux-specific): tcpSocket is a
// Winsock connect within timeoutSeconds; httpGet an HTTP/1.1 GET over Winsock (success for
// 200 <= status < 400, else kubelet's "HTTP probe failed with statuscode: N"; HTTPS refused
// by name, as on Linux); exec runs the command in the container's Job Object as its first
// process was run (windows_node::Exec), its stdout and stderr in one pipe that is read while it
// runs, exit code 0 being success, terminated past timeoutSeconds; the event has its output
// (agent::ExecProbeOutcome, Linux's rule). The host defaults to the pod's IP (the node's:
// hostNetwork).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/agent/probe_timing.h"
#include "core/base/result.h"
#include "core/k8s/types.h"

namespace hp::cli::windows_node {

struct ProbeTarget {
  std::string host;  // the pod's IP
  const k8s::Container* container = nullptr;
  // Runs an exec probe's command in the container within the timeout, its stdout and stderr
  // written to `output` (a pipe's HANDLE): its exit code, or an error (kUnavailable when it
  // timed out).
  std::function<Result<uint32_t>(const std::vector<std::string>&, std::chrono::milliseconds,
                                 void* output)>
      exec;
};

agent::ProbeOutcome RunProbe(const k8s::Probe& probe, const ProbeTarget& target);

}  // namespace hp::cli::windows_node
