// hp/agent: the per-pod supervisor — the small process that owns one pod's containers the way
// kubelet's pod workers do, so that pods outlive the CLI that applied them.
//
// It is `hostprocess __supervise <key>` started detached by the agent (setsid, double fork),
// a child subreaper (daemonised processes of its containers are reaped by it), and it:
//   - runs the init containers in order, each to success, then every container;
//   - restarts containers by restartPolicy with kubelet's back-off (CrashLoopBackOff);
//   - runs liveness/readiness/startup probes;
//   - records the pod's status atomically in `run/pods/<key>/status.json` on every change,
//     and each running container's exec record in `run/pods/<key>/exec/<name>.json`;
//   - on kSupervisorReloadSignal (an update of the pod's mutable fields), reloads pod.json and
//     restarts each running container whose image changed (kubelet's "definition changed");
//   - on SIGTERM (a delete), stops every container with the grace period, tears everything
//     down and exits; a pod whose containers all ended for good is torn down too and the
//     supervisor exits, its final status kept.
// Container ids are chosen and recorded before anything is created, so a crash of the
// supervisor can be cleaned up from its status alone (cleanup.h).
#pragma once

#include <csignal>
#include <string>

namespace hp::agent {

struct SupervisorOptions {
  std::string root;  // the agent's --root
  std::string key;   // "<namespace>_<pod>"
  // When >= 0: one byte is read from this fd (the agent's go, given once it has recorded this
  // process as the pod's supervisor) before anything is touched; EOF means the start was
  // undone, and the supervisor leaves at once (exit code 127).
  int go_fd = -1;
};

// Runs the pod to its end; returns the process exit code (0, or 1 when it could not start).
int RunSupervisor(const SupervisorOptions& options);

// Sent by the agent after it rewrote pod.json with an in-place update.
inline constexpr int kSupervisorReloadSignal = SIGUSR1;

// The record the agent writes for the supervisor (`run/pods/<key>/pod.json`).
inline constexpr const char* kPodFile = "pod.json";
inline constexpr const char* kStatusFile = "status.json";
inline constexpr const char* kSupervisorLog = "supervisor.log";
// The supervisor's identity as the CLI that started it recorded it (status.h SupervisorId).
inline constexpr const char* kSupervisorIdFile = "supervisor.json";

}  // namespace hp::agent
