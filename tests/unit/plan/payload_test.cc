// The files of configMap and secret volumes (kubelet's MakePayload), shared by the Linux
// sandbox and the Windows container backend: every key or the items, modes, optional sources
// and kubelet's words for what is missing.
#include "core/plan/payload.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace hp::plan
