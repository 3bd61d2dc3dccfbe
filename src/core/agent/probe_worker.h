// hp/agent: one container's probe decisions, as kubelet's probe workers take them and the Linux
// supervisor does (agent/supervisor.cc RunProbes), apart from how a probe is run: the startup
// probe gates the others; a liveness or startup probe that reached its failureThreshold asks
// for the container to be restarted; readiness follows its probe. Each failed run is a
// Warning Unhealthy event ("Liveness probe failed: <message>"), a restart a Normal Killing one
// ("Container c failed liveness probe, will be restarted"). Used by the Windows pod supervisor
// (cli/hostprocess/windows/probes.h), which runs the probes in a thread per container.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/agent/probe_timing.h"
#include "core/k8s/types.h"

namespace hp::agent {

struct ProbeEvent {
  std::string type, reason, message;
};

// What one Tick decided.
struct ProbeStep {
  std::vector<ProbeEvent> events;
  bool changed = false;                 // started() or ready() changed
  const k8s::Probe* restart = nullptr;  // the liveness/startup probe that failed: restart it
};

class ProbeWorker {
 public:
  // A container that started at `now_ms`: not started while it has a startup probe, not ready
  // while it has a readiness probe (or is not started); each probe first runs after its
  // initialDelaySeconds.
  ProbeWorker(const k8s::Container& c, int64_t now_ms);

  bool started() const { return started_; }
  bool ready() const { return ready_; }
  bool HasProbes() const;
  // When the next probe is due (INT64_MAX: none).
  int64_t NextMs() const;
  // Runs the probes that are due at `now_ms` through `run`.
  ProbeStep Tick(int64_t now_ms, const std::function<ProbeOutcome(const k8s::Probe&)>& run);

 private:
  const k8s::Container& c_;
  ProbeState liveness_{true, 0, 0, 0}, readiness_, startup_;
  bool started_ = true, ready_ = true;
};

}  // namespace hp::agent
