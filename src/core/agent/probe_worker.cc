#include "core/agent/probe_worker.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace hp::agent {

ProbeWorker::ProbeWorker(const k8s::Container& c, int64_t now_ms) : c_(c) {
  started_ = !c.startup_probe;
  ready_ = !c.readiness_probe && started_;
  if (c.liveness_probe) liveness_.next_ms = now_ms + TimingOf(*c.liveness_probe).initial_delay_ms;
  if (c.readiness_probe)
    readiness_.next_ms = now_ms + TimingOf(*c.readiness_probe).initial_delay_ms;
  if (c.startup_probe) startup_.next_ms = now_ms + TimingOf(*c.startup_probe).initial_delay_ms;
}

bool ProbeWorker::HasProbes() const {
  return c_.liveness_probe || c_.readiness_probe || c_.startup_probe;
}

int64_t ProbeWorker::NextMs() const {
  int64_t next = std::numeric_limits<int64_t>::max();
  if (!started_) return c_.startup_probe ? startup_.next_ms : next;
  if (c_.liveness_probe) next = std::min(next, liveness_.next_ms);
  if (c_.readiness_probe) next = std::min(next, readiness_.next_ms);
  return next;
}

ProbeStep ProbeWorker::Tick(int64_t now_ms,
                            const std::function<ProbeOutcome(const k8s::Probe&)>& run) {
  ProbeStep step;
  auto once = [&](const k8s::Probe& probe, ProbeState& state, const char* what) -> bool {
    ProbeTiming t = TimingOf(probe);
    if (now_ms < state.next_ms) return state.result;
    state.next_ms = now_ms + t.period_ms;
    ProbeOutcome o = run(probe);
    if (!o.success)
      step.events.push_back(
          {"Warning", "Unhealthy", fmt::format("{} probe failed: {}", what, o.message)});
    state.Record(o.success, t);
    return state.result;
  };
  if (c_.startup_probe && !started_) {
    const k8s::Probe& p = *c_.startup_probe;
    if (once(p, startup_, "Startup")) {
      started_ = step.changed = true;
    } else if (startup_.failures >= TimingOf(p).failure_threshold) {
      step.events.push_back(
          {"Normal", "Killing",
           fmt::format("Container {} failed startup probe, will be restarted", c_.name)});
      step.restart = &p;
      return step;
    }
    if (!started_) return step;
  }
  if (c_.liveness_probe) {
    const k8s::Probe& p = *c_.liveness_probe;
    once(p, liveness_, "Liveness");
    if (liveness_.failures >= TimingOf(p).failure_threshold) {
      step.events.push_back(
          {"Normal", "Killing",
           fmt::format("Container {} failed liveness probe, will be restarted", c_.name)});
      step.restart = &p;
      return step;
    }
  }
  bool ready = c_.readiness_probe ? once(*c_.readiness_probe, readiness_, "Readiness") : true;
  if (ready != ready_) {
    ready_ = ready;
    step.changed = true;
  }
  return step;
}

}  // namespace hp::agent
