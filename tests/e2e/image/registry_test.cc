// Pulls from a real registry: Debian's docker-registry on 127.0.0.1, images pushed by the
// distribution API helper in registry_fixture.cc.
#include "core/image/registry.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "common/temp_dir.h"
#include "common/wait.h"
#include "core/image/digest.h"
#include "core/image/manifest.h"
#include "core/sys/file.h"
#include "data/image/tar_builder.h"
#include "e2e/image/registry_fixture.h"

namespace hp::image {
namespace {

using hp::testing::TarBuilder;
using nlohmann::json;

struct Pushed {
  std::string manifest, digest, layer_digest;
};

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!sys::Exists("/usr/bin/docker-registry")) GTEST_SKIP() << "docker-registry not installed";
    ASSERT_TRUE(tmp_.ok());
    dir_ = tmp_.path();
    ASSERT_TRUE(sys::MkdirAll(dir_ + "/reg"));
    registry_ = std::make_unique<hp::testing::Registry>(dir_ + "/reg", hp::testing::FreePort());
    ASSERT_TRUE(registry_->Start()) << "registry did not start";
    auto s = Store::Open(dir_ + "/root");
    ASSERT_TRUE(s);
    store_.emplace(std::move(*s));
    opts_.auth_config = dir_ + "/no-config.json";
    opts_.backoff = std::chrono::milliseconds(50);
    opts_.retries = 1;
  }
  void TearDown() override { registry_.reset(); }

  // Pushes a one-layer image; returns its manifest.
  Pushed Push(const std::string& repo, const std::string& tag, const TarBuilder& layer,
              TarBuilder::Filter f = TarBuilder::Filter::kGzip, const std::string& arch = "amd64") {
    Pushed p;
    std::string blob = layer.Build(f);
    p.layer_digest = hp::testing::PushBlob(registry_->host(), repo, blob);
    EXPECT_FALSE(p.layer_digest.empty());
    json cfg{{"architecture", arch},
             {"os", "linux"},
             {"config", {{"Env", {"PATH=/bin"}}, {"Cmd", {"sh"}}}},
             {"rootfs", {{"type", "layers"}, {"diff_ids", {Sha256Digest(layer.Build())}}}}};
    std::string cfg_s = cfg.dump();
    std::string cfg_digest = hp::testing::PushBlob(registry_->host(), repo, cfg_s);
    std::string lmt = f == TarBuilder::Filter::kZstd ? std::string(kMediaOciLayerZstd)
                                                     : std::string(kMediaOciLayerGzip);
    json man{{"schemaVersion", 2},
             {"mediaType", kMediaOciManifest},
             {"config",
              {{"mediaType", kMediaOciConfig}, {"digest", cfg_digest}, {"size", cfg_s.size()}}},
             {"layers", {{{"mediaType", lmt}, {"digest", p.layer_digest}, {"size", blob.size()}}}}};
    p.manifest = man.dump();
    p.digest = Sha256Digest(p.manifest);
    EXPECT_TRUE(hp::testing::PushManifest(registry_->host(), repo, tag.empty() ? p.digest : tag,
                                          std::string(kMediaOciManifest), p.manifest));
    return p;
  }

  std::string Ref(const std::string& repo_tag) { return registry_->host() + "/" + repo_tag; }

  hp::testing::TempDir tmp_{"hp-registry-"};
  std::string dir_;
  std::unique_ptr<hp::testing::Registry> registry_;
  std::optional<Store> store_;
  PullOptions opts_;
};

TEST_F(RegistryTest, PullsGzipImageAndSkipsPresentBlobs) {
  Push("app", "v1", TarBuilder().File("bin/hello", "hi").Symlink("bin/sh", "hello"));
  auto r = Pull(*store_, Ref("app:v1"), opts_);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->image.name, Ref("app:v1"));
  EXPECT_EQ(r->blobs_downloaded, 2);
  EXPECT_EQ(r->image.config.cmd, std::vector<std::string>{"sh"});
  ASSERT_EQ(r->image.layers.size(), 1u);
  EXPECT_EQ(*sys::ReadFile(store_->LayerPath(r->image.layers[0].diff_id) + "/bin/hello"), "hi");
  auto again = Pull(*store_, Ref("app:v1"), opts_);
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->blobs_downloaded, 0);
  EXPECT_EQ(again->blobs_present, 2);
}

