#include "core/k8s/decode.h"

#include <gtest/gtest.h>

#include "core/sys/file.h"

namespace hp::k8s {
namespace {

Decoded MustDecode(std::string_view text) {
  auto r = DecodeString(text, "t.yaml");
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().ToString());
  return r ? *r : Decoded{};
}

std::string DecodeError(std::string_view text) {
  auto r = DecodeString(text, "t.yaml");
  EXPECT_FALSE(r.has_value());
  return r ? "" : r.error().ToString();
}

TEST(Decode, SeedExample) {
  const std::string path = std::string(HP_SOURCE_DIR) + "/examples/privileged-daemonset.yaml";
  auto text = sys::ReadFile(path);
  ASSERT_TRUE(text);
  auto r = DecodeString(*text, path);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_EQ(r->objects.size(), 1u);
  EXPECT_TRUE(r->warnings.empty());
  const DaemonSet* ds = r->objects[0].daemon_set();
  ASSERT_NE(ds, nullptr);
  EXPECT_EQ(ds->metadata.name, "privileged-daemonset");
  EXPECT_EQ(ds->metadata.namespace_, "kube-system");
  const PodSpec& spec = ds->spec.template_.spec;
  EXPECT_TRUE(spec.host_network);
  EXPECT_EQ(spec.termination_grace_period_seconds, 0);
  ASSERT_EQ(spec.node_selector.size(), 1u);
  EXPECT_EQ(spec.node_selector[0].second, "windows");
  ASSERT_EQ(spec.containers.size(), 1u);
  const Container& c = spec.containers[0];
  EXPECT_EQ(c.image, "mcr.microsoft.com/powershell:lts-nanoserver-1809");
  ASSERT_TRUE(c.security_context && c.security_context->windows_options);
  EXPECT_EQ(c.security_context->windows_options->host_process, true);
  EXPECT_EQ(c.security_context->windows_options->run_as_user_name, "NT AUTHORITY\\SYSTEM");
  EXPECT_EQ(c.security_context->privileged, true);
  ASSERT_EQ(c.command.size(), 3u);
  EXPECT_EQ(c.command[0], "pwsh.exe");
  EXPECT_EQ(ds->source.line, 1);
  EXPECT_EQ(c.source.line, 20);
}

TEST(Decode, MultiDocumentAndListKeepOrderAndSources) {
  auto d = MustDecode(R"(apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {pod-security.kubernetes.io/enforce: baseline}}
---
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: cm}
  data: {k: v}
- apiVersion: v1
  kind: Secret
  metadata: {name: s}
  data: {a: aGVsbG8=}
  stringData: {b: world}
)");
  ASSERT_EQ(d.objects.size(), 3u);
  EXPECT_EQ(d.objects[0].kind, Kind::kNamespace);
  EXPECT_EQ(d.objects[1].kind, Kind::kConfigMap);
  EXPECT_EQ(d.objects[1].source().line, 9);
  EXPECT_EQ(d.objects[1].source().document, 2);
  const Secret* s = d.objects[2].secret();
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->data.size(), 2u);
  EXPECT_EQ(s->data[0].second, "hello");
  EXPECT_EQ(s->data[1].second, "world");
}

TEST(Decode, Json) {
  auto d = MustDecode(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
    "spec":{"containers":[{"name":"c","image":"i","resources":{"limits":{"cpu":"500m","memory":"128Mi"}}}],
    "securityContext":{"windowsOptions":{"hostProcess":true}}}})");
  ASSERT_EQ(d.objects.size(), 1u);
  const Pod* p = d.objects[0].pod();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->spec.containers[0].resources.limits[0].second.MilliValue(), 500);
  EXPECT_EQ(p->spec.containers[0].resources.limits[1].second.Value(), 128 * 1024 * 1024);
  EXPECT_EQ(p->spec.security_context->windows_options->host_process, true);
}

TEST(Decode, UnknownFieldIsAnErrorWithPosition) {
  EXPECT_EQ(DecodeError(R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: i
    foo: bar
)"),
            "t.yaml:8:5: Pod \"p\": strict decoding error: unknown field "
            "\"spec.containers[0].foo\"");
}

TEST(Decode, KnownButIgnoredFieldIsAWarning) {
  auto d = MustDecode(R"(apiVersion: v1
kind: Pod
metadata: {name: p, creationTimestamp: null}
spec:
  imagePullSecrets: [{name: x}]
  containers:
  - name: c
    image: i
    lifecycle: {preStop: {exec: {command: [x]}}}
status: {}
)");
  ASSERT_EQ(d.warnings.size(), 2u);
  EXPECT_EQ(d.warnings[0].ToString(),
            "t.yaml:5:3: Pod \"p\": field \"spec.imagePullSecrets\" is not supported by "
            "hostprocess and is ignored");
  EXPECT_EQ(d.warnings[1].ToString(),
            "t.yaml:9:16: Pod \"p\": field \"spec.containers[0].lifecycle\" is decoded but its "
            "hooks are not run by hostprocess");
  ASSERT_TRUE(d.objects[0].pod()->spec.containers[0].lifecycle->pre_stop->exec);
}

