#include "core/agent/probe_timing.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "core/base/strings.h"

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

ProbeOutcome ExecProbeOutcome(const std::vector<std::string>& command, bool timed_out,
                              int64_t exit_code, std::string_view output) {
  std::string what = Quote(Join(command, " "));
  if (timed_out) return {false, fmt::format("command {} timed out", what)};
  if (exit_code == 0) return {true, ""};
  std::string_view out = TrimSpace(output.substr(0, kExecProbeOutputLimit));
  if (out.empty()) return {false, fmt::format("command {} exited with {}", what, exit_code)};
  return {false, std::string(out)};
}

HttpProbePlan PlanHttpProbe(const k8s::HTTPGetAction& h, const std::string& default_host,
                            const k8s::Container& container) {
  HttpProbePlan plan;
  if (!h.scheme.empty() && h.scheme != "HTTP") {
    plan.refused = ProbeOutcome{
        false,
        fmt::format("HTTP probe failed: scheme {} is not supported by hostprocess", h.scheme)};
    return plan;
  }
  plan.port = ResolvePort(h.port, container);
  if (plan.port <= 0) {
    plan.refused = ProbeOutcome{false, fmt::format("invalid port \"{}\"", h.port.ToString())};
    return plan;
  }
  plan.host = h.host.empty() ? default_host : h.host;
  std::string path = h.path.empty() ? "/" : h.path;
  plan.url = fmt::format("http://{}:{}{}", plan.host, plan.port, path);
  plan.request = fmt::format("GET {} HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: kube-probe/1.26\r\n",
                             path, plan.host, plan.port);
  bool accept = false;
  for (const auto& hdr : h.http_headers) {
    plan.request += hdr.name + ": " + hdr.value + "\r\n";
    if (EqualsIgnoreCase(hdr.name, "Accept")) accept = true;
  }
  if (!accept) plan.request += "Accept: */*\r\n";
  plan.request += "Connection: close\r\n\r\n";
  return plan;
}

ProbeOutcome HttpProbeOutcome(const std::string& url, std::string_view response) {
  int code = 0;  // "HTTP/1.1 200 OK"
  if (StartsWith(response, "HTTP/")) {
    size_t sp = response.find(' ');
    if (sp != std::string_view::npos)
      code = std::atoi(std::string(response.substr(sp + 1)).c_str());
  }
  if (code == 0) return {false, fmt::format("Get \"{}\": malformed HTTP response", url)};
  if (code >= 200 && code < 400) return {true, ""};
  return {false, fmt::format("HTTP probe failed with statuscode: {}", code)};
}

ProbeOutcome HttpProbeTimedOut(const std::string& url) {
  return {false, fmt::format("Get \"{}\": context deadline exceeded (Client.Timeout exceeded "
                             "while awaiting headers)",
                             url)};
}

}  // namespace hp::agent
