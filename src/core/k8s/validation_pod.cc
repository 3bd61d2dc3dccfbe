// ValidatePodSpec and what it calls for containers, volumes and security contexts, in the
// API server's order (pkg/apis/core/validation/validation.go).
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

const char* kNegative = "must be greater than or equal to 0";
const char* kFileMode = "must be a number between 0 and 0777 (octal), both inclusive";

void NonNegative(ErrorList& errs, int64_t v, const std::string& path) {
  if (v < 0) errs.push_back(field::Invalid(path, field::Int(v), kNegative));
}

// ------------------------------------------------------------------ volumes

ErrorList ValidateKeyToPath(const KeyToPath& kp, const std::string& path) {
  ErrorList errs;
  if (kp.key.empty()) errs.push_back(field::Required(Child(path, "key"), ""));
  if (kp.path.empty()) errs.push_back(field::Required(Child(path, "path"), ""));
  Append(errs, ValidateLocalNonReservedPath(kp.path, Child(path, "path")));
  if (kp.mode && (*kp.mode > 0777 || *kp.mode < 0))
    errs.push_back(field::Invalid(Child(path, "mode"), field::Int(*kp.mode), kFileMode));
  return errs;
}

void Mode(ErrorList& errs, const std::optional<int32_t>& mode, const std::string& path) {
  if (mode && (*mode > 0777 || *mode < 0))
    errs.push_back(field::Invalid(path, field::Int(*mode), kFileMode));
}

ErrorList ValidateDownwardAPIFile(const DownwardAPIVolumeFile& f, const std::string& path) {
  ErrorList errs;
  if (f.path.empty()) errs.push_back(field::Required(Child(path, "path"), ""));
  Append(errs, ValidateLocalNonReservedPath(f.path, Child(path, "path")));
  if (f.field_ref) {
    if (f.resource_field_ref)
      errs.push_back(
          field::Invalid(path, field::Str("resource"),
                         "fieldRef and resourceFieldRef can not be specified simultaneously"));
  } else if (!f.resource_field_ref) {
    errs.push_back(field::Required(path, "one of fieldRef and resourceFieldRef is required"));
  }
  Mode(errs, f.mode, Child(path, "mode"));
  return errs;
}

