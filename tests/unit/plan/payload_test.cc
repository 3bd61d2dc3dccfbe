// The files of configMap, secret, downwardAPI and projected volumes (kubelet's MakePayload),
// shared by the Linux sandbox and the Windows container backend: every key or the items, modes,
// optional sources and kubelet's words for what is missing; the service account volume the
// admission adds, with the node's token and CA or a local token.
#include "core/plan/payload.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <variant>

#include "core/k8s/decode.h"

namespace hp::plan {
namespace {

class PayloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = k8s::DecodeString(R"Y(apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {color: blue, size: "3"}
binaryData: {blob: AAEC}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
data: {password: czNjcmV0}
stringData: {token: abc}
)Y",
                               "test.yaml");
    ASSERT_TRUE(d) << d.error().ToString();
    decoded_ = std::move(*d);
    for (const k8s::Object& o : decoded_.objects) {
      if (o.config_map()) config_maps_.push_back(o.config_map());
      if (o.secret()) secrets_.push_back(o.secret());
    }
  }
  k8s::Decoded decoded_;
  std::vector<const k8s::ConfigMap*> config_maps_;
  std::vector<const k8s::Secret*> secrets_;
};

TEST_F(PayloadTest, EveryKeyWithTheDefaultModeOrTheVolumes) {
  k8s::ConfigMapVolumeSource src{"cfg", {}, std::nullopt, std::nullopt};
  auto files = ConfigMapPayload("conf", src, config_maps_);
  ASSERT_TRUE(files) << files.error().ToString();
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ(files->at("color").content, "blue");
  EXPECT_EQ(files->at("size").content, "3");
  EXPECT_EQ(files->at("blob").content, std::string("\0\1\2", 3));  // binaryData, decoded
  EXPECT_EQ(files->at("color").mode, 0644);

  k8s::SecretVolumeSource sec{"sec", {}, 0400, std::nullopt};
  files = SecretPayload("creds", sec, secrets_);
  ASSERT_TRUE(files) << files.error().ToString();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ(files->at("password").content, "s3cret");  // data, base64-decoded
  EXPECT_EQ(files->at("token").content, "abc");        // stringData merged
  EXPECT_EQ(files->at("password").mode, 0400);
}

TEST_F(PayloadTest, ItemsOnlyAtTheirPathsWithTheirModes) {
  k8s::ConfigMapVolumeSource src{
      "cfg", {{"color", "sub/colour.txt", 0444}, {"blob", "b", std::nullopt}}, 0600, std::nullopt};
  auto files = ConfigMapPayload("conf", src, config_maps_);
  ASSERT_TRUE(files) << files.error().ToString();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ(files->at("sub/colour.txt").content, "blue");
  EXPECT_EQ(files->at("sub/colour.txt").mode, 0444);
  EXPECT_EQ(files->at("b").mode, 0600);
}

TEST_F(PayloadTest, MissingObjectsAndKeysInKubeletsWords) {
  k8s::ConfigMapVolumeSource cm{"nope", {}, std::nullopt, std::nullopt};
  auto files = ConfigMapPayload("conf", cm, config_maps_);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(files.error().message(), "volume \"conf\": configmaps \"nope\" not found");
  k8s::SecretVolumeSource sec{"nope", {}, std::nullopt, std::nullopt};
  files = SecretPayload("creds", sec, secrets_);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().message(), "volume \"creds\": secrets \"nope\" not found");

  cm = {"cfg", {{"missing", "m", std::nullopt}}, std::nullopt, std::nullopt};
  files = ConfigMapPayload("conf", cm, config_maps_);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().message(),
            "volume \"conf\": configmap references non-existent config key: missing");
  sec = {"sec", {{"missing", "m", std::nullopt}}, std::nullopt, std::nullopt};
  files = SecretPayload("creds", sec, secrets_);
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().message(),
            "volume \"creds\": secret references non-existent secret key: missing");
}

TEST_F(PayloadTest, OptionalSourcesSkipWhatIsMissing) {
  k8s::ConfigMapVolumeSource cm{"nope", {}, std::nullopt, true};
  auto files = ConfigMapPayload("conf", cm, config_maps_);
  ASSERT_TRUE(files);
  EXPECT_TRUE(files->empty());
  k8s::SecretVolumeSource sec{
      "sec", {{"missing", "m", std::nullopt}, {"token", "t", std::nullopt}}, std::nullopt, true};
  files = SecretPayload("creds", sec, secrets_);
  ASSERT_TRUE(files) << files.error().ToString();
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(files->at("t").content, "abc");
}