TEST_F(RegistryTest, ResolvesMultiArchIndex) {
  auto amd =
      Push("multi", "", TarBuilder().File("arch", "amd64"), TarBuilder::Filter::kGzip, "amd64");
  auto arm =
      Push("multi", "", TarBuilder().File("arch", "arm64"), TarBuilder::Filter::kGzip, "arm64");
  json idx{{"schemaVersion", 2},
           {"mediaType", kMediaOciIndex},
           {"manifests",
            {{{"mediaType", kMediaOciManifest},
              {"digest", amd.digest},
              {"size", amd.manifest.size()},
              {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}},
             {{"mediaType", kMediaOciManifest},
              {"digest", arm.digest},
              {"size", arm.manifest.size()},
              {"platform", {{"os", "linux"}, {"architecture", "arm64"}, {"variant", "v8"}}}}}}};
  ASSERT_TRUE(hp::testing::PushManifest(registry_->host(), "multi", "latest",
                                        std::string(kMediaOciIndex), idx.dump()));
  for (std::string arch : {"amd64", "arm64"}) {
    PullOptions o = opts_;
    o.platform = "linux/" + arch;
    auto r = Pull(*store_, Ref("multi"), o);
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(r->image.manifest_digest, arch == "amd64" ? amd.digest : arm.digest);
    EXPECT_EQ(*sys::ReadFile(store_->LayerPath(r->image.layers[0].diff_id) + "/arch"), arch);
    // Pinned by the index's digest (what people pin), the image pulled by tag is found.
    EXPECT_EQ(r->image.index_digest, Sha256Digest(idx.dump()));
    auto pinned = store_->Resolve(Ref("multi") + "@" + Sha256Digest(idx.dump()));
    ASSERT_TRUE(pinned) << pinned.error().ToString();
    EXPECT_EQ(pinned->id, r->image.id);
  }
  PullOptions o = opts_;
  o.platform = "linux/riscv64";
  auto none = Pull(*store_, Ref("multi"), o);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().ToString().find("linux/arm64/v8"), std::string::npos);
}

TEST_F(RegistryTest, PullsZstdLayer) {
  Push("zst", "1", TarBuilder().File("z", std::string(100000, 'z')), TarBuilder::Filter::kZstd);
  auto r = Pull(*store_, Ref("zst:1"), opts_);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->image.layers[0].media_type, kMediaOciLayerZstd);
  EXPECT_EQ(sys::ReadFile(store_->LayerPath(r->image.layers[0].diff_id) + "/z")->size(), 100000u);
}

TEST_F(RegistryTest, CorruptedBlobIsRefusedAndNothingStored) {
  auto p = Push("bad", "1", TarBuilder().File("f", std::string(5000, 'x')));
  std::string data_path = registry_->BlobDataPath(p.layer_digest);
  auto data = sys::ReadFile(data_path);
  ASSERT_TRUE(data);
  std::string tampered = *data;
  tampered[tampered.size() / 2] ^= 0x55;
  ASSERT_TRUE(sys::WriteFile(data_path, tampered));
  auto r = Pull(*store_, Ref("bad:1"), opts_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().ToString().find("digest mismatch"), std::string::npos)
      << r.error().ToString();
  EXPECT_FALSE(store_->HasBlob(p.layer_digest));
  EXPECT_FALSE(sys::Exists(store_->PartialPath(p.layer_digest)));
  EXPECT_FALSE(store_->Resolve(Ref("bad:1")));
  EXPECT_TRUE(store_->List()->empty());
}

TEST_F(RegistryTest, ResumesAfterRegistryIsKilledMidDownload) {
  std::string random(12 << 20, '\0');
  std::mt19937 rng(42);
  for (auto& c : random) c = static_cast<char>(rng());
  auto p = Push("big", "1", TarBuilder().File("random", random));
  PullOptions slow = opts_;
  slow.max_bytes_per_second = 2 << 20;  // about 6 s for the layer
  slow.retries = 0;
  Result<PullResult> first = Err(ErrorCode::kUnknown, "not run");
  std::thread t([&] { first = Pull(*store_, Ref("big:1"), slow); });
  // Killed once part of the layer is on disk (1 MiB, ~0.5 s at the throttle), not after a fixed
  // time that a loaded machine may spend before the first byte.
  const std::string partial = store_->PartialPath(p.layer_digest);
  (void)hp::testing::WaitFor(
      [&] {
        struct stat now;
        return ::stat(partial.c_str(), &now) == 0 && now.st_size >= (1 << 20);
      },
      20000, 10);
  registry_->Stop();
  t.join();
  ASSERT_FALSE(first) << "pull finished before the registry was killed";
  struct stat st;
  ASSERT_EQ(::stat(store_->PartialPath(p.layer_digest).c_str(), &st), 0);
  EXPECT_GT(st.st_size, 0);
  EXPECT_FALSE(store_->Resolve(Ref("big:1"))) << "a half image is visible";
  ASSERT_TRUE(registry_->Start());
  auto r = Pull(*store_, Ref("big:1"), opts_);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_GE(r->bytes_resumed, st.st_size);
  EXPECT_LT(r->bytes_downloaded, static_cast<int64_t>(random.size()));
  EXPECT_EQ(sys::ReadFile(store_->LayerPath(r->image.layers[0].diff_id) + "/random")->size(),
            random.size());
  EXPECT_FALSE(sys::Exists(store_->PartialPath(p.layer_digest)));
}

