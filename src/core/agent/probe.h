// hp/agent: kubelet's container probes (liveness, readiness, startup) for HostProcess pods.
//
// Handlers: exec (the command runs in the container's job as its account, ExecCapture),
// httpGet (HTTP/1.1 GET to host:port/path, success for 200 <= status < 400; HTTPS is not
// supported here and fails with a message saying so) and tcpSocket (a connect). The host
// defaults to the pod IP, which for a hostNetwork pod is the node's address. kubelet's
// defaults: initialDelaySeconds 0, periodSeconds 10, timeoutSeconds 1, successThreshold 1,
// failureThreshold 3.
#pragma once

#include <cstdint>
#include <string>

#include "core/agent/exec.h"
#include "core/agent/probe_timing.h"
#include "core/k8s/types.h"

namespace hp::agent {

struct ProbeContext {
  std::string host;  // pod IP
  const k8s::Container* container = nullptr;
  const ExecInfo* exec = nullptr;
  job::Job* job = nullptr;
};

ProbeOutcome RunProbe(const k8s::Probe& probe, const ProbeContext& ctx);

}  // namespace hp::agent
