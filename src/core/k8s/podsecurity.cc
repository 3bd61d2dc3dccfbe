// The Pod Security Standards checks. Order: baseline checks, then (baseline level) the
// baseline checks that a restricted check supersedes, or (restricted level) the restricted
// checks — each group in upstream file order, as the PodSecurity registry evaluates them.
#include "core/k8s/podsecurity.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

#include "core/base/strings.h"

namespace hp::k8s::podsecurity {
namespace {

std::string JoinQuote(const std::vector<std::string>& items) {
  if (items.empty()) return "";
  return "\"" + Join(items, "\", \"") + "\"";
}
const char* Pluralize(const char* singular, const char* plural, size_t n) {
  return n == 1 ? singular : plural;
}
std::vector<std::string> Sorted(const std::set<std::string>& s) { return {s.begin(), s.end()}; }

template <typename F>
void VisitContainers(const PodSpec& spec, F&& f) {
  for (const auto& c : spec.init_containers) f(c);
  for (const auto& c : spec.containers) f(c);
  for (const auto& c : spec.ephemeral_containers) f(c);
}

std::string ContainersPhrase(const std::vector<std::string>& names) {
  return fmt::format("{} {}", Pluralize("container", "containers", names.size()), JoinQuote(names));
}

using Check =
    std::function<std::optional<CheckResult>(const ObjectMeta&, const PodSpec&, int minor)>;

// ---------------------------------------------------------------- baseline

std::optional<CheckResult> CheckAppArmor(const ObjectMeta& meta, const PodSpec& spec, int) {
  std::vector<std::string> setters;
  std::set<std::string> bad_values;
  auto allowed = [](const AppArmorProfile& p) {
    return p.type == "RuntimeDefault" || p.type == "Localhost";
  };
  if (spec.security_context && spec.security_context->app_armor_profile &&
      !allowed(*spec.security_context->app_armor_profile)) {
    setters.push_back("pod");
    bad_values.insert(spec.security_context->app_armor_profile->type);
  }
  std::vector<std::string> bad;
  VisitContainers(spec, [&](const Container& c) {
    if (c.security_context && c.security_context->app_armor_profile &&
        !allowed(*c.security_context->app_armor_profile)) {
      bad.push_back(c.name);
      bad_values.insert(c.security_context->app_armor_profile->type);
    }
  });
  if (!bad.empty()) setters.push_back(ContainersPhrase(bad));
  std::vector<std::string> values = Sorted(bad_values);
  std::vector<std::string> annotations;
  for (const auto& [k, v] : meta.annotations) {
    if (StartsWith(k, "container.apparmor.security.beta.kubernetes.io/") && !v.empty() &&
        v != "runtime/default" && !StartsWith(v, "localhost/"))
      annotations.push_back(k + "=" + Quote(v));
  }
  if (!annotations.empty()) {
    std::sort(annotations.begin(), annotations.end());
    values.insert(values.end(), annotations.begin(), annotations.end());
    setters.push_back(Pluralize("annotation", "annotations", annotations.size()));
  }
  if (setters.empty()) return std::nullopt;
  return CheckResult{
      Pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", values.size()),
      fmt::format("{} must not set AppArmor profile type to {}", Join(setters, " and "),
                  JoinQuote(values))};
}

std::optional<CheckResult> HostNamespaces(const ObjectMeta&, const PodSpec& spec, int) {
  std::vector<std::string> ns;
  if (spec.host_network) ns.push_back("hostNetwork=true");
  if (spec.host_pid) ns.push_back("hostPID=true");
  if (spec.host_ipc) ns.push_back("hostIPC=true");
  if (ns.empty()) return std::nullopt;
  return CheckResult{"host namespaces", Join(ns, ", ")};
}

std::optional<CheckResult> HostPorts(const ObjectMeta&, const PodSpec& spec, int) {
  std::vector<std::string> bad;
  std::set<int> ports;
  VisitContainers(spec, [&](const Container& c) {
    bool valid = true;
    for (const auto& p : c.ports) {
      if (p.host_port.value_or(0) != 0) {
        valid = false;
        ports.insert(*p.host_port);
      }
    }
    if (!valid) bad.push_back(c.name);
  });
  if (bad.empty()) return std::nullopt;
  // sets.NewString(...).List() sorts the port numbers as strings.
  std::set<std::string> port_strings;
  for (int p : ports) port_strings.insert(std::to_string(p));
  return CheckResult{
      "hostPort",
      fmt::format("{} {} {} {}", ContainersPhrase(bad), Pluralize("uses", "use", bad.size()),
                  Pluralize("hostPort", "hostPorts", port_strings.size()),
                  Join(Sorted(port_strings), ", "))};
}

std::optional<CheckResult> HostProbesAndHostLifecycle(const ObjectMeta&, const PodSpec& spec,
                                                      int minor) {
  if (minor >= 0 && minor < 34) return std::nullopt;
  std::set<std::string> bad, hosts;
  auto handler = [&](const ProbeHandler& h, const std::string& name) {
    if (h.http_get && !h.http_get->host.empty()) bad.insert(name), hosts.insert(h.http_get->host);
    if (h.tcp_socket && !h.tcp_socket->host.empty())
      bad.insert(name), hosts.insert(h.tcp_socket->host);
  };
  VisitContainers(spec, [&](const Container& c) {
    for (const auto* p : {&c.liveness_probe, &c.readiness_probe, &c.startup_probe})
      if (*p) handler((*p)->handler, c.name);
    if (c.lifecycle) {
      if (c.lifecycle->post_start) handler(*c.lifecycle->post_start, c.name);
      if (c.lifecycle->pre_stop) handler(*c.lifecycle->pre_stop, c.name);
    }
  });
  if (bad.empty()) return std::nullopt;
  return CheckResult{
      "probe or lifecycle host",
      fmt::format("{} {} {} {} {}", Pluralize("container", "containers", bad.size()),
                  JoinQuote(Sorted(bad)), Pluralize("uses", "use", bad.size()),
                  Pluralize("probe or lifecycle host", "probe or lifecycle hosts", hosts.size()),
                  JoinQuote(Sorted(hosts)))};
}

std::optional<CheckResult> Privileged(const ObjectMeta&, const PodSpec& spec, int) {
  std::vector<std::string> bad;
  VisitContainers(spec, [&](const Container& c) {
    if (c.security_context && c.security_context->privileged.value_or(false)) bad.push_back(c.name);
  });
  if (bad.empty()) return std::nullopt;
  return CheckResult{"privileged",
                     ContainersPhrase(bad) + " must not set securityContext.privileged=true"};
}

std::optional<CheckResult> ProcMount(const ObjectMeta&, const PodSpec& spec, int) {
  std::vector<std::string> bad;
  std::set<std::string> types;
  VisitContainers(spec, [&](const Container& c) {
    if (c.security_context && c.security_context->proc_mount &&
        *c.security_context->proc_mount != "Default") {
      bad.push_back(c.name);
      types.insert(*c.security_context->proc_mount);
    }
  });
  if (bad.empty()) return std::nullopt;
  return CheckResult{"procMount", fmt::format("{} must not set securityContext.procMount to {}",
                                              ContainersPhrase(bad), JoinQuote(Sorted(types)))};
}

std::optional<CheckResult> CheckSELinux(const ObjectMeta&, const PodSpec& spec, int minor) {
  std::set<std::string> allowed = {"", "container_t", "container_init_t", "container_kvm_t"};
  if (minor < 0 || minor >= 31) allowed.insert("container_engine_t");
  std::vector<std::string> setters;
  std::set<std::string> bad_types;
  bool set_user = false, set_role = false;
  auto valid = [&](const hp::k8s::SELinuxOptions& o) {
    bool ok = true;
    if (!allowed.count(o.type)) ok = false, bad_types.insert(o.type);
    if (!o.user.empty()) ok = false, set_user = true;
    if (!o.role.empty()) ok = false, set_role = true;
    return ok;
  };
  if (spec.security_context && spec.security_context->se_linux_options &&
      !valid(*spec.security_context->se_linux_options))
    setters.push_back("pod");
  std::vector<std::string> bad;
  VisitContainers(spec, [&](const Container& c) {
    if (c.security_context && c.security_context->se_linux_options &&
        !valid(*c.security_context->se_linux_options))
      bad.push_back(c.name);
  });
  if (!bad.empty()) setters.push_back(ContainersPhrase(bad));
  if (setters.empty()) return std::nullopt;
  std::vector<std::string> data;
  if (!bad_types.empty()) {
    data.push_back(fmt::format("{} {}", Pluralize("type", "types", bad_types.size()),
                               JoinQuote(Sorted(bad_types))));
    // Upstream only mentions user/role when a type is also bad.
    if (set_user) data.push_back("user may not be set");
    if (set_role) data.push_back("role may not be set");
  }
  return CheckResult{"seLinuxOptions",
                     fmt::format("{} set forbidden securityContext.seLinuxOptions: {}",
                                 Join(setters, " and "), Join(data, "; "))};
}

std::optional<CheckResult> Sysctls(const ObjectMeta&, const PodSpec& spec, int minor) {
  std::set<std::string> allowed = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
                                   "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
                                   "net.ipv4.ip_unprivileged_port_start"};
  bool latest = minor < 0;
  if (latest || minor >= 27) allowed.insert("net.ipv4.ip_local_reserved_ports");
  if (latest || minor >= 29)
    for (const char* s : {"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
                          "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"})
      allowed.insert(s);
  if (latest || minor >= 32)
    allowed.insert("net.ipv4.tcp_rmem"), allowed.insert("net.ipv4.tcp_wmem");
  std::vector<std::string> bad;
  if (spec.security_context)
    for (const auto& s : spec.security_context->sysctls)
      if (!allowed.count(s.name)) bad.push_back(s.name);
  if (bad.empty()) return std::nullopt;
  return CheckResult{"forbidden sysctls", Join(bad, ", ")};
}

std::optional<CheckResult> WindowsHostProcess(const ObjectMeta&, const PodSpec& spec, int) {
  std::vector<std::string> bad;
  VisitContainers(spec, [&](const Container& c) {
    if (c.security_context && c.security_context->windows_options &&
        c.security_context->windows_options->host_process.value_or(false))
      bad.push_back(c.name);
  });
  std::vector<std::string> setters;
  if (spec.security_context && spec.security_context->windows_options &&
      spec.security_context->windows_options->host_process.value_or(false))
    setters.push_back("pod");
  if (!bad.empty()) setters.push_back(ContainersPhrase(bad));
  if (setters.empty()) return std::nullopt;
  return CheckResult{
      "hostProcess",
      Join(setters, " and ") + " must not set securityContext.windowsOptions.hostProcess=true"};
}

// ------------------------------------------------- baseline, superseded in restricted

std::optional<CheckResult> CapabilitiesBaseline(const ObjectMeta&, const PodSpec& spec, int) {
  static const std::set<std::string> kAllowed = {
      "AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",      "MKNOD",
      "NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT"};
  std::vector<std::string> bad;
  std::set<std::string> caps;
  VisitContainers(spec, [&](const Container& c) {
    if (!c.security_context || !c.security_context->capabilities) return;
    bool valid = true;
    for (const auto& cap : c.security_context->capabilities->add)
      if (!kAllowed.count(cap)) valid = false, caps.insert(cap);
    if (!valid) bad.push_back(c.name);
  });
  if (bad.empty()) return std::nullopt;
  return CheckResult{"non-default capabilities",
                     fmt::format("{} must not include {} in securityContext.capabilities.add",
                                 ContainersPhrase(bad), JoinQuote(Sorted(caps)))};
}

std::optional<CheckResult> HostPathVolumes(const ObjectMeta&, const PodSpec& spec, int) {
  std::vector<std::string> vols;
  for (const auto& v : spec.volumes)
    if (v.host_path) vols.push_back(v.name);
  if (vols.empty()) return std::nullopt;
  return CheckResult{
      "hostPath volumes",
      fmt::format("{} {}", Pluralize("volume", "volumes", vols.size()), JoinQuote(vols))};
}

bool ValidSeccomp(const std::string& t) { return t == "Localhost" || t == "RuntimeDefault"; }

std::optional<CheckResult> SeccompBaseline(const ObjectMeta& meta, const PodSpec& spec, int minor) {
  if (minor >= 0 && minor < 19) {
    std::set<std::string> bad;
    auto valid = [](const std::string& v) {
      return v == "runtime/default" || v == "docker/default" || StartsWith(v, "localhost/");
    };
    if (const auto* v = Lookup(meta.annotations, "seccomp.security.alpha.kubernetes.io/pod"))
      if (!valid(*v)) bad.insert("seccomp.security.alpha.kubernetes.io/pod=" + Quote(*v));
    VisitContainers(spec, [&](const Container& c) {
      std::string key = "container.seccomp.security.alpha.kubernetes.io/" + c.name;
      if (const auto* v = Lookup(meta.annotations, key))
        if (!valid(*v)) bad.insert(key + "=" + Quote(*v));
    });
    if (bad.empty()) return std::nullopt;
    return CheckResult{
        "seccompProfile",
        fmt::format("forbidden {} {}", Pluralize("annotation", "annotations", bad.size()),
                    Join(Sorted(bad), ", "))};
  }
  std::vector<std::string> setters;
  std::set<std::string> values;
  if (spec.security_context && spec.security_context->seccomp_profile &&
      !ValidSeccomp(spec.security_context->seccomp_profile->type)) {
    setters.push_back("pod");
    values.insert(spec.security_context->seccomp_profile->type);
  }
  std::vector<std::string> bad;
  VisitContainers(spec, [&](const Container& c) {
    if (c.security_context && c.security_context->seccomp_profile &&
        !ValidSeccomp(c.security_context->seccomp_profile->type)) {
      bad.push_back(c.name);
      values.insert(c.security_context->seccomp_profile->type);
    }
  });
  if (!bad.empty()) setters.push_back(ContainersPhrase(bad));
  if (setters.empty()) return std::nullopt;
  return CheckResult{"seccompProfile",
                     fmt::format("{} must not set securityContext.seccompProfile.type to {}",
                                 Join(setters, " and "), JoinQuote(Sorted(values)))};
}

// ---------------------------------------------------------------- restricted

std::optional<CheckResult> AllowPrivilegeEscalation(const ObjectMeta&, const PodSpec& spec,
                                                    int minor) {
  if (minor >= 0 && minor < 8) return std::nullopt;
  std::vector<std::string> bad;
  VisitContainers(spec, [&](const Container& c) {
    if (!c.security_context || c.security_context->allow_privilege_escalation.value_or(true))
      bad.push_back(c.name);
  });
  if (bad.empty()) return std::nullopt;
  return CheckResult{
      "allowPrivilegeEscalation != false",
      ContainersPhrase(bad) + " must set securityContext.allowPrivilegeEscalation=false"};
}

std::optional<CheckResult> CapabilitiesRestricted(const ObjectMeta& meta, const PodSpec& spec,
                                                  int minor) {
  if (minor >= 0 && minor < 22) return CapabilitiesBaseline(meta, spec, minor);
  std::vector<std::string> missing_drop, adding;
  std::set<std::string> caps;
  VisitContainers(spec, [&](const Container& c) {
    if (!c.security_context || !c.security_context->capabilities) {
      missing_drop.push_back(c.name);
      return;
    }
    const auto& cp = *c.security_context->capabilities;
    if (std::find(cp.drop.begin(), cp.drop.end(), "ALL") == cp.drop.end())
      missing_drop.push_back(c.name);
    bool forbidden = false;
    for (const auto& cap : cp.add)
      if (cap != "NET_BIND_SERVICE") forbidden = true, caps.insert(cap);
    if (forbidden) adding.push_back(c.name);
  });
  std::vector<std::string> details;
  if (!missing_drop.empty())
    details.push_back(ContainersPhrase(missing_drop) +
                      " must set securityContext.capabilities.drop=[\"ALL\"]");
  if (!adding.empty())
    details.push_back(fmt::format("{} must not include {} in securityContext.capabilities.add",
                                  ContainersPhrase(adding), JoinQuote(Sorted(caps))));
  if (details.empty()) return std::nullopt;
  return CheckResult{"unrestricted capabilities", Join(details, "; ")};
}

std::optional<CheckResult> RestrictedVolumes(const ObjectMeta& meta, const PodSpec& spec,
                                             int minor) {
  std::vector<std::string> bad;
  std::set<std::string> types;
  for (const auto& v : spec.volumes) {
    if (v.config_map || v.downward_api || v.empty_dir || v.projected || v.secret) continue;
    bool allowed_other = false;
    for (const auto& t : v.other_types)
      if (t == "csi" || t == "ephemeral" || t == "persistentVolumeClaim") allowed_other = true;
    if (allowed_other) continue;
    bad.push_back(v.name);
    if (v.host_path) types.insert("hostPath");
    for (const auto& t : v.other_types) types.insert(t);
  }
  if (bad.empty()) {
    if (minor >= 0 && minor < 1) return HostPathVolumes(meta, spec, minor);
    return std::nullopt;
  }
  return CheckResult{
      "restricted volume types",
      fmt::format("{} {} {} {} {}", Pluralize("volume", "volumes", bad.size()), JoinQuote(bad),
                  Pluralize("uses", "use", bad.size()),
                  Pluralize("restricted volume type", "restricted volume types", types.size()),
                  JoinQuote(Sorted(types)))};
}

std::optional<CheckResult> RunAsNonRoot(const ObjectMeta&, const PodSpec& spec, int) {
  std::vector<std::string> setters;
  bool pod_non_root = false;
  if (spec.security_context && spec.security_context->run_as_non_root) {
    if (!*spec.security_context->run_as_non_root) {
      setters.push_back("pod");
    } else {
      pod_non_root = true;
    }
  }
  std::vector<std::string> explicit_bad, implicit_bad;
  VisitContainers(spec, [&](const Container& c) {
    if (c.security_context && c.security_context->run_as_non_root) {
      if (!*c.security_context->run_as_non_root) explicit_bad.push_back(c.name);
    } else if (!pod_non_root) {
      implicit_bad.push_back(c.name);
    }
  });
  if (!explicit_bad.empty()) setters.push_back(ContainersPhrase(explicit_bad));
  if (!setters.empty())
    return CheckResult{"runAsNonRoot != true",
                       Join(setters, " and ") + " must not set securityContext.runAsNonRoot=false"};
  if (!implicit_bad.empty())
    return CheckResult{"runAsNonRoot != true", "pod or " + ContainersPhrase(implicit_bad) +
                                                   " must set securityContext.runAsNonRoot=true"};
  return std::nullopt;
}

std::optional<CheckResult> RunAsUser(const ObjectMeta&, const PodSpec& spec, int minor) {
  if (minor >= 0 && minor < 23) return std::nullopt;
  std::vector<std::string> setters;
  if (spec.security_context && spec.security_context->run_as_user == 0) setters.push_back("pod");
  std::vector<std::string> bad;
  VisitContainers(spec, [&](const Container& c) {
    if (c.security_context && c.security_context->run_as_user == 0) bad.push_back(c.name);
  });
  if (!bad.empty()) setters.push_back(ContainersPhrase(bad));
  if (setters.empty()) return std::nullopt;
  return CheckResult{"runAsUser=0", Join(setters, " and ") + " must not set runAsUser=0"};
}

std::optional<CheckResult> SeccompRestricted(const ObjectMeta& meta, const PodSpec& spec,
                                             int minor) {
  if (minor >= 0 && minor < 19) return SeccompBaseline(meta, spec, minor);
  std::vector<std::string> setters;
  std::set<std::string> values;
  bool pod_set = false;
  if (spec.security_context && spec.security_context->seccomp_profile) {
    if (!ValidSeccomp(spec.security_context->seccomp_profile->type)) {
      setters.push_back("pod");
      values.insert(spec.security_context->seccomp_profile->type);
    } else {
      pod_set = true;
    }
  }
  std::vector<std::string> explicit_bad, implicit_bad;
  VisitContainers(spec, [&](const Container& c) {
    if (c.security_context && c.security_context->seccomp_profile) {
      if (!ValidSeccomp(c.security_context->seccomp_profile->type)) {
        explicit_bad.push_back(c.name);
        values.insert(c.security_context->seccomp_profile->type);
      }
    } else if (!pod_set) {
      implicit_bad.push_back(c.name);
    }
  });
  if (!explicit_bad.empty()) setters.push_back(ContainersPhrase(explicit_bad));
  if (!setters.empty())
    return CheckResult{"seccompProfile",
                       fmt::format("{} must not set securityContext.seccompProfile.type to {}",
                                   Join(setters, " and "), JoinQuote(Sorted(values)))};
  if (!implicit_bad.empty())
    return CheckResult{"seccompProfile",
                       "pod or " + ContainersPhrase(implicit_bad) +
                           " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or "
                           "\"Localhost\""};
  return std::nullopt;
}

}  // namespace

