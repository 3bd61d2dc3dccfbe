// One container's fields (validateContainerCommon and what it calls: ports, env, volume mounts,
// resources, security context, probes, lifecycle handlers), in the API server's order
// (pkg/apis/core/validation/validation.go).
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

ErrorList ValidateContainerPorts(const std::vector<ContainerPort>& ports, const std::string& path) {
  ErrorList errs;
  std::set<std::string> names_seen;
  for (size_t i = 0; i < ports.size(); i++) {
    const ContainerPort& p = ports[i];
    std::string ip = Index(path, i);
    if (!p.name.empty()) {
      auto msgs = names::IsValidPortName(p.name);
      if (!msgs.empty()) {
        InvalidEach(errs, Child(ip, "name"), field::Str(p.name), msgs);
      } else if (!names_seen.insert(p.name).second) {
        errs.push_back(field::Duplicate(Child(ip, "name"), field::Str(p.name)));
      }
    }
    if (p.container_port == 0) {
      errs.push_back(field::Required(Child(ip, "containerPort"), ""));
    } else {
      InvalidEach(errs, Child(ip, "containerPort"), field::Int(p.container_port),
                  names::IsValidPortNum(p.container_port));
    }
    if (p.host_port.value_or(0) != 0)
      InvalidEach(errs, Child(ip, "hostPort"), field::Int(*p.host_port),
                  names::IsValidPortNum(*p.host_port));
    if (p.protocol.empty()) {
      errs.push_back(field::Required(Child(ip, "protocol"), ""));
    } else if (p.protocol != "TCP" && p.protocol != "UDP" && p.protocol != "SCTP") {
      errs.push_back(field::NotSupported(Child(ip, "protocol"), field::Str(p.protocol),
                                         {"SCTP", "TCP", "UDP"}));
    }
  }
  return errs;
}

ErrorList ValidateKeySelector(const KeySelector& s, const std::string& path) {
  ErrorList errs;
  InvalidEach(errs, Child(path, "name"), field::Str(s.name),
              names::NameIsDNSSubdomain(s.name, false));
  if (s.key.empty()) {
    errs.push_back(field::Required(Child(path, "key"), ""));
  } else {
    InvalidEach(errs, Child(path, "key"), field::Str(s.key), names::IsConfigMapKey(s.key));
  }
  return errs;
}

