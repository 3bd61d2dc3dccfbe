// Upstream cases of TestValidateWindowsSecurityContextOptions and
// TestValidateWindowsHostProcessPod (pkg/apis/core/validation), as data, with the full messages.
#include <gtest/gtest.h>

#include <string>

#include "core/k8s/validation.h"

namespace hp::k8s {
namespace {

std::string Rep(const std::string& s, int n) {
  std::string r;
  for (int i = 0; i < n; i++) r += s;
  return r;
}

std::string Messages(const field::ErrorList& errs) {
  std::string out;
  for (const auto& e : errs) out += e.ToString() + "\n";
  return out;
}

struct RunAsCase {
  std::string name;
  std::string user;
  std::string expected;  // full messages, "" = valid
};

TEST(WindowsSecurityContextOptions, EveryRunAsUserNameRule) {
  const std::string p = "spec.securityContext.windowsOptions.runAsUserName";
  auto inv = [&](const std::string& user, const std::string& msg) {
    WindowsSecurityContextOptions w;
    (void)w;
    return p + ": Invalid value: " + field::Str(user).text + ": " + msg + "\n";
  };
  std::string dns_too_long = Rep(Rep("a", 63) + ".", 4).substr(0, 253) + ".com\\user";
  const RunAsCase cases[] = {
      {"valid", "Container. User", ""},
      {"valid NetBios domain", "Network Service\\Container. User", ""},
      {"valid DNS domain", Rep("fOo", 20) + ".liSH\\Container. User", ""},
      {"valid DNS domain single char segment", Rep("fOo", 20) + ".l\\Container. User", ""},
      {"valid long single segment DNS domain", Rep("a", 42) + "\\Container. User", ""},
      {"NT AUTHORITY\\SYSTEM", "NT AUTHORITY\\SYSTEM", ""},
      {"empty", "", inv("", "runAsUserName cannot be an empty string")},
      {"control character", "Container\tUser",
       inv("Container\tUser", "runAsUserName cannot contain control characters")},
      {"too many backslashes", "Container\\Foo\\Lish",
       inv("Container\\Foo\\Lish", "runAsUserName cannot contain more than one backslash")},
      {"empty domain", "\\User",
       inv("\\User", "runAsUserName's Domain doesn't match the NetBios nor the DNS format")},
      {"empty user", "Container\\", inv("Container\\", "runAsUserName's User cannot be empty")},
      {"NetBios domain too long", "NetBios " + Rep("a", 8) + "\\user",
       inv("NetBios " + Rep("a", 8) + "\\user",
           "runAsUserName's Domain doesn't match the NetBios nor the DNS format")},
      {"DNS domain too long", dns_too_long,
       inv(dns_too_long, "runAsUserName's Domain length must be under 256 characters")},
      {"user too long", Rep("a", 105),
       inv(Rep("a", 105), "runAsUserName's User length must not be longer than 104 characters")},
      {"only periods or spaces", "... ...",
       inv("... ...", "runAsUserName's User cannot contain only periods or spaces")},
      {"NetBios domain starts with a dot", ".FooLish\\User",
       inv(".FooLish\\User",
           "runAsUserName's Domain doesn't match the NetBios nor the DNS format")},
      {"NetBios domain invalid characters", "Foo? Lish?\\User",
       inv("Foo? Lish?\\User",
           "runAsUserName's Domain doesn't match the NetBios nor the DNS format")},
      {"DNS domain invalid characters", Rep("a", 32) + ".com-\\user",
       inv(Rep("a", 32) + ".com-\\user",
           "runAsUserName's Domain doesn't match the NetBios nor the DNS format")},
      {"user invalid characters", "Container/User",
       inv("Container/User",
           "runAsUserName's User cannot contain the following characters: \"/\\:;|=,+*?<>@[]")},
  };
  for (const auto& c : cases) {
    WindowsSecurityContextOptions w;
    w.run_as_user_name = c.user;
    EXPECT_EQ(
        Messages(ValidateWindowsSecurityContextOptions(&w, "spec.securityContext.windowsOptions")),
        c.expected)
        << c.name;
  }
  // Rendering of a control character follows Go's %q.
  EXPECT_EQ(inv("Container\tUser", "x"), p + ": Invalid value: \"Container\\tUser\": x\n");
}

TEST(WindowsSecurityContextOptions, GMSA) {
  WindowsSecurityContextOptions ok;
  ok.gmsa_credential_spec_name = "dummy-gmsa-crep-spec-name";
  ok.gmsa_credential_spec = "dummy-gmsa-crep-spec-contents";
  EXPECT_TRUE(ValidateWindowsSecurityContextOptions(&ok, "w").empty());
  EXPECT_TRUE(ValidateWindowsSecurityContextOptions(nullptr, "w").empty());

  WindowsSecurityContextOptions bad_name;
  bad_name.gmsa_credential_spec_name = "not_a-valid-gmsa-crep-spec-name";
  EXPECT_EQ(Messages(ValidateWindowsSecurityContextOptions(&bad_name, "w")),
            "w.gmsaCredentialSpecName: Invalid value: \"not_a-valid-gmsa-crep-spec-name\": a "
            "lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
            "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
            "regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n");

  WindowsSecurityContextOptions empty;
  empty.gmsa_credential_spec = "";
  EXPECT_EQ(Messages(ValidateWindowsSecurityContextOptions(&empty, "w")),
            "w.gmsaCredentialSpec: Invalid value: \"\": gmsaCredentialSpec cannot be an empty "
            "string\n");
  WindowsSecurityContextOptions long_spec;
  long_spec.gmsa_credential_spec = std::string(64 * 1024 + 1, 'a');
  auto errs = ValidateWindowsSecurityContextOptions(&long_spec, "w");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].detail, "gmsaCredentialSpec size must be under 64 KiB");
}