std::string LevelVersion::ToString() const {
  const char* l = level == Level::kPrivileged ? "privileged"
                  : level == Level::kBaseline ? "baseline"
                                              : "restricted";
  return minor < 0 ? fmt::format("{}:latest", l) : fmt::format("{}:v1.{}", l, minor);
}

Result<LevelVersion> ParseLevel(const std::string& level, const std::string& version) {
  LevelVersion lv;
  if (level == "privileged") {
    lv.level = Level::kPrivileged;
  } else if (level == "baseline") {
    lv.level = Level::kBaseline;
  } else if (level == "restricted") {
    lv.level = Level::kRestricted;
  } else {
    return Err(ErrorCode::kInvalidArgument, "must be one of privileged, baseline, restricted: {}",
               Quote(level));
  }
  if (version.empty() || version == "latest") return lv;
  int minor = -1;
  if (StartsWith(version, "v1.") && version.size() > 3) {
    minor = 0;
    for (char c : version.substr(3)) {
      if (c < '0' || c > '9') {
        minor = -2;
        break;
      }
      minor = minor * 10 + (c - '0');
      if (minor > 1000) break;
    }
  }
  if (minor < 0)
    return Err(ErrorCode::kInvalidArgument, "must be 'latest' or of the form v1.x: {}",
               Quote(version));
  lv.minor = minor;
  return lv;
}

