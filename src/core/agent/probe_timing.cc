#include "core/agent/probe_timing.h"

#include <charconv>

namespace hp::agent {

int ResolvePort(const k8s::IntOrString& port, const k8s::Container& container) {
  if (!port.is_string) return port.int_value;
  for (const auto& p : container.ports) {
    if (p.name == port.str_value) return p.container_port;
  }
  int n = 0;
  auto [end, ec] =
      std::from_chars(port.str_value.data(), port.str_value.data() + port.str_value.size(), n);
  return ec == std::errc() && end == port.str_value.data() + port.str_value.size() ? n : 0;
}

ProbeTiming TimingOf(const k8s::Probe& p) {
  ProbeTiming t;
  if (p.initial_delay_seconds) t.initial_delay_ms = int64_t{*p.initial_delay_seconds} * 1000;
  if (p.period_seconds && *p.period_seconds > 0) t.period_ms = int64_t{*p.period_seconds} * 1000;
  if (p.timeout_seconds && *p.timeout_seconds > 0)
    t.timeout_ms = int64_t{*p.timeout_seconds} * 1000;
  if (p.success_threshold && *p.success_threshold > 0) t.success_threshold = *p.success_threshold;
  if (p.failure_threshold && *p.failure_threshold > 0) t.failure_threshold = *p.failure_threshold;
  return t;
}

bool ProbeState::Record(bool success, const ProbeTiming& t) {
  if (success) {
    failures = 0;
    if (++successes >= t.success_threshold && !result) return result = true, true;
  } else {
    successes = 0;
    if (++failures >= t.failure_threshold && result) return result = false, true;
  }
  return false;
}

}  // namespace hp::agent
