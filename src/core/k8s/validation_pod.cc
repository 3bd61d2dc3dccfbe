// ValidatePodSpec and the pod-level rules (affinity, tolerations, the pod's security context),
// in the API server's order (pkg/apis/core/validation/validation.go); the volumes are in
// validation_volumes.cc, each container's fields in validation_container.cc.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/base/strings.h"
#include "core/k8s/validation.h"
#include "core/k8s/validation_internal.h"

namespace hp::k8s {

using namespace internal;

namespace {

ErrorList ValidateNodeSelectorTerm(const NodeSelectorTerm& t, const std::string& path) {
  ErrorList errs;
  for (size_t j = 0; j < t.match_expressions.size(); j++) {
    const auto& r = t.match_expressions[j];
    std::string p = Index(Child(path, "matchExpressions"), j);
    ValidateSelectorRequirement(errs, p, r.key, r.op, r.values, true);
    for (size_t v = 0; v < r.values.size(); v++)
      InvalidEach(errs, Index(Child(p, "values"), v), field::Str(r.values[v]),
                  names::IsValidLabelValue(r.values[v]));
  }
  for (size_t j = 0; j < t.match_fields.size(); j++) {
    const auto& r = t.match_fields[j];
    std::string p = Index(Child(path, "matchFields"), j);
    if (r.op == "In" || r.op == "NotIn") {
      if (r.values.size() != 1)
        errs.push_back(field::Required(
            Child(p, "values"),
            "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    } else {
      errs.push_back(
          field::Invalid(Child(p, "operator"), field::Str(r.op), "not a valid selector operator"));
    }
    if (r.key != "metadata.name") {
      errs.push_back(
          field::Invalid(Child(p, "key"), field::Str(r.key), "not a valid field selector key"));
    } else {
      for (size_t v = 0; v < r.values.size(); v++)
        InvalidEach(errs, Index(Child(p, "values"), v), field::Str(r.values[v]),
                    names::NameIsDNSSubdomain(r.values[v], false));
    }
  }
  return errs;
}

ErrorList ValidateAffinity(const std::optional<Affinity>& a, const std::string& path) {
  ErrorList errs;
  if (!a || !a->node_affinity) return errs;
  std::string np = Child(path, "nodeAffinity");
  const NodeAffinity& na = *a->node_affinity;
  if (na.required_terms) {
    std::string tp =
        Child(Child(np, "requiredDuringSchedulingIgnoredDuringExecution"), "nodeSelectorTerms");
    if (na.required_terms->empty()) {
      errs.push_back(field::Required(tp, "must have at least one node selector term"));
    } else {
      for (size_t i = 0; i < na.required_terms->size(); i++)
        Append(errs, ValidateNodeSelectorTerm((*na.required_terms)[i], Index(tp, i)));
    }
  }
  std::string pp = Child(np, "preferredDuringSchedulingIgnoredDuringExecution");
  for (size_t i = 0; i < na.preferred.size(); i++) {
    const auto& t = na.preferred[i];
    if (t.weight <= 0 || t.weight > 100)
      errs.push_back(field::Invalid(Child(Index(pp, i), "weight"), field::Int(t.weight),
                                    "must be in the range 1-100"));
    Append(errs, ValidateNodeSelectorTerm(t.preference, Child(Index(pp, i), "preference")));
  }
  return errs;
}

ErrorList ValidateTolerations(const std::vector<Toleration>& tolerations, const std::string& path) {
  ErrorList errs;
  for (size_t i = 0; i < tolerations.size(); i++) {
    const Toleration& t = tolerations[i];
    std::string ip = Index(path, i);
    if (!t.key.empty())
      InvalidEach(errs, Child(ip, "key"), field::Str(t.key), names::IsQualifiedName(t.key));
    if (t.key.empty() && t.op != "Exists")
      errs.push_back(
          field::Invalid(Child(ip, "operator"), field::Str(t.op),
                         "operator must be Exists when `key` is empty, which means \"match "
                         "all values and all keys\""));
    if (t.toleration_seconds && t.effect != "NoExecute")
      errs.push_back(field::Invalid(Child(ip, "effect"), field::Str(t.effect),
                                    "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (t.op == "Equal" || t.op.empty()) {
      auto msgs = names::IsValidLabelValue(t.value);
      if (!msgs.empty())
        errs.push_back(field::Invalid(Child(ip, "operator"), field::Str(t.value), Join(msgs, ";")));
    } else if (t.op == "Exists") {
      if (!t.value.empty())
        errs.push_back(field::Invalid(Child(ip, "operator"), field::Str(t.value),
                                      "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push_back(
          field::NotSupported(Child(ip, "operator"), field::Str(t.op), {"Equal", "Exists"}));
    }
    if (!t.effect.empty() && t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" &&
        t.effect != "NoExecute")
      errs.push_back(field::NotSupported(Child(ip, "effect"), field::Str(t.effect),
                                         {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
  }
  return errs;
}

ErrorList ValidatePodSecurityContext(const PodSpec& spec, const std::string& path) {
  ErrorList errs;
  if (!spec.security_context) return errs;
  const PodSecurityContext& sc = *spec.security_context;
  std::string sp = Child(path, "securityContext");
  if (sc.fs_group)
    InvalidEach(errs, Child(sp, "fsGroup"), field::Int(*sc.fs_group),
                names::IsValidGroupID(*sc.fs_group));
  if (sc.run_as_user)
    InvalidEach(errs, Child(sp, "runAsUser"), field::Int(*sc.run_as_user),
                names::IsValidUserID(*sc.run_as_user));
  if (sc.run_as_group)
    InvalidEach(errs, Child(sp, "runAsGroup"), field::Int(*sc.run_as_group),
                names::IsValidGroupID(*sc.run_as_group));
  for (size_t g = 0; g < sc.supplemental_groups.size(); g++)
    InvalidEach(errs, Index(Child(sp, "supplementalGroups"), g),
                field::Int(sc.supplemental_groups[g]),
                names::IsValidGroupID(sc.supplemental_groups[g]));
  if (spec.share_process_namespace && *spec.share_process_namespace && spec.host_pid)
    errs.push_back(field::Invalid(Child(path, "shareProcessNamespace"), field::Bool(true),
                                  "ShareProcessNamespace and HostPID cannot both be enabled"));
  std::set<std::string> sysctl_names;
  for (size_t i = 0; i < sc.sysctls.size(); i++) {
    const std::string& n = sc.sysctls[i].name;
    std::string ip = Index(Child(sp, "sysctls"), i);
    if (n.empty()) {
      errs.push_back(field::Required(Child(ip, "name"), ""));
    } else if (!sysctl_names.insert(n).second) {
      errs.push_back(field::Duplicate(Child(ip, "name"), field::Str(n)));
    }
  }
  if (sc.fs_group_change_policy && *sc.fs_group_change_policy != "OnRootMismatch" &&
      *sc.fs_group_change_policy != "Always")
    errs.push_back(field::NotSupported(Child(sp, "fsGroupChangePolicy"),
                                       field::Str(*sc.fs_group_change_policy),
                                       {"Always", "OnRootMismatch"}));
  Append(errs, ValidateProfile(sc.seccomp_profile ? &*sc.seccomp_profile : nullptr,
                               Child(sp, "seccompProfile"), "seccompProfile"));
  Append(errs,
         ValidateWindowsSecurityContextOptions(sc.windows_options ? &*sc.windows_options : nullptr,
                                               Child(sp, "windowsOptions")));
  Append(errs, ValidateProfile(sc.app_armor_profile ? &*sc.app_armor_profile : nullptr,
                               Child(sp, "appArmorProfile"), "appArmorProfile"));
  return errs;
}

}  // namespace

field::ErrorList ValidatePodSpec(const PodSpec& spec, const std::string& path,
                                 const ValidationOptions& opts, bool resource_is_pod) {
  ErrorList errs;
  bool host_users = !spec.host_users || *spec.host_users;
  std::set<std::string> volumes;
  Append(errs, ValidateVolumes(spec.volumes, Child(path, "volumes"), volumes));

  // validateContainers
  std::string cp = Child(path, "containers");
  if (spec.containers.empty()) {
    errs.push_back(field::Required(cp, ""));
  } else {
    std::set<std::string> all;
    std::vector<const Container*> ptrs;
    for (size_t i = 0; i < spec.containers.size(); i++) {
      const Container& c = spec.containers[i];
      std::string ip = Index(cp, i);
      ptrs.push_back(&c);
      Append(errs, ValidateContainerCommon(c, volumes, ip, opts, host_users));
      if (!all.insert(c.name).second)
        errs.push_back(field::Duplicate(Child(ip, "name"), field::Str(c.name)));
      if (c.lifecycle) Append(errs, ValidateLifecycle(*c.lifecycle, Child(ip, "lifecycle")));
      Append(errs, ValidateProbe(c.liveness_probe, Child(ip, "livenessProbe"), "liveness"));
      Append(errs, ValidateProbe(c.readiness_probe, Child(ip, "readinessProbe"), "readiness"));
      Append(errs, ValidateProbe(c.startup_probe, Child(ip, "startupProbe"), "startup"));
      if (c.restart_policy)
        errs.push_back(
            field::Forbidden(Child(ip, "restartPolicy"), "may not be set for non-init containers"));
    }
    Append(errs, CheckHostPortConflicts(ptrs, cp));
  }

  // validateInitContainers
  std::string ip0 = Child(path, "initContainers");
  {
    std::set<std::string> all;
    for (const auto& c : spec.containers) all.insert(c.name);
    for (size_t i = 0; i < spec.init_containers.size(); i++) {
      const Container& c = spec.init_containers[i];
      std::string ip = Index(ip0, i);
      Append(errs, ValidateContainerCommon(c, volumes, ip, opts, host_users));
      bool restart_always = false;
      if (c.restart_policy) {
        if (*c.restart_policy != "Always")
          errs.push_back(field::NotSupported(Child(ip, "restartPolicy"),
                                             field::Str(*c.restart_policy), {"Always"}));
        restart_always = *c.restart_policy == "Always";
      }
      if (all.count(c.name)) {
        errs.push_back(field::Duplicate(Child(ip, "name"), field::Str(c.name)));
      } else if (!c.name.empty()) {
        all.insert(c.name);
      }
      Append(errs, CheckHostPortConflicts({&c}, ip0));
      if (restart_always) {
        if (c.lifecycle) Append(errs, ValidateLifecycle(*c.lifecycle, Child(ip, "lifecycle")));
        Append(errs, ValidateProbe(c.liveness_probe, Child(ip, "livenessProbe"), "liveness"));
        Append(errs, ValidateProbe(c.readiness_probe, Child(ip, "readinessProbe"), "readiness"));
        Append(errs, ValidateProbe(c.startup_probe, Child(ip, "startupProbe"), "startup"));
      } else {
        const char* kMsg = "may not be set for init containers without restartPolicy=Always";
        if (c.lifecycle) errs.push_back(field::Forbidden(Child(ip, "lifecycle"), kMsg));
        if (c.liveness_probe) errs.push_back(field::Forbidden(Child(ip, "livenessProbe"), kMsg));
        if (c.readiness_probe) errs.push_back(field::Forbidden(Child(ip, "readinessProbe"), kMsg));
        if (c.startup_probe) errs.push_back(field::Forbidden(Child(ip, "startupProbe"), kMsg));
      }
    }
  }

  // validateEphemeralContainers (common rules and name uniqueness)
  if (!spec.ephemeral_containers.empty()) {
    std::set<std::string> others, all;
    for (const auto& c : spec.containers) others.insert(c.name), all.insert(c.name);
    for (const auto& c : spec.init_containers) others.insert(c.name), all.insert(c.name);
    for (size_t i = 0; i < spec.ephemeral_containers.size(); i++) {
      const Container& c = spec.ephemeral_containers[i];
      std::string ip = Index(Child(path, "ephemeralContainers"), i);
      Append(errs, ValidateContainerCommon(c, volumes, ip, opts, host_users));
      if (!all.insert(c.name).second)
        errs.push_back(field::Duplicate(Child(ip, "name"), field::Str(c.name)));
      if (!c.target_container_name.empty() && !others.count(c.target_container_name))
        errs.push_back(
            field::NotFound(Child(ip, "targetContainerName"), field::Str(c.target_container_name)));
    }
  }

  // validatePodHostNetworkDeps
  if (spec.host_network) {
    for (size_t i = 0; i < spec.containers.size(); i++) {
      const auto& ports = spec.containers[i].ports;
      for (size_t j = 0; j < ports.size(); j++) {
        int32_t hp = ports[j].host_port.value_or(0);
        if ((resource_is_pod || hp != 0) && hp != ports[j].container_port)
          errs.push_back(field::Invalid(Child(Index(Child(Index(cp, i), "ports"), j), "hostPort"),
                                        field::Int(hp),
                                        "must match `containerPort` when `hostNetwork` is true"));
      }
    }
  }

  std::string rp = Child(path, "restartPolicy");
  if (spec.restart_policy.empty()) {
    errs.push_back(field::Required(rp, ""));
  } else if (spec.restart_policy != "Always" && spec.restart_policy != "OnFailure" &&
             spec.restart_policy != "Never") {
    errs.push_back(
        field::NotSupported(rp, field::Str(spec.restart_policy), {"Always", "OnFailure", "Never"}));
  }
  std::string dp = Child(path, "dnsPolicy");
  if (spec.dns_policy.empty()) {
    errs.push_back(field::Required(dp, ""));
  } else if (spec.dns_policy != "ClusterFirstWithHostNet" && spec.dns_policy != "ClusterFirst" &&
             spec.dns_policy != "Default" && spec.dns_policy != "None") {
    errs.push_back(
        field::NotSupported(dp, field::Str(spec.dns_policy),
                            {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"}));
  }
  Append(errs, ValidateLabels(spec.node_selector, Child(path, "nodeSelector")));
  Append(errs, ValidatePodSecurityContext(spec, path));
  Append(errs, ValidateAffinity(spec.affinity, Child(path, "affinity")));
  Append(errs, ValidateWindowsHostProcessPod(spec, path, opts));
  if (!host_users) {
    if (spec.host_network)
      errs.push_back(
          field::Forbidden(Child(path, "hostNetwork"), "when `pod.Spec.HostUsers` is false"));
    if (spec.host_pid)
      errs.push_back(
          field::Forbidden(Child(path, "HostPID"), "when `pod.Spec.HostUsers` is false"));
    if (spec.host_ipc)
      errs.push_back(
          field::Forbidden(Child(path, "HostIPC"), "when `pod.Spec.HostUsers` is false"));
  }
  if (!spec.service_account_name.empty())
    InvalidEach(errs, Child(path, "serviceAccountName"), field::Str(spec.service_account_name),
                names::NameIsDNSSubdomain(spec.service_account_name, false));
  if (!spec.node_name.empty())
    InvalidEach(errs, Child(path, "nodeName"), field::Str(spec.node_name),
                names::NameIsDNSSubdomain(spec.node_name, false));
  if (spec.active_deadline_seconds) {
    int64_t v = *spec.active_deadline_seconds;
    if (v < 1 || v > 2147483647)
      errs.push_back(field::Invalid(Child(path, "activeDeadlineSeconds"), field::Int(v),
                                    names::InclusiveRangeError(1, 2147483647)));
  }
  if (!spec.hostname.empty())
    InvalidEach(errs, Child(path, "hostname"), field::Str(spec.hostname),
                names::IsDNS1123Label(spec.hostname));
  if (!spec.subdomain.empty())
    InvalidEach(errs, Child(path, "subdomain"), field::Str(spec.subdomain),
                names::IsDNS1123Label(spec.subdomain));
  Append(errs, ValidateTolerations(spec.tolerations, Child(path, "tolerations")));
  if (!spec.priority_class_name.empty())
    InvalidEach(errs, Child(path, "priorityClassName"), field::Str(spec.priority_class_name),
                names::NameIsDNSSubdomain(spec.priority_class_name, false));
  if (spec.runtime_class_name)
    InvalidEach(errs, Child(path, "runtimeClassName"), field::Str(*spec.runtime_class_name),
                names::NameIsDNSSubdomain(*spec.runtime_class_name, false));
  Append(errs, ValidateOS(spec, path));
  return errs;
}

}  // namespace hp::k8s
