// hp/k8s: the API server's defaulting of core/v1 and apps/v1 objects (SetDefaults_*), applied
// before validation and useful to the planner (probe timings, grace period, pull policy).
#pragma once

#include <string>

#include "core/k8s/types.h"

namespace hp::k8s {

// restartPolicy Always, dnsPolicy ClusterFirst, terminationGracePeriodSeconds 30,
// schedulerName default-scheduler, container terminationMessagePath/Policy, imagePullPolicy
// (Always for :latest or no tag, else IfNotPresent), port protocol TCP, hostPort = containerPort
// under hostNetwork, probe timings (1s timeout, 10s period, thresholds 1/3), httpGet path "/"
// and scheme HTTP, volume defaultMode 0644, projected token expirationSeconds 3600,
// fieldRef apiVersion v1, serviceAccountName "default" (the ServiceAccount admission plugin).
void ApplyPodSpecDefaults(PodSpec& spec);
// SetDefaults_Pod's requests = limits for each resource a container limits but does not
// request. Kept apart from ApplyPodSpecDefaults (whose validation messages are pinned by tests)
// and applied where the pod's QoS class is computed (qos.h).
void DefaultRequestsFromLimits(PodSpec& spec);
// imagePullPolicy's default for `image`: Always for `:latest` or no tag, else IfNotPresent.
std::string DefaultImagePullPolicy(const std::string& image);
void ApplyPodDefaults(Pod& pod);
void ApplyDaemonSetDefaults(DaemonSet& ds);  // updateStrategy, revisionHistoryLimit, template

}  // namespace hp::k8s