// Issue 18 item 1: a pull killed after a blob was fully downloaded but before its commit
// leaves a complete partial; docker-registry answers its resume with 416 (and a short body).
TEST_F(RegistryTest, CompletePartialIsCommittedWithoutARequest) {
  auto p = Push("done", "1", TarBuilder().File("f", std::string(300000, 'd')));
  auto blob = sys::ReadFile(registry_->BlobDataPath(p.layer_digest));
  ASSERT_TRUE(blob);
  ASSERT_TRUE(sys::WriteFile(store_->PartialPath(p.layer_digest), *blob));
  auto r = Pull(*store_, Ref("done:1"), opts_);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->bytes_resumed, static_cast<int64_t>(blob->size()));
  EXPECT_LT(r->bytes_downloaded, static_cast<int64_t>(blob->size()));  // the config only
  EXPECT_TRUE(store_->HasBlob(p.layer_digest));
  EXPECT_FALSE(sys::Exists(store_->PartialPath(p.layer_digest)));
}

// A partial that cannot be the blob's prefix (full size but wrong, or a wrong prefix)
// restarts the download from zero, once.
TEST_F(RegistryTest, UnverifiablePartialRestartsFromZero) {
  auto p = Push("wrong", "1", TarBuilder().File("f", std::string(300000, 'w')));
  auto blob = sys::ReadFile(registry_->BlobDataPath(p.layer_digest));
  ASSERT_TRUE(blob);
  for (size_t len : {blob->size(), blob->size() / 2}) {
    std::string junk(len, 'j');
    ASSERT_TRUE(sys::WriteFile(store_->PartialPath(p.layer_digest), junk));
    auto r = Pull(*store_, Ref("wrong:1"), opts_);
    ASSERT_TRUE(r) << len << ": " << r.error().ToString();
    EXPECT_TRUE(store_->HasBlob(p.layer_digest));
    EXPECT_FALSE(sys::Exists(store_->PartialPath(p.layer_digest)));
    ASSERT_TRUE(store_->Remove(Ref("wrong:1")));
    ASSERT_FALSE(store_->HasBlob(p.layer_digest));
  }
}

TEST_F(RegistryTest, ConcurrentPullsDownloadEachBlobOnce) {
  Push("conc", "1", TarBuilder().File("a", std::string(200000, 'a')));
  PullOptions o = opts_;
  o.max_bytes_per_second = 400000;
  Result<PullResult> a = Err(ErrorCode::kUnknown, "x"), b = Err(ErrorCode::kUnknown, "x");
  std::thread ta([&] { a = Pull(*store_, Ref("conc:1"), o); });
  std::thread tb([&] { b = Pull(*store_, Ref("conc:1"), o); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a) << a.error().ToString();
  ASSERT_TRUE(b) << b.error().ToString();
  EXPECT_EQ(a->blobs_downloaded + b->blobs_downloaded, 2);
  EXPECT_EQ(a->blobs_present + b->blobs_present, 2);
}

TEST_F(RegistryTest, TokenAuthWithCredentialsFromDockerConfig) {
  Push("private", "1", TarBuilder().File("secret", "s"));
  registry_->Stop();
  hp::testing::TokenServer tokens(dir_, "alice:wonderland", "test-issuer", "test-registry");
  ASSERT_TRUE(tokens.Start());
  ASSERT_TRUE(registry_->Start(tokens.realm(), tokens.cert_path()));
  // Without credentials the token server refuses.
  auto anon = Pull(*store_, Ref("private:1"), opts_);
  ASSERT_FALSE(anon);
  EXPECT_EQ(anon.error().code(), ErrorCode::kPermissionDenied) << anon.error().ToString();
  std::string cfg = dir_ + "/config.json";
  json dc{{"auths", {{registry_->host(), {{"auth", "YWxpY2U6d29uZGVybGFuZA=="}}}}}};
  ASSERT_TRUE(sys::WriteFile(cfg, dc.dump()));
  PullOptions o = opts_;
  o.auth_config = cfg;
  auto r = Pull(*store_, Ref("private:1"), o);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*sys::ReadFile(store_->LayerPath(r->image.layers[0].diff_id) + "/secret"), "s");
  EXPECT_GE(tokens.requests(), 2);
  registry_->Stop();
  tokens.Stop();
}

}  // namespace
}  // namespace hp::image
