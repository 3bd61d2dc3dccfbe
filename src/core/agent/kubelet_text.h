// hp/agent: kubelet's words for a pod's events and its containers' back-off, shared by the
// Linux supervisor and the Windows one (docs/windows.md), so that `describe` reads the same on
// both nodes.
#pragma once

#include <cstdint>
#include <string>

#include "core/k8s/types.h"

namespace hp::agent {

// A duration as Go's time.Duration prints it: "10s", "1m20s", "5m0s", "1.5s", "1h0m0s".
std::string GoDuration(int64_t ms);
// kubelet's format.Pod: `name_namespace(uid)`, the namespace "default" when unset.
std::string PodRef(const k8s::ObjectMeta& pod);

// The messages of kubelet's events: Scheduled ("Successfully assigned ns/name to node"),
// Pulled for an image the node has, Created, Started, Killing for a stop (a delete).
std::string ScheduledMessage(const k8s::ObjectMeta& pod, const std::string& node);
std::string ImagePresentMessage(const std::string& image);
std::string CreatedMessage(const std::string& container);
std::string StartedMessage(const std::string& container);
std::string StoppingMessage(const std::string& container);
// A crashed container's back-off: the waiting state's CrashLoopBackOff message
// ("back-off 20s restarting failed container=main pod=web_default(uid)") and the BackOff event's.
std::string CrashLoopBackOffMessage(int64_t delay_ms, const std::string& container,
                                    const k8s::ObjectMeta& pod);
std::string BackOffMessage(const std::string& container, const k8s::ObjectMeta& pod);

}  // namespace hp::agent