// ---------------------------------------------------------------- hostProcess inheritance

std::optional<SecurityContext> HP(std::optional<bool> v) {
  SecurityContext sc;
  sc.windows_options.emplace().host_process = v;
  return sc;
}
Container C(const std::string& name, std::optional<bool> hp, bool set_sc = true) {
  Container c;
  c.name = name;
  c.image = "image";
  if (set_sc) c.security_context = HP(hp);
  return c;
}
PodSpec Spec(std::optional<bool> pod_hp, bool host_network, std::vector<Container> containers,
             std::vector<Container> init = {}, std::vector<Container> ephemeral = {}) {
  PodSpec s;
  if (pod_hp.has_value())
    s.security_context.emplace().windows_options.emplace().host_process = pod_hp;
  s.host_network = host_network;
  s.containers = std::move(containers);
  s.init_containers = std::move(init);
  s.ephemeral_containers = std::move(ephemeral);
  return s;
}

struct HPCase {
  std::string name;
  PodSpec spec;
  bool allow_privileged;
  std::string expected;
};

TEST(WindowsHostProcessPod, UpstreamCases) {
  const std::string all =
      "spec: Invalid value: \"\": If pod contains any hostProcess containers then all containers "
      "must be HostProcess containers\n";
  const std::string net =
      "spec.hostNetwork: Invalid value: false: hostNetwork must be true if pod contains any "
      "hostProcess containers\n";
  auto ident = [](const std::string& path, bool c, bool pod) {
    return path +
           ".securityContext.windowsOptions.hostProcess: Invalid value: " + (c ? "true" : "false") +
           ": pod hostProcess value must be identical if both are " + "specified, was " +
           (pod ? "true" : "false") + "\n";
  };
  const HPCase cases[] = {
      {"pod-wide true, hostNetwork unset", Spec(true, false, {C("c", {}, false)}), true, net},
      {"pod-wide true, hostNetwork set", Spec(true, true, {C("c", {}, false)}), true, ""},
      {"pod-wide true, containers true", Spec(true, true, {C("c1", true), C("c2", true)}), true,
       ""},
      {"pod nil, all containers true", Spec({}, true, {C("c1", true), C("c2", true)}), true, ""},
      {"containers true and false", Spec({}, true, {C("c1", true), C("c2", false)}), true, all},
      {"containers true and unset", Spec({}, true, {C("c1", true), C("c2", {}, false)}), true, all},
      {"pod true, init container false", Spec(true, true, {C("c1", true)}, {C("i1", false)}), true,
       ident("spec.initContainers[0]", false, true) + all},
      {"pod true, containers true and false", Spec(true, true, {C("c1", true), C("c2", false)}),
       true, ident("spec.containers[1]", false, true) + all},
      {"pod true, containers true and nil", Spec(true, true, {C("c1", true), C("c2", {})}), true,
       ""},
      {"pod false, a container true", Spec(false, true, {C("c1", true), C("c2", {})}), true,
       ident("spec.containers[0]", true, false) + all},
      {"pod true, all containers override false",
       Spec(true, true, {C("c1", false), C("c2", false)}), true,
       ident("spec.containers[0]", false, true) + ident("spec.containers[1]", false, true)},
      {"valid HostProcess pod without allowPrivileged", Spec(true, true, {C("c1", {}, false)}),
       false, "spec: Forbidden: hostProcess containers are disallowed by cluster policy\n"},
      {"non-HostProcess ephemeral container in HostProcess pod",
       Spec(true, true, {C("c1", {}, false)}, {}, {C("e1", false)}), true,
       ident("spec.ephemeralContainers[0]", false, true) + all},
      {"HostProcess ephemeral container in HostProcess pod",
       Spec(true, true, {C("c1", {}, false)}, {}, {C("e1", true)}), true, ""},
      {"non-HostProcess ephemeral container in non-HostProcess pod",
       Spec({}, true, {C("c1", {}, false)}, {}, {C("e1", {}, false)}), true, ""},
      {"HostProcess ephemeral container in non-HostProcess pod",
       Spec({}, true, {C("c1", {}, false)}, {}, {C("e1", true)}), true, all},
  };
  for (const auto& c : cases) {
    ValidationOptions opts;
    opts.allow_privileged = c.allow_privileged;
    EXPECT_EQ(Messages(ValidateWindowsHostProcessPod(c.spec, "spec", opts)), c.expected) << c.name;
  }
}

