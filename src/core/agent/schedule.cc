#include "core/agent/schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>

#include "core/agent/pod_spec.h"
#include "core/base/strings.h"

namespace hp::agent {
namespace {

constexpr const char* kReasonAffinity = "node(s) didn't match Pod's node affinity/selector";
constexpr const char* kReasonNodeName = "node(s) didn't match the requested node name";
constexpr const char* kReasonPorts = "node(s) didn't have free ports for the requested pod ports";
// kube-scheduler's PostFilter (preemption) summary: filters that fail UnschedulableAndUnresolvable
// (NodeName, TaintToleration, NodeAffinity) cannot be helped by evicting a pod; NodePorts can,
// but only by pods of lower priority, and every pod here has priority 0.
constexpr const char* kPreemptionNotHelpful = "Preemption is not helpful for scheduling";
constexpr const char* kPreemptionNoVictims = "No preemption victims found for incoming pod";

bool ParseInt64(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  auto [p, ec] = std::from_chars(b, e, *out);
  return ec == std::errc() && p == e;
}

std::string Values(const std::vector<std::string>& v) { return "[" + Join(v, " ") + "]"; }

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

std::string FitResult::Message() const {
  if (fits) return "";
  return fmt::format("0/1 nodes are available: 1 {}.", reason);
}

bool MatchRequirement(const k8s::NodeSelectorRequirement& req, const Node& node, bool field,
                      std::string* why) {
  const std::string* value = nullptr;
  if (field) {
    if (req.key != "metadata.name") {
      *why = fmt::format("matchFields key \"{}\" is not supported (only metadata.name)", req.key);
      return false;
    }
    value = &node.name;
  } else {
    value = node.Label(req.key);
  }
  std::string have = value
                         ? fmt::format("node has {}={}", req.key, *value)
                         : fmt::format("node has no {} \"{}\"", field ? "field" : "label", req.key);
  auto fail = [&](std::string w) {
    *why = std::move(w);
    return false;
  };
  if (req.op == "In") {
    if (value && Contains(req.values, *value)) return true;
    return fail(fmt::format("{} In {}: {}", req.key, Values(req.values), have));
  }
  if (req.op == "NotIn") {
    if (!value || !Contains(req.values, *value)) return true;
    return fail(fmt::format("{} NotIn {}: {}", req.key, Values(req.values), have));
  }
  if (field) return fail(fmt::format("matchFields operator \"{}\" is not supported", req.op));
  if (req.op == "Exists") {
    if (value) return true;
    return fail(fmt::format("{} Exists: {}", req.key, have));
  }
  if (req.op == "DoesNotExist") {
    if (!value) return true;
    return fail(fmt::format("{} DoesNotExist: {}", req.key, have));
  }
  if (req.op == "Gt" || req.op == "Lt") {
    int64_t want = 0, got = 0;
    if (req.values.size() != 1 || !ParseInt64(req.values[0], &want))
      return fail(fmt::format("{} {} {}: want exactly one integer value", req.key, req.op,
                              Values(req.values)));
    if (!value) return fail(fmt::format("{} {} {}: {}", req.key, req.op, req.values[0], have));
    if (!ParseInt64(*value, &got))
      return fail(
          fmt::format("{} {} {}: {} is not an integer", req.key, req.op, req.values[0], have));
    if (req.op == "Gt" ? got > want : got < want) return true;
    return fail(fmt::format("{} {} {}: {}", req.key, req.op, req.values[0], have));
  }
  return fail(fmt::format("{}: unknown operator \"{}\"", req.key, req.op));
}

bool MatchTerm(const k8s::NodeSelectorTerm& term, const Node& node, std::string* why) {
  if (term.match_expressions.empty() && term.match_fields.empty()) {
    *why = "empty term matches no node";
    return false;
  }
  for (size_t i = 0; i < term.match_expressions.size(); ++i) {
    std::string w;
    if (!MatchRequirement(term.match_expressions[i], node, false, &w)) {
      *why = fmt::format("matchExpressions[{}]: {}", i, w);
      return false;
    }
  }
  for (size_t i = 0; i < term.match_fields.size(); ++i) {
    std::string w;
    if (!MatchRequirement(term.match_fields[i], node, true, &w)) {
      *why = fmt::format("matchFields[{}]: {}", i, w);
      return false;
    }
  }
  return true;
}

bool Tolerates(const k8s::Toleration& t, const Taint& taint) {
  if (!t.effect.empty() && t.effect != taint.effect) return false;
  if (!t.key.empty() && t.key != taint.key) return false;
  if (t.op == "Exists") return true;
  if (t.op.empty() || t.op == "Equal") return t.value == taint.value;
  return false;
}

std::vector<k8s::Toleration> DaemonSetDefaultTolerations(bool host_network) {
  std::vector<k8s::Toleration> out;
  auto add = [&](const char* key, const char* effect) {
    k8s::Toleration t;
    t.key = key;
    t.op = "Exists";
    t.effect = effect;
    out.push_back(std::move(t));
  };
  add("node.kubernetes.io/not-ready", "NoExecute");
  add("node.kubernetes.io/unreachable", "NoExecute");
  add("node.kubernetes.io/disk-pressure", "NoSchedule");
  add("node.kubernetes.io/memory-pressure", "NoSchedule");
  add("node.kubernetes.io/pid-pressure", "NoSchedule");
  add("node.kubernetes.io/unschedulable", "NoSchedule");
  if (host_network) add("node.kubernetes.io/network-unavailable", "NoSchedule");
  return out;
}

FitResult CheckFit(const k8s::PodSpec& spec, const Node& node, bool daemon_set) {
  FitResult r;
  auto fail = [&](const char* reason) {
    if (r.fits) r.reason = reason;
    r.fits = false;
  };
  if (!spec.node_name.empty() && spec.node_name != node.name) {
    fail(kReasonNodeName);
    r.details.push_back(
        fmt::format("spec.nodeName \"{}\" is not this node \"{}\"", spec.node_name, node.name));
  }

  std::vector<k8s::Toleration> tolerations = spec.tolerations;
  if (daemon_set) {
    auto defaults = DaemonSetDefaultTolerations(spec.host_network);
    tolerations.insert(tolerations.end(), defaults.begin(), defaults.end());
  }
  for (const Taint& taint : node.taints) {
    if (taint.effect != "NoSchedule" && taint.effect != "NoExecute") continue;
    bool ok = std::any_of(tolerations.begin(), tolerations.end(),
                          [&](const k8s::Toleration& t) { return Tolerates(t, taint); });
    if (ok) continue;
    if (r.fits)
      r.reason = fmt::format("node(s) had untolerated taint {{{}: {}}}", taint.key, taint.value);
    r.fits = false;
    r.details.push_back(fmt::format("taint {}{}{}:{} is not tolerated", taint.key,
                                    taint.value.empty() ? "" : "=", taint.value, taint.effect));
  }

  for (const auto& [key, want] : spec.node_selector) {
    const std::string* have = node.Label(key);
    if (have && *have == want) continue;
    fail(kReasonAffinity);
    r.details.push_back(
        have ? fmt::format("nodeSelector {}={}: node has {}={}", key, want, key, *have)
             : fmt::format("nodeSelector {}={}: node has no label \"{}\"", key, want, key));
  }
  if (spec.affinity && spec.affinity->node_affinity &&
      spec.affinity->node_affinity->required_terms) {
    const auto& terms = *spec.affinity->node_affinity->required_terms;
    std::vector<std::string> whys;
    bool any = false;
    for (size_t i = 0; i < terms.size() && !any; ++i) {
      std::string why;
      if (MatchTerm(terms[i], node, &why)) {
        any = true;
      } else {
        whys.push_back(fmt::format(
            "nodeAffinity requiredDuringSchedulingIgnoredDuringExecution nodeSelectorTerms[{}]: "
            "{}",
            i, why));
      }
    }
    if (terms.empty())
      whys.push_back(
          "nodeAffinity requiredDuringSchedulingIgnoredDuringExecution has no nodeSelectorTerms");
    if (!any) {
      fail(kReasonAffinity);
      r.details.insert(r.details.end(), whys.begin(), whys.end());
    }
  }
  return r;
}

std::vector<HostPort> HostPortsOf(const k8s::PodSpec& spec) {
  std::vector<HostPort> out;
  for (const auto* list : {&spec.init_containers, &spec.containers}) {
    for (const k8s::Container& c : *list) {
      for (const k8s::ContainerPort& p : c.ports) {
        int32_t port = p.host_port.value_or(0);
        if (port == 0 && spec.host_network) port = p.container_port;  // the API's default
        if (port <= 0) continue;
        out.push_back({p.host_ip, p.protocol.empty() ? "TCP" : p.protocol, port});
      }
    }
  }
  return out;
}

std::vector<HostPort> HostPortsHeld(const PodStatus& status, const nlohmann::json& pod) {
  if (!status.HoldsHostPorts()) return {};
  auto spec = DecodePodSpec(pod);
  return spec ? HostPortsOf(*spec) : std::vector<HostPort>{};
}

bool HostPortsConflict(const HostPort& a, const HostPort& b) {
  if (a.port != b.port || a.protocol != b.protocol) return false;
  auto wildcard = [](const std::string& ip) { return ip.empty() || ip == "0.0.0.0"; };
  return wildcard(a.ip) || wildcard(b.ip) || a.ip == b.ip;
}

namespace {

// The first port of `spec` that one of `used` already takes (nullopt: all free).
std::optional<std::string> PortConflict(const k8s::PodSpec& spec,
                                        const std::vector<HostPort>& used) {
  for (const HostPort& want : HostPortsOf(spec)) {
    for (const HostPort& have : used) {
      if (HostPortsConflict(want, have))
        return fmt::format("hostPort {}/{}{}{} is taken by a pod on this node", want.port,
                           want.protocol, want.ip.empty() ? "" : " on ", want.ip);
    }
  }
  return std::nullopt;
}

std::string SchedulerMessage(const std::string& reason, const char* preemption) {
  return fmt::format("0/1 nodes are available: 1 {}. preemption: 0/1 nodes are available: 1 {}.",
                     reason, preemption);
}

}  // namespace

Placement PlacePod(const k8s::PodSpec& spec, const Node& node, bool daemon_set,
                   const std::vector<HostPort>& used) {
  Placement p;
  if (!spec.node_name.empty() && spec.node_name != node.name) {
    p.kind = Placement::kOtherNode;
    p.details.push_back(
        fmt::format("spec.nodeName \"{}\" is not this node \"{}\"", spec.node_name, node.name));
    return p;
  }
  if (!spec.node_name.empty()) {
    // Bound already: kubelet's admission (lifecycle GeneralPredicates: NodeAffinity, NodeName,
    // NodePorts, then NoExecute taints), a refusal is final.
    auto reject = [&](const char* predicate, const std::string& why) {
      p.kind = Placement::kRejected;
      p.reason = predicate;
      p.message = fmt::format("Predicate {} failed: {}", predicate, why);
      p.from = "kubelet";
    };
    Node untainted = node;
    untainted.taints.clear();
    FitResult affinity = CheckFit(spec, untainted, daemon_set);
    if (!affinity.fits) {
      reject("NodeAffinity", kReasonAffinity);
      p.details = affinity.details;
      return p;
    }
    if (auto port = PortConflict(spec, used)) {
      reject("NodePorts", kReasonPorts);
      p.details.push_back(*port);
      return p;
    }
    k8s::PodSpec tolerations_only;
    tolerations_only.tolerations = spec.tolerations;
    tolerations_only.host_network = spec.host_network;
    Node no_execute = node;
    no_execute.taints.clear();
    for (const Taint& t : node.taints)
      if (t.effect == "NoExecute") no_execute.taints.push_back(t);
    FitResult taints = CheckFit(tolerations_only, no_execute, daemon_set);
    if (!taints.fits) {
      reject("TaintToleration", "node(s) had taints that the pod didn't tolerate");
      p.details = taints.details;
    }
    return p;
  }
  // kube-scheduler's filters in order: NodeName, TaintToleration, NodeAffinity, NodePorts.
  FitResult fit = CheckFit(spec, node, daemon_set);
  if (!fit.fits) {
    p.kind = Placement::kUnschedulable;
    p.reason = "FailedScheduling";
    p.message = SchedulerMessage(fit.reason, kPreemptionNotHelpful);
    p.from = "default-scheduler";
    p.details = fit.details;
    return p;
  }
  if (auto port = PortConflict(spec, used)) {
    p.kind = Placement::kUnschedulable;
    p.reason = "FailedScheduling";
    p.message = SchedulerMessage(kReasonPorts, kPreemptionNoVictims);
    p.from = "default-scheduler";
    p.details.push_back(*port);
  }
  return p;
}

void MarkUnplaced(PodStatus& status, const Placement& p, int64_t now) {
  for (auto* list : {&status.init_containers, &status.containers})
    for (ContainerStatus& c : *list) c.state = ContainerState{};
  if (p.kind == Placement::kRejected) {
    status.phase = "Failed";
    status.reason = p.reason;
    status.message = "Pod was rejected: " + p.message;
    status.rejected = true;
    status.finished = true;
    status.start_time = now;
  } else {
    status.phase = "Pending";
    status.unscheduled = true;
    status.scheduling_message = p.message;
  }
  if (!p.message.empty()) status.AddEvent("Warning", p.reason, p.message, now, p.from);
  status.updated = now;
}

}  // namespace hp::agent
