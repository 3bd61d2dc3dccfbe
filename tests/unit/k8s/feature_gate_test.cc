// Issue 20: --feature-gates with component-base's syntax and words, and the API server's
// validation with WindowsHostProcessContainers off (Kubernetes 1.22-1.25): the cases of
// TestValidateWindowsHostProcessPod run with featureEnabled=false, as data (YAML manifests),
// for Pods and DaemonSet templates, with the full messages.
#include <gtest/gtest.h>

#include <string>

#include "core/k8s/decode.h"
#include "core/k8s/features.h"
#include "core/k8s/validation.h"

namespace hp::k8s {
namespace {

TEST(FeatureGates, ComponentBaseSyntaxAndWords) {
  EXPECT_TRUE(ParseFeatureGates("")->windows_host_process_containers);
  EXPECT_FALSE(
      ParseFeatureGates("WindowsHostProcessContainers=false")->windows_host_process_containers);
  EXPECT_FALSE(
      ParseFeatureGates(" WindowsHostProcessContainers = F ,")->windows_host_process_containers);
  EXPECT_TRUE(ParseFeatureGates("WindowsHostProcessContainers=false,WindowsHostProcessContainers=1")
                  ->windows_host_process_containers);
  EXPECT_EQ(ParseFeatureGates("Foo=true").error().message(),
            "invalid argument \"Foo=true\" for \"--feature-gates\" flag: unrecognized feature "
            "gate: Foo");
  EXPECT_EQ(ParseFeatureGates("WindowsHostProcessContainers").error().message(),
            "invalid argument \"WindowsHostProcessContainers\" for \"--feature-gates\" flag: "
            "missing bool value for WindowsHostProcessContainers");
  // Every value is parsed before any name is looked up, as featureGate.Set does.
  EXPECT_EQ(ParseFeatureGates("Foo=true,WindowsHostProcessContainers=off").error().message(),
            "invalid argument \"Foo=true,WindowsHostProcessContainers=off\" for "
            "\"--feature-gates\" flag: invalid value of WindowsHostProcessContainers=off, err: "
            "strconv.ParseBool: parsing \"off\": invalid syntax");
  EXPECT_EQ(FeatureGatesString(FeatureGates{}), "");
  EXPECT_EQ(FeatureGatesString(FeatureGates{false}), "WindowsHostProcessContainers=false");
}

const char kGateOff[] =
    "Forbidden: not allowed when feature gate 'WindowsHostProcessContainers' is not enabled";

struct Case {
  const char* name;  // upstream's test name where there is one
  const char* spec;  // the PodSpec, YAML, indented by 2 (a Pod) or 6 (a DaemonSet template)
  std::string gate_off, gate_on;  // the error lines; "" = valid
};

std::string Messages(const field::ErrorList& errs) {
  std::string out;
  for (const auto& e : errs) out += e.ToString() + "\n";
  return out;
}

std::string Indent(const std::string& text, int n) {
  std::string out, pad(static_cast<size_t>(n), ' ');
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    out += pad + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

field::ErrorList Validate(const std::string& manifest, bool gate) {
  auto d = DecodeString(manifest, "case.yaml");
  EXPECT_TRUE(d) << d.error().ToString();
  if (!d || d->objects.size() != 1) return {};
  ValidationOptions opts;
  opts.allow_windows_host_process_field = gate;
  return ValidateObject(d->objects[0], opts);
}

TEST(FeatureGates, HostProcessForbiddenWithTheGateOff) {
  auto at = [](const std::string& path) {
    return path + ".securityContext.windowsOptions." + "hostProcess: " + kGateOff + "\n";
  };
  const std::string no_host_network =
      "{p}.hostNetwork: Invalid value: false: hostNetwork must be true if pod contains any "
      "hostProcess containers\n";
  const Case cases[] = {
      {"Spec with feature disabled and pod-wide HostProcess=false and should not validate",
       "securityContext:\n  windowsOptions: {hostProcess: false}\n"
       "containers:\n- {name: c, image: img}\n",
       at("{p}"), ""},
      {"Spec with feature disabled and pod-wide HostProcess=true and should not validate",
       "hostNetwork: true\nsecurityContext:\n  windowsOptions: {hostProcess: true}\n"
       "containers:\n- name: c\n  image: img\n  securityContext:\n"
       "    windowsOptions: {hostProcess: true}\n",
       at("{p}"), ""},
      {"Spec with feature disabled and no HostProcess fields set should validate",
       "securityContext:\n  windowsOptions: {runAsUserName: \"NT AUTHORITY\\\\SYSTEM\"}\n"
       "containers:\n- {name: c, image: img}\n",
       "", ""},
      {"Spec with feature disabled and container setting HostProcess=true should not validate",
       "hostNetwork: true\ncontainers:\n- name: c\n  image: img\n  securityContext:\n"
       "    windowsOptions: {hostProcess: true}\n",
       at("{p}.containers[0]"), ""},
      {"Spec with feature disabled and init container setting HostProcess=true should not "
       "validate",
       "hostNetwork: true\ninitContainers:\n- name: i\n  image: img\n  securityContext:\n"
       "    windowsOptions: {hostProcess: true}\ncontainers:\n- name: c\n  image: img\n"
       "  securityContext:\n    windowsOptions: {hostProcess: true}\n",
       at("{p}.initContainers[0]") + at("{p}.containers[0]"), ""},
      {"a container's hostProcess=false is set data too",
       "containers:\n- name: c\n  image: img\n  securityContext:\n"
       "    windowsOptions: {hostProcess: false}\n",
       at("{p}.containers[0]"), ""},
      {"the other rules still run after a container's error",
       "containers:\n- name: c\n  image: img\n  securityContext:\n"
       "    windowsOptions: {hostProcess: true}\n",
       at("{p}.containers[0]") + no_host_network, no_host_network},
  };
  auto fill = [](std::string s, const std::string& p) {
    for (size_t at = s.find("{p}"); at != std::string::npos; at = s.find("{p}"))
      s.replace(at, 3, p);
    return s;
  };
  for (const Case& c : cases) {
    std::string pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n" + Indent(c.spec, 2);
    EXPECT_EQ(Messages(Validate(pod, false)), fill(c.gate_off, "spec")) << c.name;
    EXPECT_EQ(Messages(Validate(pod, true)), fill(c.gate_on, "spec")) << c.name;
    std::string ds =
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x}\nspec:\n"
        "  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: x}}\n"
        "    spec:\n" +
        Indent(c.spec, 6);
    EXPECT_EQ(Messages(Validate(ds, false)), fill(c.gate_off, "spec.template.spec")) << c.name;
    EXPECT_EQ(Messages(Validate(ds, true)), fill(c.gate_on, "spec.template.spec")) << c.name;
  }
}

TEST(FeatureGates, KubeletSeesHostProcessContainersAsKubernetesDoes) {
  auto spec = [](const std::string& yaml) {
    auto d = DecodeString(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n" + Indent(yaml, 2), "k.yaml");
    EXPECT_TRUE(d) << d.error().ToString();
    return d->objects[0].pod()->spec;
  };
  EXPECT_FALSE(HasWindowsHostProcessContainer(spec("containers:\n- {name: c, image: i}\n")));
  EXPECT_TRUE(HasWindowsHostProcessContainer(
      spec("securityContext:\n  windowsOptions: {hostProcess: true}\n"
           "containers:\n- {name: c, image: i}\n")));
  EXPECT_TRUE(
      HasWindowsHostProcessContainer(spec("containers:\n- name: c\n  image: i\n  securityContext:\n"
                                          "    windowsOptions: {hostProcess: true}\n")));
  EXPECT_FALSE(HasWindowsHostProcessContainer(
      spec("securityContext:\n  windowsOptions: {hostProcess: true}\n"
           "containers:\n- name: c\n  image: i\n  securityContext:\n"
           "    windowsOptions: {hostProcess: false}\n")));
  EXPECT_EQ(FailedCreatePodSandBoxMessage(),
            "Failed to create pod sandbox: pod contains HostProcess containers but feature "
            "'WindowsHostProcessContainers' is not enabled");
}

}  // namespace
}  // namespace hp::k8s