// A pod with file volumes of every kind, decoded as the API server takes it.
k8s::Decoded FileVolumesPod() {
  auto d = k8s::DecodeString(R"Y(apiVersion: v1
kind: Pod
metadata: {name: p, namespace: agents, uid: u-1, labels: {app: probe, tier: node}}
spec:
  serviceAccountName: sa
  containers:
  - name: a
    image: x
    resources: {limits: {cpu: 250m}}
  - name: b
    image: x
    resources: {limits: {memory: 64Mi}}
  volumes:
  - name: info
    downwardAPI:
      defaultMode: 0600
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: mem, mode: 0400, resourceFieldRef: {containerName: b, resource: limits.memory, divisor: 1Mi}}
      - {path: cpu, resourceFieldRef: {containerName: a, resource: limits.cpu, divisor: 1m}}
  - name: all
    projected:
      sources:
      - configMap: {name: cfg, items: [{key: color, path: c/color}]}
      - secret: {name: sec}
      - downwardAPI: {items: [{path: ns, fieldRef: {fieldPath: metadata.namespace}}]}
  - name: missing
    projected:
      sources:
      - secret: {name: nope}
)Y",
                             "pod.yaml");
  EXPECT_TRUE(d) << d.error().ToString();
  return d ? std::move(*d) : k8s::Decoded{};
}

TEST_F(PayloadTest, DownwardApiAndProjectedVolumes) {
  k8s::Decoded d = FileVolumesPod();
  ASSERT_EQ(d.objects.size(), 1u);
  const k8s::Pod* pod = std::get_if<k8s::Pod>(&d.objects[0].value);
  ASSERT_NE(pod, nullptr);
  PayloadSources in;
  in.input.pod = pod;
  in.input.container = &pod->spec.containers[0];
  in.input.config_maps = config_maps_;
  in.input.secrets = secrets_;
  auto info = VolumePayload(pod->spec.volumes[0], in);
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_EQ(info->at("labels").content, "app=\"probe\"\ntier=\"node\"");
  EXPECT_EQ(info->at("labels").mode, 0600);
  EXPECT_EQ(info->at("mem").content, "64");  // container b's, named by the item
  EXPECT_EQ(info->at("mem").mode, 0400);
  EXPECT_EQ(info->at("cpu").content, "250");
  auto all = VolumePayload(pod->spec.volumes[1], in);
  ASSERT_TRUE(all) << all.error().ToString();
  EXPECT_EQ(all->size(), 4u);
  EXPECT_EQ(all->at("c/color").content, "blue");
  EXPECT_EQ(all->at("password").content, "s3cret");
  EXPECT_EQ(all->at("token").content, "abc");
  EXPECT_EQ(all->at("ns").content, "agents");
  auto missing = VolumePayload(pod->spec.volumes[2], in);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "volume \"missing\": secrets \"nope\" not found");
}

TEST_F(PayloadTest, ServiceAccountVolumeWithTheNodesMaterialOrALocalToken) {
  k8s::Decoded d = FileVolumesPod();
  ASSERT_EQ(d.objects.size(), 1u);
  const k8s::Pod* pod = std::get_if<k8s::Pod>(&d.objects[0].value);
  ASSERT_NE(pod, nullptr);
  k8s::Volume sa = ServiceAccountVolume("kube-api-access");
  EXPECT_EQ(sa.name, "kube-api-access");
  PayloadSources in;
  in.input.pod = pod;
  in.input.container = &pod->spec.containers[0];
  in.now = 1000;
  auto local = VolumePayload(sa, in);
  ASSERT_TRUE(local) << local.error().ToString();
  ASSERT_EQ(local->size(), 3u);
  EXPECT_EQ(local->at("namespace").content, "agents");
  EXPECT_EQ(local->at("ca.crt").content, "");  // no CA on this node
  EXPECT_EQ(local->at("token").content, LocalServiceAccountToken(*pod, 3607, 1000));
  // The claims, base64url without padding between the dots of an unsigned JWT.
  std::string token = local->at("token").content;
  ASSERT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  EXPECT_EQ(token.substr(0, token.find('.')), "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0");
  EXPECT_NE(LocalServiceAccountToken(*pod, 3607, 1000), LocalServiceAccountToken(*pod, 3607, 1001));
  in.token = "node-token";
  in.ca = "node-ca";
  auto node = VolumePayload(sa, in);
  ASSERT_TRUE(node) << node.error().ToString();
  EXPECT_EQ(node->at("token").content, "node-token");
  EXPECT_EQ(node->at("ca.crt").content, "node-ca");
  EXPECT_EQ(node->at("token").mode, 0644);
  // The namespace's own kube-root-ca.crt ConfigMap wins over the node's CA.
  auto cm = k8s::DecodeString(R"Y(apiVersion: v1
kind: ConfigMap
metadata: {name: kube-root-ca.crt, namespace: agents}
data: {ca.crt: cluster-ca}
)Y",
                              "ca.yaml");
  ASSERT_TRUE(cm) << cm.error().ToString();
  in.input.config_maps = {cm->objects[0].config_map()};
  auto cluster = VolumePayload(sa, in);
  ASSERT_TRUE(cluster) << cluster.error().ToString();
  EXPECT_EQ(cluster->at("ca.crt").content, "cluster-ca");
}

}  // namespace
}  // namespace hp::plan