TEST(WindowsHostProcessPod, DaemonSetPathsArePrefixed) {
  DaemonSet ds;
  ds.metadata.name = "ds";
  ds.spec.selector.emplace().match_labels = {{"app", "x"}};
  ds.spec.template_.metadata.labels = {{"app", "x"}};
  ds.spec.template_.spec = Spec(true, false, {C("c", {}, false)});
  EXPECT_EQ(field::KubectlInvalid("DaemonSet", "ds", ValidateDaemonSet(ds, {})),
            "The DaemonSet \"ds\" is invalid: spec.template.spec.hostNetwork: Invalid value: "
            "false: hostNetwork must be true if pod contains any hostProcess containers");
}

TEST(PodOS, LinuxForbidsWindowsOptionsAndWindowsForbidsLinuxFields) {
  Pod pod;
  pod.metadata.name = "p";
  pod.spec = Spec(true, true, {C("c", true)});
  pod.spec.os = PodOS{"linux"};
  EXPECT_EQ(Messages(ValidatePod(pod, {})),
            "spec.securityContext.windowsOptions: Forbidden: windows options cannot be set for a "
            "linux pod\n"
            "spec.containers[0].securityContext.windowsOptions: Forbidden: windows options cannot "
            "be set for a linux pod\n");
  pod.spec.os = PodOS{"windows"};
  EXPECT_EQ(Messages(ValidatePod(pod, {})), "");
  pod.spec.containers[0].security_context->privileged = true;
  pod.spec.containers[0].security_context->run_as_user = 0;
  pod.spec.host_pid = true;
  EXPECT_EQ(Messages(ValidatePod(pod, {})),
            "spec.hostPID: Forbidden: cannot be set for a windows pod\n"
            "spec.containers[0].securityContext.privileged: Forbidden: cannot be set for a windows "
            "pod\n"
            "spec.containers[0].securityContext.runAsUser: Forbidden: cannot be set for a windows "
            "pod\n");
  pod.spec.host_pid = false;
  pod.spec.containers[0].security_context->privileged.reset();
  pod.spec.containers[0].security_context->run_as_user.reset();
  pod.spec.os = PodOS{"plan9"};
  EXPECT_EQ(Messages(ValidatePod(pod, {})),
            "spec.os: Unsupported value: \"plan9\": supported values: \"linux\", \"windows\"\n");
  pod.spec.os = PodOS{""};
  EXPECT_EQ(Messages(ValidatePod(pod, {})), "spec.os.name: Required value: cannot be empty\n");
}

}  // namespace
}  // namespace hp::k8s
