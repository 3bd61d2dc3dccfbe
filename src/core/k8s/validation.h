// hp/k8s: the API server's validation of the objects hostprocess accepts, with Kubernetes'
// field paths and messages (pkg/apis/core/validation, pkg/apis/apps/validation).
//
// Validation runs on a defaulted copy (defaults.h), as the API server validates after
// defaulting. Errors come back in the API server's order; render them with
// field::KubectlInvalid (kubectl's text) or field::Aggregate (Status.message).
#pragma once

#include "core/k8s/field.h"
#include "core/k8s/types.h"

namespace hp::k8s {

struct ValidationOptions {
  // The API server's --allow-privileged. false rejects privileged containers and HostProcess
  // pods ("hostProcess containers are disallowed by cluster policy").
  bool allow_privileged = true;
  // PodValidationOptions.AllowWindowsHostProcessField: the WindowsHostProcessContainers gate
  // (features.h). false forbids setting hostProcess at all, as the API server of 1.22-1.25
  // with the gate off.
  bool allow_windows_host_process_field = true;
};

field::ErrorList ValidatePod(const Pod& pod, const ValidationOptions& opts);
field::ErrorList ValidateDaemonSet(const DaemonSet& ds, const ValidationOptions& opts);
field::ErrorList ValidateNamespace(const Namespace& ns);
field::ErrorList ValidateConfigMap(const ConfigMap& cm);
field::ErrorList ValidateSecret(const Secret& s);
field::ErrorList ValidateServiceAccount(const ServiceAccount& sa);
// Dispatches on the object's kind.
field::ErrorList ValidateObject(const Object& obj, const ValidationOptions& opts);

// ValidatePodSpec on an already defaulted spec; `path` is "spec" for a Pod and
// "spec.template.spec" for a DaemonSet. `resource_is_pod` selects the Pod-only rules.
field::ErrorList ValidatePodSpec(const PodSpec& spec, const std::string& path,
                                 const ValidationOptions& opts, bool resource_is_pod);

// validateWindowsSecurityContextOptions: every runAsUserName rule and gMSA checks.
field::ErrorList ValidateWindowsSecurityContextOptions(const WindowsSecurityContextOptions* w,
                                                       const std::string& path);
// validateWindowsHostProcessPod: pod → container inheritance, "all containers must be
// HostProcess containers", hostNetwork, --allow-privileged.
field::ErrorList ValidateWindowsHostProcessPod(const PodSpec& spec, const std::string& path,
                                               const ValidationOptions& opts);

}  // namespace hp::k8s