ErrorList ValidateEnv(const std::vector<EnvVar>& env, const std::string& path) {
  static const std::vector<std::string> kFieldPaths = {"metadata.annotations",
                                                       "metadata.labels",
                                                       "metadata.name",
                                                       "metadata.namespace",
                                                       "metadata.uid",
                                                       "spec.nodeName",
                                                       "spec.serviceAccountName",
                                                       "status.hostIP",
                                                       "status.hostIPs",
                                                       "status.podIP",
                                                       "status.podIPs"};
  static const std::vector<std::string> kResources = {
      "limits.cpu",   "limits.ephemeral-storage",   "limits.memory",
      "requests.cpu", "requests.ephemeral-storage", "requests.memory"};
  ErrorList errs;
  for (size_t i = 0; i < env.size(); i++) {
    const EnvVar& ev = env[i];
    std::string ip = Index(path, i);
    if (ev.name.empty()) {
      errs.push_back(field::Required(Child(ip, "name"), ""));
    } else {
      InvalidEach(errs, Child(ip, "name"), field::Str(ev.name),
                  names::IsRelaxedEnvVarName(ev.name));
    }
    if (!ev.value_from) continue;
    std::string vp = Child(ip, "valueFrom");
    const EnvVarSource& src = *ev.value_from;
    int n = 0;
    if (src.field_ref) {
      n++;
      std::string fp = Child(vp, "fieldRef");
      const auto& f = *src.field_ref;
      if (f.api_version.empty()) {
        errs.push_back(field::Required(Child(fp, "apiVersion"), ""));
      } else if (f.field_path.empty()) {
        errs.push_back(field::Required(Child(fp, "fieldPath"), ""));
      } else {
        size_t br = f.field_path.find('[');
        if (br != std::string::npos && EndsWith(f.field_path, "]")) {
          std::string base = f.field_path.substr(0, br);
          if (base != "metadata.annotations" && base != "metadata.labels")
            errs.push_back(field::Invalid(fp, field::Str(base), "does not support subscript"));
        } else if (std::find(kFieldPaths.begin(), kFieldPaths.end(), f.field_path) ==
                   kFieldPaths.end()) {
          errs.push_back(
              field::NotSupported(Child(fp, "fieldPath"), field::Str(f.field_path), kFieldPaths));
        }
      }
    }
    if (src.resource_field_ref) {
      n++;
      std::string rp = Child(vp, "resourceFieldRef");
      const auto& r = *src.resource_field_ref;
      if (r.resource.empty()) {
        errs.push_back(field::Required(Child(rp, "resource"), ""));
      } else if (std::find(kResources.begin(), kResources.end(), r.resource) == kResources.end() &&
                 !StartsWith(r.resource, "requests.hugepages-") &&
                 !StartsWith(r.resource, "limits.hugepages-")) {
        errs.push_back(
            field::NotSupported(Child(rp, "resource"), field::Str(r.resource), kResources));
      }
    }
    if (src.config_map_key_ref) {
      n++;
      Append(errs, ValidateKeySelector(*src.config_map_key_ref, Child(vp, "configMapKeyRef")));
    }
    if (src.secret_key_ref) {
      n++;
      Append(errs, ValidateKeySelector(*src.secret_key_ref, Child(vp, "secretKeyRef")));
    }
    if (n == 0) {
      errs.push_back(field::Invalid(vp, field::Str(""),
                                    "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                    "`configMapKeyRef` or `secretKeyRef`"));
    } else if (ev.value && !ev.value->empty()) {
      errs.push_back(
          field::Invalid(vp, field::Str(""), "may not be specified when `value` is not empty"));
    } else if (n > 1) {
      errs.push_back(field::Invalid(vp, field::Str(""),
                                    "may not have more than one field specified at a time"));
    }
  }
  return errs;
}

ErrorList ValidateEnvFrom(const std::vector<EnvFromSource>& env_from, const std::string& path) {
  ErrorList errs;
  for (size_t i = 0; i < env_from.size(); i++) {
    const EnvFromSource& e = env_from[i];
    std::string ip = Index(path, i);
    if (!e.prefix.empty())
      InvalidEach(errs, Child(ip, "prefix"), field::Str(e.prefix),
                  names::IsRelaxedEnvVarName(e.prefix));
    int n = 0;
    auto ref = [&](const LocalObjectRef& r, const std::string& rp) {
      n++;
      if (r.name.empty()) {
        errs.push_back(field::Required(Child(rp, "name"), ""));
      } else {
        InvalidEach(errs, Child(rp, "name"), field::Str(r.name),
                    names::NameIsDNSSubdomain(r.name, true));
      }
    };
    if (e.config_map_ref) ref(*e.config_map_ref, Child(ip, "configMapRef"));
    if (e.secret_ref) ref(*e.secret_ref, Child(ip, "secretRef"));
    if (n == 0) {
      errs.push_back(field::Invalid(path, field::Str(""),
                                    "must specify one of: `configMapRef` or `secretRef`"));
    } else if (n > 1) {
      errs.push_back(field::Invalid(path, field::Str(""),
                                    "may not have more than one field specified at a time"));
    }
  }
  return errs;
}

ErrorList ValidateVolumeMounts(const std::vector<VolumeMount>& mounts,
                               const std::set<std::string>& volumes, const std::string& path) {
  ErrorList errs;
  std::set<std::string> mount_points;
  for (size_t i = 0; i < mounts.size(); i++) {
    const VolumeMount& m = mounts[i];
    std::string ip = Index(path, i);
    if (m.name.empty()) errs.push_back(field::Required(Child(ip, "name"), ""));
    if (!volumes.count(m.name))
      errs.push_back(field::NotFound(Child(ip, "name"), field::Str(m.name)));
    if (m.mount_path.empty()) errs.push_back(field::Required(Child(ip, "mountPath"), ""));
    if (mount_points.count(m.mount_path))
      errs.push_back(
          field::Invalid(Child(ip, "mountPath"), field::Str(m.mount_path), "must be unique"));
    mount_points.insert(m.mount_path);
    // Upstream reports subPath problems on "<volumeMounts>.subPath" (no index).
    if (!m.sub_path.empty())
      Append(errs, ValidateLocalDescendingPath(m.sub_path, Child(path, "subPath")));
    if (!m.sub_path_expr.empty()) {
      if (!m.sub_path.empty())
        errs.push_back(field::Invalid(Child(ip, "subPathExpr"), field::Str(m.sub_path_expr),
                                      "subPathExpr and subPath are mutually exclusive"));
      Append(errs, ValidateLocalDescendingPath(m.sub_path_expr, Child(path, "subPathExpr")));
    }
    if (m.mount_propagation) {
      const std::string& mp = *m.mount_propagation;
      if (mp != "Bidirectional" && mp != "HostToContainer" && mp != "None")
        errs.push_back(field::NotSupported(Child(path, "mountPropagation"), field::Str(mp),
                                           {"Bidirectional", "HostToContainer", "None"}));
    }
  }
  return errs;
}

bool IsNativeResource(const std::string& name) {
  return name.find('/') == std::string::npos || name.find("kubernetes.io/") != std::string::npos;
}
bool IsHugePages(const std::string& name) { return StartsWith(name, "hugepages-"); }
bool OvercommitAllowed(const std::string& name) {
  return IsNativeResource(name) && !IsHugePages(name);
}
bool IsStandardResourceName(const std::string& n) {
  static const std::set<std::string> kStd = {"cpu",
                                             "memory",
                                             "ephemeral-storage",
                                             "storage",
                                             "pods",
                                             "services",
                                             "replicationcontrollers",
                                             "resourcequotas",
                                             "secrets",
                                             "configmaps",
                                             "persistentvolumeclaims",
                                             "requests.cpu",
                                             "requests.memory",
                                             "requests.storage",
                                             "requests.ephemeral-storage",
                                             "limits.cpu",
                                             "limits.memory",
                                             "limits.ephemeral-storage",
                                             "services.nodeports",
                                             "services.loadbalancers"};
  return kStd.count(n) || IsHugePages(n) || StartsWith(n, "requests.hugepages-") ||
         StartsWith(n, "count/");
}

ErrorList ValidateResourceName(const std::string& name, const std::string& path) {
  ErrorList errs;
  InvalidEach(errs, path, field::Str(name), names::IsQualifiedName(name));
  if (!errs.empty()) return errs;
  if (name.find('/') == std::string::npos && !IsStandardResourceName(name))
    errs.push_back(field::Invalid(path, field::Str(name),
                                  "must be a standard resource type or fully qualified"));
  if (name.find('/') == std::string::npos) {
    if (name != "cpu" && name != "memory" && name != "ephemeral-storage" && !IsHugePages(name))
      errs.push_back(
          field::Invalid(path, field::Str(name), "must be a standard resource for containers"));
  } else if (!IsNativeResource(name) && StartsWith(name, "requests.")) {
    errs.push_back(
        field::Invalid(path, field::Str(name), "doesn't follow extended resource name standard"));
  }
  return errs;
}

ErrorList ValidateResources(const ResourceRequirements& r, const std::string& path) {
  ErrorList errs;
  std::string lim = Child(path, "limits"), req = Child(path, "requests");
  auto quantity = [&](const std::string& name, const Quantity& q, const std::string& p) {
    Append(errs, ValidateResourceName(name, p));
    if (q.Sign() < 0) errs.push_back(field::Invalid(p, field::Str(q.String()), kNegative));
    if (!IsNativeResource(name) && q.MilliValue() % 1000 != 0)
      errs.push_back(field::Invalid(p, field::Raw(q.String()), "must be an integer"));
  };
  for (const auto& [name, q] : r.limits) quantity(name, q, Key(lim, name));
  for (const auto& [name, q] : r.requests) {
    quantity(name, q, Key(req, name));
    const Quantity* limit = nullptr;
    for (const auto& [ln, lq] : r.limits)
      if (ln == name) limit = &lq;
    if (limit) {
      if (q.Cmp(*limit) != 0 && !OvercommitAllowed(name)) {
        errs.push_back(
            field::Invalid(req, field::Str(q.String()),
                           fmt::format("must be equal to {} limit of {}", name, limit->String())));
      } else if (q.Cmp(*limit) > 0) {
        errs.push_back(field::Invalid(
            req, field::Str(q.String()),
            fmt::format("must be less than or equal to {} limit of {}", name, limit->String())));
      }
    } else if (!OvercommitAllowed(name)) {
      errs.push_back(field::Required(lim, "Limit must be set for non overcommitable resources"));
    }
  }
  return errs;
}

ErrorList ValidateSecurityContext(const std::optional<SecurityContext>& sc, const std::string& path,
                                  const ValidationOptions& opts, bool host_users) {
  ErrorList errs;
  if (!sc) return errs;
  if (sc->privileged && *sc->privileged && !opts.allow_privileged)
    errs.push_back(field::Forbidden(Child(path, "privileged"), "disallowed by cluster policy"));
  if (sc->run_as_user)
    InvalidEach(errs, Child(path, "runAsUser"), field::Int(*sc->run_as_user),
                names::IsValidUserID(*sc->run_as_user));
  if (sc->run_as_group)
    InvalidEach(errs, Child(path, "runAsGroup"), field::Int(*sc->run_as_group),
                names::IsValidGroupID(*sc->run_as_group));
  if (sc->proc_mount) {
    if (*sc->proc_mount != "Default" && *sc->proc_mount != "Unmasked")
      errs.push_back(field::NotSupported(Child(path, "procMount"), field::Str(*sc->proc_mount),
                                         {"Default", "Unmasked"}));
    if (host_users && *sc->proc_mount == "Unmasked")
      errs.push_back(field::Forbidden(Child(path, "procMount"),
                                      "`hostUsers` must be false to use `Unmasked`"));
  }
  Append(errs, ValidateProfile(sc->seccomp_profile ? &*sc->seccomp_profile : nullptr,
                               Child(path, "seccompProfile"), "seccompProfile"));
  if (sc->allow_privilege_escalation && !*sc->allow_privilege_escalation) {
    if (sc->privileged && *sc->privileged)
      errs.push_back(field::Invalid(
          path, field::Raw("core.SecurityContext{...}"),
          "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
    if (sc->capabilities)
      for (const auto& cap : sc->capabilities->add)
        if (cap == "CAP_SYS_ADMIN")
          errs.push_back(field::Invalid(path, field::Raw("core.SecurityContext{...}"),
                                        "cannot set `allowPrivilegeEscalation` to false and "
                                        "`capabilities.Add` CAP_SYS_ADMIN"));
  }
  Append(errs,
         ValidateWindowsSecurityContextOptions(
             sc->windows_options ? &*sc->windows_options : nullptr, Child(path, "windowsOptions")));
  Append(errs, ValidateProfile(sc->app_armor_profile ? &*sc->app_armor_profile : nullptr,
                               Child(path, "appArmorProfile"), "appArmorProfile"));
  return errs;
}

ErrorList ValidatePortNumOrName(const IntOrString& port, const std::string& path) {
  ErrorList errs;
  if (port.is_string) {
    InvalidEach(errs, path, field::Str(port.str_value), names::IsValidPortName(port.str_value));
  } else {
    InvalidEach(errs, path, field::Int(port.int_value), names::IsValidPortNum(port.int_value));
  }
  return errs;
}

ErrorList ValidateHandler(const ProbeHandler& h, const std::string& path) {
  ErrorList errs;
  int n = 0;
  auto forbid = [&](const char* name) {
    errs.push_back(field::Forbidden(Child(path, name), "may not specify more than 1 handler type"));
  };
  if (h.exec) {
    n++;
    if (h.exec->command.empty()) errs.push_back(field::Required(Child(path, "exec.command"), ""));
  }
  if (h.http_get) {
    if (n > 0) {
      forbid("httpGet");
    } else {
      n++;
      std::string hp = Child(path, "httpGet");
      if (h.http_get->path.empty()) errs.push_back(field::Required(Child(hp, "path"), ""));
      Append(errs, ValidatePortNumOrName(h.http_get->port, Child(hp, "port")));
      if (h.http_get->scheme != "HTTP" && h.http_get->scheme != "HTTPS")
        errs.push_back(field::NotSupported(Child(hp, "scheme"), field::Str(h.http_get->scheme),
                                           {"HTTP", "HTTPS"}));
      for (const auto& hh : h.http_get->http_headers)
        InvalidEach(errs, Child(hp, "httpHeaders"), field::Str(hh.name),
                    names::IsHTTPHeaderName(hh.name));
    }
  }
  if (h.tcp_socket) {
    if (n > 0) {
      forbid("tcpSocket");
    } else {
      n++;
      Append(errs, ValidatePortNumOrName(h.tcp_socket->port, Child(path, "tcpSocket.port")));
    }
  }
  if (n == 0) errs.push_back(field::Required(path, "must specify a handler type"));
  return errs;
}

}  // namespace

namespace internal {

template <typename P>
ErrorList ValidateProfileOf(const P* p, const std::string& path, const char* what) {
  ErrorList errs;
  if (!p) return errs;
  if (p->type.empty()) {
    errs.push_back(
        field::Required(Child(path, "type"), fmt::format("type is required when {} is set", what)));
  } else if (p->type != "Localhost" && p->type != "RuntimeDefault" && p->type != "Unconfined") {
    errs.push_back(field::NotSupported(Child(path, "type"), field::Str(p->type),
                                       {"Localhost", "RuntimeDefault", "Unconfined"}));
  }
  bool seccomp = std::string_view(what) == "seccompProfile";
  if (p->type == "Localhost") {
    if (!p->localhost_profile) {
      errs.push_back(field::Required(Child(path, "localhostProfile"),
                                     seccomp ? "must be set when seccomp type is Localhost"
                                             : "must be set when AppArmor type is Localhost"));
    } else if (seccomp) {
      Append(errs,
             ValidateLocalDescendingPath(*p->localhost_profile, Child(path, "localhostProfile")));
    }
  } else if (p->localhost_profile) {
    errs.push_back(field::Invalid(Child(path, "localhostProfile"),
                                  field::Str(*p->localhost_profile),
                                  seccomp ? "can only be set when seccomp type is Localhost"
                                          : "can only be set when AppArmor type is Localhost"));
  }
  return errs;
}

ErrorList ValidateProfile(const SeccompProfile* p, const std::string& path, const char* what) {
  return ValidateProfileOf(p, path, what);
}

ErrorList ValidateProfile(const AppArmorProfile* p, const std::string& path, const char* what) {
  return ValidateProfileOf(p, path, what);
}

ErrorList ValidateProbe(const std::optional<Probe>& p, const std::string& path, const char* kind) {
  ErrorList errs;
  if (!p) return errs;
  Append(errs, ValidateHandler(p->handler, path));
  NonNegative(errs, p->initial_delay_seconds.value_or(0), Child(path, "initialDelaySeconds"));
  NonNegative(errs, p->timeout_seconds.value_or(0), Child(path, "timeoutSeconds"));
  NonNegative(errs, p->period_seconds.value_or(0), Child(path, "periodSeconds"));
  NonNegative(errs, p->success_threshold.value_or(0), Child(path, "successThreshold"));
  NonNegative(errs, p->failure_threshold.value_or(0), Child(path, "failureThreshold"));
  if (p->termination_grace_period_seconds && *p->termination_grace_period_seconds <= 0)
    errs.push_back(field::Invalid(Child(path, "terminationGracePeriodSeconds"),
                                  field::Int(*p->termination_grace_period_seconds),
                                  "must be greater than 0"));
  std::string_view k = kind;
  if ((k == "liveness" || k == "startup") && p->success_threshold.value_or(1) != 1)
    errs.push_back(field::Invalid(Child(path, "successThreshold"),
                                  field::Int(*p->success_threshold), "must be 1"));
  if (k == "readiness" && p->termination_grace_period_seconds)
    errs.push_back(field::Invalid(Child(path, "terminationGracePeriodSeconds"),
                                  field::Int(*p->termination_grace_period_seconds),
                                  "must not be set for readinessProbes"));
  return errs;
}

ErrorList ValidateContainerCommon(const Container& c, const std::set<std::string>& volumes,
                                  const std::string& path, const ValidationOptions& opts,
                                  bool host_users) {
  ErrorList errs;
  std::string np = Child(path, "name");
  if (c.name.empty()) {
    errs.push_back(field::Required(np, ""));
  } else {
    InvalidEach(errs, np, field::Str(c.name), names::IsDNS1123Label(c.name));
  }
  if (c.image.empty()) errs.push_back(field::Required(Child(path, "image"), ""));
  const std::string& tmp = c.termination_message_policy;
  if (tmp.empty()) {
    errs.push_back(field::Required(Child(path, "terminationMessagePolicy"), ""));
  } else if (tmp != "File" && tmp != "FallbackToLogsOnError") {
    errs.push_back(field::NotSupported(Child(path, "terminationMessagePolicy"), field::Str(tmp),
                                       {"File", "FallbackToLogsOnError"}));
  }
  Append(errs, ValidateContainerPorts(c.ports, Child(path, "ports")));
  Append(errs, ValidateEnv(c.env, Child(path, "env")));
  Append(errs, ValidateEnvFrom(c.env_from, Child(path, "envFrom")));
  Append(errs, ValidateVolumeMounts(c.volume_mounts, volumes, Child(path, "volumeMounts")));
  const std::string& pp = c.image_pull_policy;
  if (pp.empty()) {
    errs.push_back(field::Required(Child(path, "imagePullPolicy"), ""));
  } else if (pp != "Always" && pp != "IfNotPresent" && pp != "Never") {
    errs.push_back(field::NotSupported(Child(path, "imagePullPolicy"), field::Str(pp),
                                       {"Always", "IfNotPresent", "Never"}));
  }
  Append(errs, ValidateResources(c.resources, Child(path, "resources")));
  Append(errs, ValidateSecurityContext(c.security_context, Child(path, "securityContext"), opts,
                                       host_users));
  return errs;
}

ErrorList CheckHostPortConflicts(const std::vector<const Container*>& containers,
                                 const std::string& path) {
  ErrorList errs;
  std::set<std::string> seen;
  for (size_t ci = 0; ci < containers.size(); ci++) {
    const auto& ports = containers[ci]->ports;
    for (size_t pi = 0; pi < ports.size(); pi++) {
      int32_t hp = ports[pi].host_port.value_or(0);
      if (hp == 0) continue;
      std::string key = fmt::format("{}/{}/{}", ports[pi].protocol, ports[pi].host_ip, hp);
      if (!seen.insert(key).second)
        errs.push_back(field::Duplicate(
            Child(Index(Child(Index(path, ci), "ports"), pi), "hostPort"), field::Str(key)));
    }
  }
  return errs;
}

ErrorList ValidateLifecycle(const Lifecycle& l, const std::string& path) {
  ErrorList errs;
  if (l.post_start) Append(errs, ValidateHandler(*l.post_start, Child(path, "postStart")));
  if (l.pre_stop) Append(errs, ValidateHandler(*l.pre_stop, Child(path, "preStop")));
  return errs;
}

}  // namespace internal
}  // namespace hp::k8s
