// hp/agent: does a pod fit this node? The DaemonSet controller's and kube-scheduler's node
// predicates, in the scheduler's filter order: NodeName, TaintToleration (NoSchedule and
// NoExecute taints), NodeAffinity (nodeSelector AND requiredDuringScheduling terms).
//
// The reason strings are kube-scheduler's, so `describe` can print what a cluster would
// (`0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.`); `details`
// says which selector entry or term failed and why, for humans.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/agent/node.h"
#include "core/agent/pod_status.h"
#include "core/k8s/types.h"

namespace hp::agent {

struct FitResult {
  bool fits = true;
  std::string reason;                // kube-scheduler's per-node reason; empty when it fits
  std::vector<std::string> details;  // which nodeSelector entry / term / taint failed
  // "0/1 nodes are available: 1 <reason>." (empty when it fits).
  std::string Message() const;
};

// Matches one requirement of a node selector term against the node (labels, or fields when
// `field` is true: only `metadata.name`). Sets *why when it does not match.
bool MatchRequirement(const k8s::NodeSelectorRequirement& req, const Node& node, bool field,
                      std::string* why);
// A term matches when all its expressions and fields match; an empty term matches nothing.
bool MatchTerm(const k8s::NodeSelectorTerm& term, const Node& node, std::string* why);
// Kubernetes' Toleration.ToleratesTaint.
bool Tolerates(const k8s::Toleration& toleration, const Taint& taint);
// The tolerations the DaemonSet controller adds to every daemon pod (not-ready, unreachable,
// disk/memory/pid-pressure, unschedulable, and network-unavailable for hostNetwork pods).
std::vector<k8s::Toleration> DaemonSetDefaultTolerations(bool host_network);

// Checks `spec` against the node. For a DaemonSet pass the template's spec with
// `daemon_set` = true (the controller's default tolerations are added).
FitResult CheckFit(const k8s::PodSpec& spec, const Node& node, bool daemon_set);

// A port a pod takes on the node (the scheduler's NodePorts plugin): hostPort, or containerPort
// under hostNetwork (the API server's default), with its protocol and host IP.
struct HostPort {
  std::string ip;        // "" or "0.0.0.0": every address
  std::string protocol;  // TCP by default
  int32_t port = 0;
};
std::vector<HostPort> HostPortsOf(const k8s::PodSpec& spec);
// The host ports a pod the node keeps holds, from its status (PodStatus::HoldsHostPorts) and its
// pod as applied: none when it holds none or its spec does not decode. What placement counts on
// both nodes (the shared reconciler, reconciler.h, and `run`).
std::vector<HostPort> HostPortsHeld(const PodStatus& status, const nlohmann::json& pod);
// NodePorts' conflict rule: same protocol and port, and either IP is the wildcard or both equal.
bool HostPortsConflict(const HostPort& a, const HostPort& b);

// Where a pod goes, as a cluster decides it (`nodeName` empty: kube-scheduler; `nodeName` this
// node: kubelet's admission; another node: not this node's kubelet).
struct Placement {
  enum Kind {
    kPlaced,         // runs here
    kUnschedulable,  // Pending with kube-scheduler's FailedScheduling event; tried again later
    kRejected,       // kubelet's admission refused it: Failed, for good
    kOtherNode,      // bound to another node: Pending here, nothing to do
  };
  Kind kind = kPlaced;
  std::string reason;                // event reason: FailedScheduling, NodeAffinity, NodePorts, ...
  std::string message;               // event message (kube-scheduler's or kubelet's words)
  std::string from;                  // default-scheduler | kubelet
  std::vector<std::string> details;  // which selector entry / term / taint / port failed
};
// Places a pod on this node, given the host ports the pods already placed there take. For a
// DaemonSet's pod, `daemon_set` = true: the controller checked the node (CheckFit) and the
// scheduler then checks the rest (its ports).
Placement PlacePod(const k8s::PodSpec& spec, const Node& node, bool daemon_set,
                   const std::vector<HostPort>& used);
// What a pod `p` did not place shows, set on the status it was made with (its containers
// waiting, no reason): kUnschedulable is Pending with kube-scheduler's event, tried again later;
// kRejected is Failed with kubelet's reason and event, for good. The events kept in `status`
// stay (an unschedulable pod's event is aggregated).
void MarkUnplaced(PodStatus& status, const Placement& p, int64_t now);

}  // namespace hp::agent