TEST(Decode, TypeErrorsNamePosition) {
  EXPECT_EQ(DecodeError(R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: "true"
  containers:
  - name: c
    image: i
    env: [{name: A, value: 8080}]
)"),
            "t.yaml:5:16: Pod \"p\": spec.hostNetwork: cannot unmarshal string \"true\" into a "
            "field of type bool\n"
            "t.yaml:9:28: Pod \"p\": spec.containers[0].env[0].value: cannot unmarshal number "
            "\"8080\" into a field of type string");
}

TEST(Decode, SyntaxErrorNamesPosition) {
  std::string e = DecodeError("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [a\n");
  EXPECT_EQ(e.rfind("t.yaml:", 0), 0u) << e;
  EXPECT_NE(e.find("yaml: "), std::string::npos) << e;
}

TEST(Decode, UnknownKindAndVersion) {
  EXPECT_EQ(DecodeError("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"),
            "t.yaml:1:1: Deployment \"d\": kind \"Deployment\" (apiVersion \"apps/v1\") is not "
            "supported by hostprocess; supported kinds: Pod, DaemonSet, Namespace, ConfigMap, "
            "Secret, ServiceAccount, List");
  EXPECT_EQ(DecodeError("apiVersion: extensions/v1beta1\nkind: DaemonSet\nmetadata: {name: d}\n"),
            "t.yaml:1:1: DaemonSet \"d\": no matches for kind \"DaemonSet\" in version "
            "\"extensions/v1beta1\"");
  EXPECT_EQ(DecodeError("metadata: {name: d}\n"),
            "t.yaml:1:1: error validating data: [apiVersion not set, kind not set]");
}

TEST(Decode, QuantityErrorIsKubernetesMessage) {
  EXPECT_EQ(DecodeError(R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: i
    resources: {limits: {cpu: 1x}}
)"),
            "t.yaml:8:31: Pod \"p\": spec.containers[0].resources.limits.cpu: quantities must "
            "match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
}

TEST(Decode, DuplicateKey) {
  EXPECT_EQ(DecodeError("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\nkind: Pod\n"),
            "t.yaml:4:1: Namespace \"a\": mapping key \"kind\" already defined at line 2");
}

TEST(Decode, OptionalsDistinguishUnset) {
  auto d = MustDecode(R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: i
    livenessProbe: {exec: {command: [/bin/true]}, periodSeconds: 0}
    securityContext: {runAsNonRoot: false}
)");
  const Container& c = d.objects[0].pod()->spec.containers[0];
  ASSERT_TRUE(c.liveness_probe);
  EXPECT_FALSE(c.liveness_probe->initial_delay_seconds.has_value());
  EXPECT_EQ(c.liveness_probe->period_seconds, 0);
  EXPECT_EQ(c.security_context->run_as_non_root, false);
  EXPECT_FALSE(c.security_context->run_as_user.has_value());
}

TEST(DecodeRaw, KeepsObjectsAsJson) {
  std::string yaml =
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {k: \"a\xc3\xa9\", n: \"1\"}\n";
  auto d = DecodeString(yaml, "t.yaml", {.keep_raw = true});
  ASSERT_TRUE(d) << d.error().ToString();
  ASSERT_EQ(d->objects.size(), 1u);
  EXPECT_EQ(d->objects[0].raw_json,
            "{\"apiVersion\":\"v1\",\"data\":{\"k\":\"a\xc3\xa9\",\"n\":\"1\"},\"kind\":"
            "\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}");
  auto plain = DecodeString(yaml, "t.yaml");
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->objects[0].raw_json.empty());
}

// go-yaml (kubectl) refuses bytes that are not UTF-8 with libyaml's reader errors, at the byte
// that breaks the sequence.
TEST(Decode, InvalidUtf8IsAYamlErrorAsInKubectl) {
  auto leading = DecodeString(
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {k: \"a\xff\"}\n", "t.yaml");
  ASSERT_FALSE(leading);
  EXPECT_EQ(leading.error().ToString(), "t.yaml:4:13: yaml: invalid leading UTF-8 octet");
  auto trailing =
      DecodeString("apiVersion: v1\nkind: Pod\nmetadata: {name: \"x\xc3y\"}\n", "t.yaml");
  ASSERT_FALSE(trailing);
  EXPECT_EQ(trailing.error().ToString(), "t.yaml:3:21: yaml: invalid trailing UTF-8 octet");
}

TEST(Decode, LeadingZeroIsOctalAsInYaml11) {
  auto d = DecodeString(R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: i}]
  volumes:
  - {name: a, configMap: {name: cm, defaultMode: 0440}}
  - {name: b, secret: {secretName: s, defaultMode: 0o400}}
  - {name: c, secret: {secretName: s, defaultMode: 420}}
)",
                        "t.yaml");
  ASSERT_TRUE(d) << d.error().ToString();
  const Pod* pod = d->objects[0].pod();
  ASSERT_NE(pod, nullptr);
  EXPECT_EQ(pod->spec.volumes[0].config_map->default_mode, 0440);
  EXPECT_EQ(pod->spec.volumes[1].secret->default_mode, 0400);
  EXPECT_EQ(pod->spec.volumes[2].secret->default_mode, 420);
}

}  // namespace
}  // namespace hp::k8s
