#include "core/image/manifest.h"

#include <gtest/gtest.h>

namespace hp::image {
namespace {

std::string D(char c) { return "sha256:" + std::string(64, c); }

TEST(Manifest, SelectsPlatformFromIndex) {
  std::string idx = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",
    "manifests":[
     {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
                    D('a') +
                    R"(","size":1,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
     {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
                    D('b') + R"(","size":1,"platform":{"os":"linux","architecture":"amd64"}}]})";
  auto entries = ParseIndex(idx);
  ASSERT_TRUE(entries) << entries.error().ToString();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ(SelectPlatform(*entries, *ParsePlatform("linux/amd64"))->digest, D('b'));
  EXPECT_EQ(SelectPlatform(*entries, *ParsePlatform("linux/arm64"))->digest, D('a'));
  auto none = SelectPlatform(*entries, *ParsePlatform("linux/s390x"));
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().ToString().find("linux/arm64/v8"), std::string::npos);
}

TEST(Manifest, ParsesSchema2AndConfig) {
  std::string m = R"({"schemaVersion":2,
    "mediaType":"application/vnd.docker.distribution.manifest.v2+json",
    "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":")" +
                  D('c') + R"(","size":10},
    "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":")" +
                  D('d') + R"(","size":20}]})";
  auto man = ParseManifest(m);
  ASSERT_TRUE(man) << man.error().ToString();
  EXPECT_EQ(man->config.digest, D('c'));
  ASSERT_EQ(man->layers.size(), 1u);
  EXPECT_EQ(man->layers[0].size, 20);

  auto cfg = ParseImageConfig(R"({"os":"linux","architecture":"amd64","config":{
    "Env":["PATH=/bin"],"WorkingDir":"/w","Entrypoint":["/bin/sh"],"Cmd":["-c","x"],
    "User":"1000","Labels":{"a":"b"}},"rootfs":{"type":"layers","diff_ids":[")" +
                              D('e') + R"("]}})");
  ASSERT_TRUE(cfg) << cfg.error().ToString();
  EXPECT_EQ(cfg->config.env, std::vector<std::string>{"PATH=/bin"});
  EXPECT_EQ(cfg->config.working_dir, "/w");
  EXPECT_EQ(cfg->config.cmd.size(), 2u);
  EXPECT_EQ(cfg->config.user, "1000");
  EXPECT_EQ(cfg->config.labels.at("a"), "b");
  EXPECT_EQ(cfg->diff_ids, std::vector<std::string>{D('e')});
}

TEST(Manifest, RejectsBadInput) {
  EXPECT_FALSE(ParseManifest("{"));
  EXPECT_FALSE(ParseManifest(R"({"schemaVersion":1})"));
  EXPECT_FALSE(ParseManifest(R"({"mediaType":"application/vnd.oci.image.manifest.v1+json",
    "config":{"digest":"sha256:xyz"},"layers":[]})"));
}

// A manifest with config `config` and `n` copies of layer `layer` (descriptor JSON bodies).
std::string ManifestWith(const std::string& config, const std::string& layer, size_t n = 1) {
  std::string layers;
  for (size_t i = 0; i < n; ++i) layers += (i ? "," : "") + layer;
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
    "config":)" +
         config + R"(,"layers":[)" + layers + "]}";
}

TEST(Manifest, RequiresAnIntegerSizeAboveZero) {
  std::string cfg = R"({"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                    D('c') + R"(","size":10})";
  auto layer = [&](const std::string& size) {
    return R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" + D('d') +
           "\"" + size + "}";
  };
  EXPECT_TRUE(ParseManifest(ManifestWith(cfg, layer(",\"size\":7"))));
  for (std::string bad : {"", ",\"size\":0", ",\"size\":1.5e9", ",\"size\":\"7\"", ",\"size\":-3",
                          ",\"size\":null"}) {
    auto m = ParseManifest(ManifestWith(cfg, layer(bad)));
    ASSERT_FALSE(m) << bad;
    EXPECT_NE(m.error().ToString().find("size must be an integer > 0"), std::string::npos)
        << m.error().ToString();
  }
  auto no_cfg_size = ParseManifest(ManifestWith(
      R"({"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" + D('c') + "\"}",
      layer(",\"size\":7")));
  EXPECT_FALSE(no_cfg_size);
}

TEST(Manifest, RefusesOtherConfigMediaTypesAndTooManyLayers) {
  std::string layer = R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" +
                      D('d') + R"(","size":7})";
  auto helm = ParseManifest(
      ManifestWith(R"({"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":")" +
                       D('c') + R"(","size":10})",
                   layer));
  ASSERT_FALSE(helm);
  EXPECT_NE(helm.error().ToString().find("is not an image config"), std::string::npos);
  std::string cfg = R"({"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                    D('c') + R"(","size":10})";
  EXPECT_TRUE(ParseManifest(ManifestWith(cfg, layer, kMaxLayers)));
  auto many = ParseManifest(ManifestWith(cfg, layer, kMaxLayers + 1));
  ASSERT_FALSE(many);
  EXPECT_NE(many.error().ToString().find("layers (the limit is"), std::string::npos);
}

}  // namespace
}  // namespace hp::image
