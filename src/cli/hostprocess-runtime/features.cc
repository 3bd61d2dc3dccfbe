// hostprocess-runtime `features`: what this runtime supports, in runc's features JSON.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/hostprocess-runtime/cli.h"

namespace hp::runtime_cli {
namespace {

std::string Features() {
  nlohmann::ordered_json j;
  j["ociVersionMin"] = "1.0.0";
  j["ociVersionMax"] = "1.0.2-dev";
  j["hooks"] = {"prestart",       "createRuntime", "createContainer",
                "startContainer", "poststart",     "poststop"};
  j["mountOptions"] = {"bind",  "rbind",  "ro",   "rw",  "nosuid",
                       "nodev", "noexec", "suid", "dev", "exec"};
  nlohmann::ordered_json lin;
  lin["namespaces"] = nlohmann::json::array();  // host namespaces only (new ones are ignored)
  lin["capabilities"] = nlohmann::json::array();
  lin["cgroup"] = {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}};
  // linux.seccomp is applied as runc does (src/core/oci/seccomp.h); no seccomp agent (notify).
  lin["seccomp"] = {
      {"enabled", true},
      {"actions",
       {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
        "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"}},
      {"operators",
       {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
        "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"}},
      {"archs",
       {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64",
        "SCMP_ARCH_S390X", "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"}},
      {"knownFlags",
       {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"}},
      {"supportedFlags",
       {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"}}};
  lin["apparmor"] = {{"enabled", false}};
  lin["selinux"] = {{"enabled", false}};
  j["linux"] = lin;
  j["annotations"] = {{"io.github.hostprocess.runtime", "hostprocess-runtime"},
                      {"io.github.hostprocess.hostprocess", "true"}};
  return j.dump(4);
}

CommandRegistration features_command(120, "features",
                                     [](CLI::App& app, Globals&, CommandList& add) {
                                       auto* c = app.add_subcommand("features",
                                                                    "show the enabled features");
                                       add(c, [] {
                                         std::cout << Features() << std::endl;
                                         return 0;
                                       });
                                     });

}  // namespace
}  // namespace hp::runtime_cli
