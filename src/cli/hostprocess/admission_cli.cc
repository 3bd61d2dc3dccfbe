#include "cli/hostprocess/admission_cli.h"

#include <fmt/format.h>

#include <cstdio>

namespace hp::cli {

void AddAdmissionFlags(CLI::App* cmd, AdmissionFlags& flags) {
  cmd->add_option("--pod-security", flags.pod_security,
                  "Pod Security level when no Namespace object sets one: privileged, baseline "
                  "or restricted (optionally LEVEL:v1.N)")
      ->capture_default_str();
  cmd->add_flag("--allow-privileged", flags.allow_privileged,
                "The API server's --allow-privileged (--allow-privileged=false rejects "
                "privileged and HostProcess containers)")
      ->capture_default_str();
}

bool MakeAdmissionOptions(const AdmissionFlags& flags, k8s::AdmissionOptions* out) {
  out->validation.allow_privileged = flags.allow_privileged;
  std::string level = flags.pod_security, version = "latest";
  if (auto colon = level.find(':'); colon != std::string::npos) {
    version = level.substr(colon + 1);
    level = level.substr(0, colon);
  }
  auto lv = k8s::podsecurity::ParseLevel(level, version);
  if (!lv) {
    std::string msg = fmt::format("error: --pod-security: {}\n", lv.error().ToString());
    fwrite(msg.data(), 1, msg.size(), stderr);
    return false;
  }
  out->default_level = *lv;
  return true;
}

bool AdmitOrReport(const std::vector<k8s::Object>& objects, const k8s::AdmissionOptions& opts) {
  std::string rejected;
  for (const k8s::Verdict& v : k8s::Admit(objects, opts)) {
    if (!v.allowed()) rejected += k8s::KubectlText(v) + "\n";
  }
  fwrite(rejected.data(), 1, rejected.size(), stderr);
  return rejected.empty();
}

bool WarnAndAdmit(const k8s::Decoded& decoded, const k8s::AdmissionOptions& opts) {
  for (const auto& w : decoded.warnings) {
    std::string line = "Warning: " + w.ToString() + "\n";
    fwrite(line.data(), 1, line.size(), stderr);
  }
  return AdmitOrReport(decoded.objects, opts);
}

}  // namespace hp::cli
