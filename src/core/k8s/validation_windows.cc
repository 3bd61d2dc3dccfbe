// validateWindowsSecurityContextOptions, validateWindowsHostProcessPod, validateOS and the
// linux/windows consistency rules of ValidatePodSpec.
#include <fmt/format.h>

#include <algorithm>

#include "core/k8s/validation.h"
#include "core/k8s/validation_internal.h"

namespace hp::k8s {

using namespace internal;

namespace {

constexpr size_t kMaxGMSACredentialSpecLength = 64 * 1024;
constexpr size_t kMaxRunAsUserNameDomainLength = 256;
constexpr size_t kMaxRunAsUserNameUserLength = 104;

bool HasControlChar(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) n++;
  return n;
}

// ^[^\\/:\*\?"<>|\.][^\\/:\*\?"<>|]{0,14}$
bool ValidNetBios(std::string_view d) {
  if (d.empty()) return false;
  constexpr std::string_view kBad = "\\/:*?\"<>|";
  if (d[0] == '.' || kBad.find(d[0]) != std::string_view::npos) return false;
  for (char c : d)
    if (kBad.find(c) != std::string_view::npos) return false;
  return RuneCount(d) <= 15;
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// ^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.<same>)*$
bool ValidDnsDomain(std::string_view d) {
  if (d.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t dot = d.find('.', start);
    std::string_view label = d.substr(start, dot == d.npos ? d.npos : dot - start);
    if (label.empty() || label.size() > 63 || !IsAlnum(label.front()) || !IsAlnum(label.back()))
      return false;
    for (char c : label)
      if (!IsAlnum(c) && c != '-') return false;
    if (dot == d.npos) return true;
    start = dot + 1;
  }
}

bool OnlyDotsOrSpaces(std::string_view u) {
  if (u.empty()) return false;
  for (char c : u)
    if (c != '.' && c != ' ') return false;
  return true;
}

bool HasInvalidUserChar(std::string_view u) {
  constexpr std::string_view kBad = "\"/\\:;|=,+*?<>@[]";
  return u.find_first_of(kBad) != std::string_view::npos;
}

const std::optional<bool>* ContainerHostProcess(const Container& c) {
  if (c.security_context && c.security_context->windows_options)
    return &c.security_context->windows_options->host_process;
  return nullptr;
}

// VisitContainersWithPath: init containers, containers, ephemeral containers.
template <typename F>
void VisitContainers(const PodSpec& spec, const std::string& path, F&& f) {
  for (size_t i = 0; i < spec.init_containers.size(); i++)
    f(spec.init_containers[i], Index(Child(path, "initContainers"), i));
  for (size_t i = 0; i < spec.containers.size(); i++)
    f(spec.containers[i], Index(Child(path, "containers"), i));
  for (size_t i = 0; i < spec.ephemeral_containers.size(); i++)
    f(spec.ephemeral_containers[i], Index(Child(path, "ephemeralContainers"), i));
}

}  // namespace

field::ErrorList ValidateWindowsSecurityContextOptions(const WindowsSecurityContextOptions* w,
                                                       const std::string& path) {
  ErrorList errs;
  if (!w) return errs;
  if (w->gmsa_credential_spec_name) {
    InvalidEach(errs, Child(path, "gmsaCredentialSpecName"),
                field::Str(*w->gmsa_credential_spec_name),
                names::IsDNS1123Subdomain(*w->gmsa_credential_spec_name));
  }
  if (w->gmsa_credential_spec) {
    const std::string& spec = *w->gmsa_credential_spec;
    if (spec.empty()) {
      errs.push_back(field::Invalid(Child(path, "gmsaCredentialSpec"), field::Str(spec),
                                    "gmsaCredentialSpec cannot be an empty string"));
    } else if (spec.size() > kMaxGMSACredentialSpecLength) {
      errs.push_back(field::Invalid(Child(path, "gmsaCredentialSpec"), field::Str(spec),
                                    "gmsaCredentialSpec size must be under 64 KiB"));
    }
  }
  if (w->run_as_user_name) {
    const std::string& name = *w->run_as_user_name;
    std::string p = Child(path, "runAsUserName");
    auto invalid = [&](std::string msg) {
      errs.push_back(field::Invalid(p, field::Str(name), std::move(msg)));
    };
    size_t backslashes = std::count(name.begin(), name.end(), '\\');
    if (name.empty()) {
      invalid("runAsUserName cannot be an empty string");
    } else if (HasControlChar(name)) {
      invalid("runAsUserName cannot contain control characters");
    } else if (backslashes > 1) {
      invalid("runAsUserName cannot contain more than one backslash");
    } else {
      bool has_domain = backslashes == 1;
      std::string domain, user = name;
      if (has_domain) {
        size_t bs = name.find('\\');
        domain = name.substr(0, bs);
        user = name.substr(bs + 1);
      }
      if (domain.size() >= kMaxRunAsUserNameDomainLength)
        invalid(fmt::format("runAsUserName's Domain length must be under {} characters",
                            kMaxRunAsUserNameDomainLength));
      if (has_domain && !(ValidNetBios(domain) || ValidDnsDomain(domain)))
        invalid("runAsUserName's Domain doesn't match the NetBios nor the DNS format");
      if (user.empty()) {
        invalid("runAsUserName's User cannot be empty");
      } else if (user.size() > kMaxRunAsUserNameUserLength) {
        invalid(fmt::format("runAsUserName's User length must not be longer than {} characters",
                            kMaxRunAsUserNameUserLength));
      }
      if (OnlyDotsOrSpaces(user))
        invalid("runAsUserName's User cannot contain only periods or spaces");
      if (HasInvalidUserChar(user))
        invalid("runAsUserName's User cannot contain the following characters: \"/\\:;|=,+*?<>@[]");
    }
  }
  return errs;
}

field::ErrorList ValidateWindowsHostProcessPod(const PodSpec& spec, const std::string& path,
                                               const ValidationOptions& opts) {
  ErrorList errs;
  int containers = 0, host_process = 0;
  std::optional<bool> pod_hp;
  if (spec.security_context && spec.security_context->windows_options)
    pod_hp = spec.security_context->windows_options->host_process;
  // WindowsHostProcessContainers off (1.22-1.25): data that sets hostProcess, true or false, is
  // not persisted. The pod's value ends the checks; each container's is one more error.
  const char* kGateOff =
      "not allowed when feature gate 'WindowsHostProcessContainers' is not enabled";
  if (!opts.allow_windows_host_process_field && pod_hp) {
    errs.push_back(
        field::Forbidden(Child(path, "securityContext.windowsOptions.hostProcess"), kGateOff));
    return errs;
  }
  VisitContainers(spec, path, [&](const Container& c, const std::string& cpath) {
    containers++;
    std::optional<bool> c_hp;
    if (auto* p = ContainerHostProcess(c)) c_hp = *p;
    if (!opts.allow_windows_host_process_field && c_hp)
      errs.push_back(
          field::Forbidden(Child(cpath, "securityContext.windowsOptions.hostProcess"), kGateOff));
    if (pod_hp && c_hp && *pod_hp != *c_hp) {
      errs.push_back(field::Invalid(
          Child(cpath, "securityContext.windowsOptions.hostProcess"), field::Bool(*c_hp),
          fmt::format("pod hostProcess value must be identical if both are specified, was {}",
                      *pod_hp ? "true" : "false")));
    }
    if ((c_hp && *c_hp) || (!c_hp && pod_hp && *pod_hp)) host_process++;
  });
  if (host_process > 0) {
    if (host_process != containers)
      errs.push_back(field::Invalid(path, field::Str(""),
                                    "If pod contains any hostProcess containers then all "
                                    "containers must be HostProcess containers"));
    if (!spec.host_network)
      errs.push_back(field::Invalid(Child(path, "hostNetwork"), field::Bool(false),
                                    "hostNetwork must be true if pod contains any hostProcess "
                                    "containers"));
    if (!opts.allow_privileged)
      errs.push_back(
          field::Forbidden(path, "hostProcess containers are disallowed by cluster policy"));
  }
  return errs;
}

namespace internal {

ErrorList ValidateOS(const PodSpec& spec, const std::string& path) {
  ErrorList errs;
  if (!spec.os) return errs;
  std::string os_path = Child(path, "os");
  if (spec.os->name.empty()) {
    errs.push_back(field::Required(Child(os_path, "name"), "cannot be empty"));
    return errs;
  }
  if (spec.os->name != "linux" && spec.os->name != "windows") {
    errs.push_back(field::NotSupported(os_path, field::Str(spec.os->name), {"linux", "windows"}));
    return errs;
  }
  if (spec.os->name == "linux") {
    if (spec.security_context && spec.security_context->windows_options)
      errs.push_back(field::Forbidden(Child(path, "securityContext.windowsOptions"),
                                      "windows options cannot be set for a linux pod"));
    VisitContainers(spec, path, [&](const Container& c, const std::string& cpath) {
      if (c.security_context && c.security_context->windows_options)
        errs.push_back(field::Forbidden(Child(cpath, "securityContext.windowsOptions"),
                                        "windows options cannot be set for a linux pod"));
    });
    return errs;
  }
  const char* kMsg = "cannot be set for a windows pod";
  if (const auto& sc = spec.security_context) {
    std::string sp = Child(path, "securityContext");
    if (sc->app_armor_profile) errs.push_back(field::Forbidden(Child(sp, "appArmorProfile"), kMsg));
    if (sc->se_linux_options) errs.push_back(field::Forbidden(Child(sp, "seLinuxOptions"), kMsg));
  }
  if (spec.host_users) errs.push_back(field::Forbidden(Child(path, "hostUsers"), kMsg));
  if (spec.host_pid) errs.push_back(field::Forbidden(Child(path, "hostPID"), kMsg));
  if (spec.host_ipc) errs.push_back(field::Forbidden(Child(path, "hostIPC"), kMsg));
  if (const auto& sc = spec.security_context) {
    std::string sp = Child(path, "securityContext");
    if (sc->seccomp_profile) errs.push_back(field::Forbidden(Child(sp, "seccompProfile"), kMsg));
    if (sc->fs_group) errs.push_back(field::Forbidden(Child(sp, "fsGroup"), kMsg));
    if (sc->fs_group_change_policy)
      errs.push_back(field::Forbidden(Child(sp, "fsGroupChangePolicy"), kMsg));
    if (!sc->sysctls.empty()) errs.push_back(field::Forbidden(Child(sp, "sysctls"), kMsg));
  }
  if (spec.share_process_namespace)
    errs.push_back(field::Forbidden(Child(path, "shareProcessNamespace"), kMsg));
  if (const auto& sc = spec.security_context) {
    std::string sp = Child(path, "securityContext");
    if (sc->run_as_user) errs.push_back(field::Forbidden(Child(sp, "runAsUser"), kMsg));
    if (sc->run_as_group) errs.push_back(field::Forbidden(Child(sp, "runAsGroup"), kMsg));
    if (!sc->supplemental_groups.empty())
      errs.push_back(field::Forbidden(Child(sp, "supplementalGroups"), kMsg));
  }
  VisitContainers(spec, path, [&](const Container& c, const std::string& cpath) {
    if (!c.security_context) return;
    const SecurityContext& sc = *c.security_context;
    std::string sp = Child(cpath, "securityContext");
    if (sc.app_armor_profile) errs.push_back(field::Forbidden(Child(sp, "appArmorProfile"), kMsg));
    if (sc.se_linux_options) errs.push_back(field::Forbidden(Child(sp, "seLinuxOptions"), kMsg));
    if (sc.seccomp_profile) errs.push_back(field::Forbidden(Child(sp, "seccompProfile"), kMsg));
    if (sc.capabilities) errs.push_back(field::Forbidden(Child(sp, "capabilities"), kMsg));
    if (sc.read_only_root_filesystem)
      errs.push_back(field::Forbidden(Child(sp, "readOnlyRootFilesystem"), kMsg));
    if (sc.privileged) errs.push_back(field::Forbidden(Child(sp, "privileged"), kMsg));
    if (sc.allow_privilege_escalation)
      errs.push_back(field::Forbidden(Child(sp, "allowPrivilegeEscalation"), kMsg));
    if (sc.proc_mount) errs.push_back(field::Forbidden(Child(sp, "procMount"), kMsg));
    if (sc.run_as_user) errs.push_back(field::Forbidden(Child(sp, "runAsUser"), kMsg));
    if (sc.run_as_group) errs.push_back(field::Forbidden(Child(sp, "runAsGroup"), kMsg));
  });
  return errs;
}

}  // namespace internal
}  // namespace hp::k8s
