// hp/agent: the platform-neutral part of kubelet's container probes, shared by the Linux
// supervisor (agent/probe.h, its transport) and the Windows pod supervisor
// (cli/hostprocess/windows/probes.h): the outcome, kubelet's timing defaults, the
// consecutive-result counter, the port a probe names, and kubelet's verdicts and messages of
// the exec and httpGet handlers (each platform runs the command or sends the request itself).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/k8s/types.h"

namespace hp::agent {

struct ProbeOutcome {
  bool success = false;
  std::string message;  // kubelet's failure text ("HTTP probe failed with statuscode: 500")
};

// kubelet's probe timing with defaults applied.
struct ProbeTiming {
  int64_t initial_delay_ms = 0;
  int64_t period_ms = 10'000;
  int64_t timeout_ms = 1'000;
  int success_threshold = 1;
  int failure_threshold = 3;
};
ProbeTiming TimingOf(const k8s::Probe& probe);

// The consecutive-result counter a probe worker keeps: the result flips only after
// `success_threshold` successes or `failure_threshold` failures in a row.
struct ProbeState {
  bool result = false;  // current result (initial: false for readiness/startup)
  int successes = 0;
  int failures = 0;
  int64_t next_ms = 0;  // when to run next
  // Records one outcome; returns true when the result changed.
  bool Record(bool success, const ProbeTiming& t);
};

// Resolves an httpGet/tcpSocket port (number or a container port name); 0 when unknown.
int ResolvePort(const k8s::IntOrString& port, const k8s::Container& container);

// How much of an exec probe's output (stdout and stderr together) is kept for its message.
inline constexpr size_t kExecProbeOutputLimit = 10 * 1024;
// kubelet's outcome of an exec probe's `command`: success when it exited with 0; else its
// output (the first kExecProbeOutputLimit bytes, surrounding white space trimmed), or, when it
// wrote nothing, `command "..." exited with N`; one that ran past its timeout `timed out`.
ProbeOutcome ExecProbeOutcome(const std::vector<std::string>& command, bool timed_out,
                              int64_t exit_code, std::string_view output);

// An httpGet probe as kubelet makes it, before any I/O (each platform sends it with its own
// sockets): the target, the URL of kubelet's messages and the request with kubelet's headers.
struct HttpProbePlan {
  std::string host;
  int port = 0;
  std::string url;
  std::string request;
  std::optional<ProbeOutcome> refused;  // not sent: a scheme other than HTTP, an unknown port
};
HttpProbePlan PlanHttpProbe(const k8s::HTTPGetAction& h, const std::string& default_host,
                            const k8s::Container& container);
// kubelet's outcome from what the server sent (its status line): success for 200 <= status < 400.
ProbeOutcome HttpProbeOutcome(const std::string& url, std::string_view response);
// kubelet's outcome when no status line came within the probe's timeout.
ProbeOutcome HttpProbeTimedOut(const std::string& url);

}  // namespace hp::agent
