// hp/k8s: a pod's quality of service class (status.qosClass), computed as Kubernetes'
// ComputePodQOS (pkg/apis/core/v1/helper/qos): Guaranteed when every container (init
// containers included, ephemeral ones not) has cpu and memory limits and the pod's summed
// requests equal its summed limits; BestEffort when no container requests or limits cpu or
// memory (zero values do not count); Burstable otherwise. Pass a spec with the API's defaults
// applied (defaults.h: a limit without a request is also the request).
#pragma once

#include <string>

#include "core/k8s/types.h"

namespace hp::k8s {

inline constexpr const char* kQOSGuaranteed = "Guaranteed";
inline constexpr const char* kQOSBurstable = "Burstable";
inline constexpr const char* kQOSBestEffort = "BestEffort";

std::string ComputePodQOS(const PodSpec& spec);

}  // namespace hp::k8s
