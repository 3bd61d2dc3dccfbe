// hp/k8s: Kubernetes' --feature-gates, for the gates hostprocess knows (docs/validate.md,
// "Feature gates").
//
// The syntax and words are component-base's featureGate.Set: "Name=bool[,Name=bool]" with Go's
// strconv.ParseBool values; errors "missing bool value for X", "invalid value of X=v, err:
// strconv.ParseBool: parsing \"v\": invalid syntax", "unrecognized feature gate: X", which the
// flag library reports as `invalid argument "..." for "--feature-gates" flag: ...`.
//
// WindowsHostProcessContainers: alpha (off) in 1.22, beta (on) in 1.23-1.25, GA (locked on) in
// 1.26-1.27, removed in 1.28. Off, the API server of 1.22-1.25 forbids hostProcess in Pods and
// pod templates (validation.h) and the kubelet refuses to create such a pod's sandbox.
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/k8s/types.h"

namespace hp::k8s {

struct FeatureGates {
  bool windows_host_process_containers = true;
  bool operator==(const FeatureGates&) const = default;
};

inline constexpr const char* kWindowsHostProcessContainers = "WindowsHostProcessContainers";

// Applies `value` on top of `gates`. The error is the flag library's line without "error: ".
Result<FeatureGates> ParseFeatureGates(std::string_view value, FeatureGates gates = {});
// The gates that differ from the defaults, in --feature-gates syntax ("" when none).
std::string FeatureGatesString(const FeatureGates& gates);

// The kubelet's refusal to create the sandbox of a pod with HostProcess containers while the
// gate is off (pkg/kubelet/kuberuntime generatePodSandboxWindowsConfig), and the event it
// records (kuberuntime_manager.go SyncPod).
inline constexpr const char* kHostProcessGateOffKubelet =
    "pod contains HostProcess containers but feature 'WindowsHostProcessContainers' is not "
    "enabled";
inline constexpr const char* kFailedCreatePodSandBox = "FailedCreatePodSandBox";
std::string FailedCreatePodSandBoxMessage();  // "Failed to create pod sandbox: " + the above
// kubecontainer.HasWindowsHostProcessContainer: a container whose hostProcess, or else the
// pod's, is true.
bool HasWindowsHostProcessContainer(const PodSpec& spec);

}  // namespace hp::k8s
