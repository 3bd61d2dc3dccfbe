// Ordinary object rules a user hits, through the decoder, with kubectl's rendering.
#include "core/k8s/validation.h"

#include <gtest/gtest.h>

#include "core/k8s/decode.h"

namespace hp::k8s {
namespace {

std::string Kubectl(const std::string& yaml, ValidationOptions opts = {}) {
  auto d = DecodeString(yaml, "t.yaml");
  EXPECT_TRUE(d.has_value()) << (d ? "" : d.error().ToString());
  if (!d || d->objects.empty()) return "<decode error>";
  const Object& o = d->objects[0];
  return field::KubectlInvalid(KindName(o.kind), o.metadata().name, ValidateObject(o, opts));
}

TEST(Validation, ValidPodHasNoErrors) {
  EXPECT_EQ(Kubectl(R"(apiVersion: v1
kind: Pod
metadata: {name: ok}
spec:
  containers: [{name: c, image: busybox, resources: {limits: {cpu: 500m, memory: 64Mi}, requests: {cpu: 100m}}}]
)"),
            "The Pod \"ok\" is invalid");
}

TEST(Validation, NamesImageAndDuplicates) {
  EXPECT_EQ(Kubectl(R"(apiVersion: v1
kind: Pod
metadata: {name: Bad_Name}
spec:
  containers:
  - {name: c}
  - {name: c, image: i}
)"),
            "The Pod \"Bad_Name\" is invalid: \n"
            "* metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must "
            "consist of lower case alphanumeric characters, '-' or '.', and must start and end "
            "with an alphanumeric character (e.g. 'example.com', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n"
            "* spec.containers[0].image: Required value\n"
            "* spec.containers[1].name: Duplicate value: \"c\"");
  EXPECT_EQ(Kubectl("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n"),
            "The Pod \"p\" is invalid: spec.containers: Required value");
  EXPECT_EQ(
      Kubectl(
          "apiVersion: v1\nkind: Pod\nmetadata: {}\nspec: {containers: [{name: c, image: i}]}\n"),
      "The Pod \"\" is invalid: metadata.name: Required value: name or generateName is "
      "required");
  EXPECT_EQ(Kubectl("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: "
                    "my.c, image: i}]}\n"),
            "The Pod \"p\" is invalid: spec.containers[0].name: Invalid value: \"my.c\": must not "
            "contain dots");
}

TEST(Validation, ResourcesRequestsAndLimits) {
  EXPECT_EQ(Kubectl(R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: i
    resources: {limits: {cpu: "1", memory: -1}, requests: {cpu: 1500m, gpu: "1"}}
)"),
            "The Pod \"p\" is invalid: \n"
            "* spec.containers[0].resources.limits[memory]: Invalid value: \"-1\": must be greater "
            "than or equal to 0\n"
            "* spec.containers[0].resources.requests: Invalid value: \"1500m\": must be less than "
            "or equal to cpu limit of 1\n"
            "* spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a "
            "standard resource type or fully qualified\n"
            "* spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a "
            "standard resource for containers");
}

TEST(Validation, VolumesAndMounts) {
  EXPECT_EQ(
      Kubectl(R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  volumes:
  - {name: data, emptyDir: {}}
  - {name: data, hostPath: {path: /x}}
  - {name: host, hostPath: {path: /a/../b, type: Pipe}}
  - {name: none}
  containers:
  - name: c
    image: i
    volumeMounts:
    - {name: data, mountPath: /d}
    - {name: data, mountPath: /d}
    - {name: missing, mountPath: /m, subPath: ../x}
)"),
      "The Pod \"p\" is invalid: \n"
      "* spec.volumes[1].name: Duplicate value: \"data\"\n"
      "* spec.volumes[2].hostPath.path: Invalid value: \"/a/../b\": must not contain '..'\n"
      "* spec.volumes[2].hostPath.type: Unsupported value: \"Pipe\": supported values: \"\", "
      "\"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", "
      "\"FileOrCreate\", \"Socket\"\n"
      "* spec.volumes[3]: Required value: must specify a volume type\n"
      "* spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/d\": must be unique\n"
      "* spec.containers[0].volumeMounts[2].name: Not found: \"missing\"\n"
      "* spec.containers[0].volumeMounts.subPath: Invalid value: \"../x\": must not contain "
      "'..'");
}

TEST(Validation, HostNetworkPortsAndAllowPrivileged) {
  const char* yaml = R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {windowsOptions: {hostProcess: true, runAsUserName: "NT AUTHORITY\\SYSTEM"}}
  containers:
  - name: c
    image: i
    securityContext: {privileged: true}
    ports: [{containerPort: 80, hostPort: 81}]
)";
  EXPECT_EQ(Kubectl(yaml),
            "The Pod \"p\" is invalid: spec.hostNetwork: Invalid value: false: hostNetwork must "
            "be true if pod contains any hostProcess containers");
  ValidationOptions no_priv;
  no_priv.allow_privileged = false;
  EXPECT_EQ(Kubectl(yaml, no_priv),
            "The Pod \"p\" is invalid: \n"
            "* spec.containers[0].securityContext.privileged: Forbidden: disallowed by cluster "
            "policy\n"
            "* spec.hostNetwork: Invalid value: false: hostNetwork must be true if pod contains "
            "any hostProcess containers\n"
            "* spec: Forbidden: hostProcess containers are disallowed by cluster policy");
  std::string with_net = std::string(yaml) + "  hostNetwork: true\n";
  EXPECT_EQ(Kubectl(with_net),
            "The Pod \"p\" is invalid: spec.containers[0].ports[0].hostPort: Invalid value: 81: "
            "must match `containerPort` when `hostNetwork` is true");
}

TEST(Validation, DaemonSetSelectorAndRestartPolicy) {
  EXPECT_EQ(Kubectl(R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: b}}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: i}]
)"),
            "The DaemonSet \"ds\" is invalid: \n"
            "* spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"b\"}: "
            "`selector` does not match template `labels`\n"
            "* spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: "
            "\"Always\"");
}

TEST(Validation, AggregateForStatusMessage) {
  field::ErrorList errs = {field::Required("a", ""), field::Required("a", ""),
                           field::Invalid("b", field::Int(1), "x")};
  EXPECT_EQ(field::Aggregate(errs), "[a: Required value, b: Invalid value: 1: x]");
  EXPECT_EQ(field::Aggregate({errs[2]}), "b: Invalid value: 1: x");
}

}  // namespace
}  // namespace hp::k8s