Result<std::optional<LevelVersion>> NamespaceEnforceLevel(const Namespace& ns) {
  const std::string* level = Lookup(ns.metadata.labels, "pod-security.kubernetes.io/enforce");
  if (!level) return std::optional<LevelVersion>();
  const std::string* version =
      Lookup(ns.metadata.labels, "pod-security.kubernetes.io/enforce-version");
  ASSIGN_OR_RETURN_CTX(LevelVersion lv, ParseLevel(*level, version ? *version : "latest"),
                       "namespace {} label pod-security.kubernetes.io/enforce",
                       Quote(ns.metadata.name));
  return std::optional<LevelVersion>(lv);
}

std::string Result_::ForbiddenDetail() const {
  std::string out;
  for (size_t i = 0; i < forbidden.size(); i++) {
    if (i > 0) out += ", ";
    out += forbidden[i].reason;
    if (!forbidden[i].detail.empty()) out += " (" + forbidden[i].detail + ")";
  }
  return out;
}

Evaluation Evaluate(const LevelVersion& lv, const ObjectMeta& meta, const PodSpec& spec) {
  Evaluation e;
  if (lv.level == Level::kPrivileged) return e;
  static const std::vector<Check> kBaseline = {
      CheckAppArmor, HostNamespaces, HostPorts, HostProbesAndHostLifecycle, Privileged,
      ProcMount,     CheckSELinux,   Sysctls,   WindowsHostProcess};
  static const std::vector<Check> kOverlappingBaseline = {CapabilitiesBaseline, HostPathVolumes,
                                                          SeccompBaseline};
  static const std::vector<Check> kRestricted = {
      AllowPrivilegeEscalation, CapabilitiesRestricted, RestrictedVolumes, RunAsNonRoot, RunAsUser,
      SeccompRestricted};
  auto run = [&](const std::vector<Check>& checks) {
    for (const auto& check : checks)
      if (auto r = check(meta, spec, lv.minor)) e.forbidden.push_back(std::move(*r));
  };
  run(kBaseline);
  run(lv.level == Level::kBaseline ? kOverlappingBaseline : kRestricted);
  e.allowed = e.forbidden.empty();
  return e;
}

std::string ViolationMessage(const LevelVersion& lv, const Evaluation& e, bool would) {
  return fmt::format("{} PodSecurity {}: {}", would ? "would violate" : "violates",
                     Quote(lv.ToString()), e.ForbiddenDetail());
}

}  // namespace hp::k8s::podsecurity
