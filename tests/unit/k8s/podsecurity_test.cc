// Pod Security checks with the upstream test cases (pod-security-admission/policy/*_test.go)
// and the admission message format.
#include "core/k8s/podsecurity.h"

#include <gtest/gtest.h>

namespace hp::k8s::podsecurity {
namespace {

Container Named(const std::string& name) {
  Container c;
  c.name = name;
  return c;
}

SecurityContext& SC(Container& c) {
  if (!c.security_context) c.security_context.emplace();
  return *c.security_context;
}

std::string Detail(Level level, const PodSpec& spec, const ObjectMeta& meta = {}) {
  LevelVersion lv;
  lv.level = level;
  return Evaluate(lv, meta, spec).ForbiddenDetail();
}

TEST(PodSecurity, WindowsHostProcess) {
  PodSpec spec;
  for (const char* n : {"a", "b", "c", "d", "e", "f", "g"}) spec.containers.push_back(Named(n));
  SC(spec.containers[0]).windows_options.emplace().host_process = true;
  SC(spec.containers[1]).windows_options.emplace().host_process = true;
  SC(spec.containers[2]).windows_options.emplace().host_process = false;
  SC(spec.containers[3]).windows_options.emplace().host_process = false;
  SC(spec.containers[4]).windows_options.emplace();
  SC(spec.containers[5]);
  EXPECT_EQ(Detail(Level::kBaseline, spec),
            "hostProcess (containers \"a\", \"b\" must not set "
            "securityContext.windowsOptions.hostProcess=true)");
  spec.security_context.emplace().windows_options.emplace().host_process = true;
  EXPECT_EQ(Detail(Level::kBaseline, spec),
            "hostProcess (pod and containers \"a\", \"b\" must not set "
            "securityContext.windowsOptions.hostProcess=true)");
  EXPECT_EQ(Detail(Level::kPrivileged, spec), "");
}

TEST(PodSecurity, HostNamespacesPrivilegedCapabilitiesPorts) {
  PodSpec spec;
  spec.host_network = spec.host_pid = spec.host_ipc = true;
  EXPECT_EQ(Detail(Level::kBaseline, spec),
            "host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)");
  spec = {};
  for (const char* n : {"a", "b", "c", "d", "e"}) spec.containers.push_back(Named(n));
  SC(spec.containers[1]);
  SC(spec.containers[2]).privileged = false;
  SC(spec.containers[3]).privileged = true;
  SC(spec.containers[4]).privileged = true;
  EXPECT_EQ(Detail(Level::kBaseline, spec),
            "privileged (containers \"d\", \"e\" must not set securityContext.privileged=true)");
  spec = {};
  spec.containers = {Named("a"), Named("b"), Named("c")};
  SC(spec.containers[1]).capabilities = Capabilities{{"FOO", "BAR", "CHOWN"}, {}};
  SC(spec.containers[2]).capabilities = Capabilities{{"BAR", "BAZ"}, {}};
  EXPECT_EQ(Detail(Level::kBaseline, spec),
            "non-default capabilities (containers \"b\", \"c\" must not include \"BAR\", \"BAZ\", "
            "\"FOO\" in securityContext.capabilities.add)");
  spec = {};
  spec.containers = {Named("a"), Named("b")};
  spec.containers[0].ports = {ContainerPort{"", 20, 20}, ContainerPort{"", 10, 10}};
  spec.containers[1].ports = {ContainerPort{"", 30, 30}};
  EXPECT_EQ(Detail(Level::kBaseline, spec),
            "hostPort (containers \"a\", \"b\" use hostPorts 10, 20, 30)");
  spec.containers.pop_back();
  spec.containers[0].ports.pop_back();
  EXPECT_EQ(Detail(Level::kBaseline, spec), "hostPort (container \"a\" uses hostPort 20)");
}

TEST(PodSecurity, VolumesSeccompSysctls) {
  PodSpec spec;
  Volume a, b, c;
  a.name = "a", a.host_path.emplace().path = "/a";
  b.name = "b", b.empty_dir.emplace();
  c.name = "c", c.host_path.emplace().path = "/c";
  spec.volumes = {a, b, c};
  EXPECT_EQ(Detail(Level::kBaseline, spec), "hostPath volumes (volumes \"a\", \"c\")");
  spec.containers = {Named("x")};
  SC(spec.containers[0]).seccomp_profile = SeccompProfile{"Unconfined", {}};
  spec.security_context.emplace().sysctls = {{"kernel.shm_rmid_forced", "0"}, {"a.b", "1"}};
  EXPECT_EQ(Detail(Level::kBaseline, spec),
            "forbidden sysctls (a.b), hostPath volumes (volumes \"a\", \"c\"), seccompProfile "
            "(container \"x\" must not set securityContext.seccompProfile.type to \"Unconfined\")");
}

TEST(PodSecurity, RestrictedChecksInUpstreamOrder) {
  PodSpec spec;
  spec.containers = {Named("a")};
  Volume v;
  v.name = "host";
  v.host_path.emplace().path = "/";
  spec.volumes = {v};
  EXPECT_EQ(Detail(Level::kRestricted, spec),
            "allowPrivilegeEscalation != false (container \"a\" must set "
            "securityContext.allowPrivilegeEscalation=false), unrestricted capabilities "
            "(container \"a\" must set securityContext.capabilities.drop=[\"ALL\"]), restricted "
            "volume types (volume \"host\" uses restricted volume type \"hostPath\"), "
            "runAsNonRoot != true (pod or container \"a\" must set "
            "securityContext.runAsNonRoot=true), seccompProfile (pod or container \"a\" must set "
            "securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
  spec.volumes.clear();
  auto& sc = SC(spec.containers[0]);
  sc.allow_privilege_escalation = false;
  sc.capabilities = Capabilities{{"NET_BIND_SERVICE", "SYS_ADMIN"}, {"ALL"}};
  sc.run_as_non_root = false;
  sc.run_as_user = 0;
  sc.seccomp_profile = SeccompProfile{"RuntimeDefault", {}};
  EXPECT_EQ(Detail(Level::kRestricted, spec),
            "unrestricted capabilities (container \"a\" must not include \"SYS_ADMIN\" in "
            "securityContext.capabilities.add), runAsNonRoot != true (container \"a\" must not "
            "set securityContext.runAsNonRoot=false), runAsUser=0 (container \"a\" must not set "
            "runAsUser=0)");
  sc.capabilities->add = {"NET_BIND_SERVICE"};
  sc.run_as_non_root = true;
  sc.run_as_user = 1000;
  EXPECT_EQ(Detail(Level::kRestricted, spec), "");
}

TEST(PodSecurity, SeedDaemonSetMessage) {
  PodSpec spec;
  spec.host_network = true;
  spec.containers = {Named("powershell")};
  SC(spec.containers[0]).privileged = true;
  SC(spec.containers[0]).windows_options.emplace().host_process = true;
  LevelVersion lv{Level::kBaseline, -1};
  auto e = Evaluate(lv, {}, spec);
  EXPECT_FALSE(e.allowed);
  EXPECT_EQ(ViolationMessage(lv, e),
            "violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), "
            "privileged (container \"powershell\" must not set securityContext.privileged=true), "
            "hostProcess (container \"powershell\" must not set "
            "securityContext.windowsOptions.hostProcess=true)");
  EXPECT_EQ(ViolationMessage(lv, e, true).substr(0, 42),
            "would violate PodSecurity \"baseline:latest");
}

TEST(PodSecurity, LevelsAndVersions) {
  EXPECT_EQ(ParseLevel("baseline")->ToString(), "baseline:latest");
  EXPECT_EQ(ParseLevel("restricted", "v1.30")->ToString(), "restricted:v1.30");
  EXPECT_FALSE(ParseLevel("strict").has_value());
  EXPECT_FALSE(ParseLevel("baseline", "1.30").has_value());
  Namespace ns;
  ns.metadata.name = "n";
  EXPECT_FALSE(NamespaceEnforceLevel(ns)->has_value());
  ns.metadata.labels = {{"pod-security.kubernetes.io/enforce", "restricted"},
                        {"pod-security.kubernetes.io/enforce-version", "v1.22"}};
  auto lv = NamespaceEnforceLevel(ns);
  ASSERT_TRUE(lv.has_value() && lv->has_value());
  EXPECT_EQ((*lv)->ToString(), "restricted:v1.22");
  // runAsUser=0 is only checked from v1.23.
  PodSpec spec;
  spec.containers = {Named("a")};
  auto& sc = SC(spec.containers[0]);
  sc.allow_privilege_escalation = false;
  sc.capabilities = Capabilities{{}, {"ALL"}};
  sc.run_as_non_root = true;
  sc.run_as_user = 0;
  sc.seccomp_profile = SeccompProfile{"RuntimeDefault", {}};
  EXPECT_TRUE(Evaluate(**lv, {}, spec).allowed);
  EXPECT_FALSE(Evaluate(LevelVersion{Level::kRestricted, 23}, {}, spec).allowed);
}

}  // namespace
}  // namespace hp::k8s::podsecurity