ErrorList ValidateVolumeSource(const Volume& v, const std::string& path) {
  ErrorList errs;
  int n = 0;
  auto more = [&](const char* name) {
    errs.push_back(field::Forbidden(Child(path, name), "may not specify more than 1 volume type"));
  };
  if (v.empty_dir) {
    n++;
    if (v.empty_dir->size_limit && v.empty_dir->size_limit->Sign() < 0)
      errs.push_back(field::Forbidden(Child(path, "emptyDir.sizeLimit"),
                                      "SizeLimit field must be a valid resource quantity"));
  }
  if (v.host_path) {
    if (n > 0) {
      more("hostPath");
    } else {
      n++;
      std::string hp = Child(path, "hostPath");
      if (v.host_path->path.empty()) {
        errs.push_back(field::Required(Child(hp, "path"), ""));
      } else {
        Append(errs, ValidatePathNoBacksteps(v.host_path->path, Child(hp, "path")));
        static const std::vector<std::string> kTypes = {
            "",     "BlockDevice",  "CharDevice", "Directory", "DirectoryOrCreate",
            "File", "FileOrCreate", "Socket"};
        if (v.host_path->type &&
            std::find(kTypes.begin(), kTypes.end(), *v.host_path->type) == kTypes.end())
          errs.push_back(
              field::NotSupported(Child(hp, "type"), field::Str(*v.host_path->type), kTypes));
      }
    }
  }
  if (v.secret) {
    if (n > 0) {
      more("secret");
    } else {
      n++;
      std::string sp = Child(path, "secret");
      if (v.secret->secret_name.empty())
        errs.push_back(field::Required(Child(sp, "secretName"), ""));
      Mode(errs, v.secret->default_mode, Child(sp, "defaultMode"));
      for (size_t i = 0; i < v.secret->items.size(); i++)
        Append(errs, ValidateKeyToPath(v.secret->items[i], Index(Child(sp, "items"), i)));
    }
  }
  if (v.downward_api) {
    if (n > 0) {
      more("downwardAPI");
    } else {
      n++;
      std::string dp = Child(path, "downwardAPI");
      Mode(errs, v.downward_api->default_mode, Child(dp, "defaultMode"));
      for (const auto& f : v.downward_api->items) Append(errs, ValidateDownwardAPIFile(f, dp));
    }
  }
  if (v.config_map) {
    if (n > 0) {
      more("configMap");
    } else {
      n++;
      std::string cp = Child(path, "configMap");
      if (v.config_map->name.empty()) errs.push_back(field::Required(Child(cp, "name"), ""));
      Mode(errs, v.config_map->default_mode, Child(cp, "defaultMode"));
      for (size_t i = 0; i < v.config_map->items.size(); i++)
        Append(errs, ValidateKeyToPath(v.config_map->items[i], Index(Child(cp, "items"), i)));
    }
  }
  if (v.projected) {
    if (n > 0) {
      more("projected");
    } else {
      n++;
      std::string pp = Child(path, "projected");
      Mode(errs, v.projected->default_mode, Child(pp, "defaultMode"));
      std::set<std::string> paths;
      for (size_t i = 0; i < v.projected->sources.size(); i++) {
        const VolumeProjection& src = v.projected->sources[i];
        std::string sp = Index(Child(pp, "sources"), i);
        int sources = 0;
        auto key_paths = [&](const std::string& name, const std::vector<KeyToPath>& items,
                             const std::string& proj) {
          if (name.empty()) errs.push_back(field::Required(Child(proj, "name"), ""));
          for (size_t j = 0; j < items.size(); j++) {
            Append(errs, ValidateKeyToPath(items[j], Index(Child(proj, "items"), j)));
            if (!items[j].path.empty() && !paths.insert(items[j].path).second)
              errs.push_back(field::Invalid(pp, field::Str(name), "conflicting duplicate paths"));
          }
        };
        if (src.secret) {
          sources++;
          key_paths(src.secret->name, src.secret->items, Child(sp, "secret"));
        }
        if (src.config_map) {
          sources++;
          key_paths(src.config_map->name, src.config_map->items, Child(sp, "configMap"));
        }
        if (src.downward_api) {
          sources++;
          for (const auto& f : src.downward_api->items) {
            Append(errs, ValidateDownwardAPIFile(f, Child(sp, "downwardAPI")));
            if (!f.path.empty() && !paths.insert(f.path).second)
              errs.push_back(field::Invalid(pp, field::Str(f.path), "conflicting duplicate paths"));
          }
        }
        if (src.service_account_token) {
          sources++;
          const auto& t = *src.service_account_token;
          std::string tp = Child(sp, "serviceAccountToken");
          int64_t exp = t.expiration_seconds.value_or(3600);
          if (exp < 600)
            errs.push_back(field::Invalid(Child(tp, "expirationSeconds"), field::Int(exp),
                                          "may not specify a duration less than 10 minutes"));
          if (exp > (int64_t{1} << 32))
            errs.push_back(field::Invalid(Child(tp, "expirationSeconds"), field::Int(exp),
                                          "may not specify a duration larger than 2^32 seconds"));
          if (t.path.empty()) {
            errs.push_back(field::Required(Child(pp, "path"), ""));
          } else {
            Append(errs, ValidateLocalNonReservedPath(t.path, Child(pp, "path")));
          }
        }
        if (sources > 1)
          errs.push_back(
              field::Forbidden(sp, "may not specify more than 1 volume type per source"));
      }
    }
  }
  if (!v.other_types.empty()) {
    if (n > 0) {
      more(v.other_types[0].c_str());
    } else {
      n++;
    }
  }
  if (n == 0) errs.push_back(field::Required(path, "must specify a volume type"));
  return errs;
}

// ValidateVolumes: returns the names of the valid volumes.
ErrorList ValidateVolumes(const std::vector<Volume>& volumes, const std::string& path,
                          std::set<std::string>& valid) {
  ErrorList errs;
  std::set<std::string> all;
  for (size_t i = 0; i < volumes.size(); i++) {
    const Volume& v = volumes[i];
    std::string ip = Index(path, i);
    std::string np = Child(ip, "name");
    ErrorList el = ValidateVolumeSource(v, ip);
    if (v.name.empty()) {
      el.push_back(field::Required(np, ""));
    } else {
      InvalidEach(el, np, field::Str(v.name), names::IsDNS1123Label(v.name));
    }
    if (all.count(v.name)) el.push_back(field::Duplicate(np, field::Str(v.name)));
    if (el.empty()) {
      all.insert(v.name);
      valid.insert(v.name);
    } else {
      Append(errs, std::move(el));
    }
  }
  return errs;
}

// ------------------------------------------------------------------ containers

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

template <typename P>
ErrorList ValidateProfile(const P* p, const std::string& path, const char* what) {
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
