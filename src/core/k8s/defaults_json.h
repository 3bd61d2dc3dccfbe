// hp/k8s: the API server's defaults as they appear in stored objects (`get -o json|yaml`), on
// the JSON form: what SetDefaults_* (defaults.h, on the decoded structs) and the admission
// plugins that every cluster runs (ServiceAccount, DefaultTolerationSeconds) add to a Pod, and
// what the API server adds to a DaemonSet. Fields already set are left as they are.
#pragma once

#include <nlohmann/json.hpp>

namespace hp::k8s {

// A pod template's spec (`spec.template.spec` of a DaemonSet): restartPolicy, dnsPolicy,
// schedulerName, securityContext, terminationGracePeriodSeconds, containers' imagePullPolicy,
// terminationMessagePath/Policy, resources, ports' protocol (and hostPort under hostNetwork),
// requests = limits where only a limit is set.
void DefaultPodSpecJson(nlohmann::json& spec);
// A Pod: its spec as above, plus what admission adds to a created Pod: serviceAccountName (and
// its deprecated twin serviceAccount), enableServiceLinks, priority, preemptionPolicy, and the
// not-ready/unreachable NoExecute tolerations for 300 s unless the pod tolerates them already.
void DefaultPodJson(nlohmann::json& pod);
// A DaemonSet: updateStrategy RollingUpdate (maxUnavailable 1, maxSurge 0),
// revisionHistoryLimit 10, the template's spec as above.
void DefaultDaemonSetJson(nlohmann::json& ds);

}  // namespace hp::k8s
