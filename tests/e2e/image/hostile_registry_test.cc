// Pulls from a registry that misbehaves: the fake registry of fake_registry.h on 127.0.0.1,
// one misbehaviour per test (issue 18).
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <nlohmann/json.hpp>
#include <random>

#include "common/temp_dir.h"
#include "core/image/digest.h"
#include "core/image/manifest.h"
#include "core/image/registry.h"
#include "core/sys/file.h"
#include "data/image/tar_builder.h"
#include "e2e/image/fake_registry.h"

namespace hp::image {
namespace {

using hp::testing::FakeRegistry;
using hp::testing::FakeRequest;
using hp::testing::FakeResponse;
using hp::testing::TarBuilder;
using nlohmann::json;

std::string Random(size_t n, unsigned seed) {
  std::string s(n, '\0');
  std::mt19937 rng(seed);
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

struct FakeImage {
  std::string layer, layer_digest, config, config_digest;
  json manifest;
};

class HostileRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    dir_ = tmp_.path();
    ASSERT_TRUE(reg_.Start());
    OpenStore(dir_ + "/root");
    opts_.auth_config = dir_ + "/no-config.json";
    opts_.backoff = std::chrono::milliseconds(50);
    opts_.retries = 1;
  }
  void TearDown() override {
    reg_.Stop();
    store_.reset();
    if (!mount_.empty()) ::umount2(mount_.c_str(), MNT_DETACH);
  }
  void OpenStore(const std::string& root) {
    auto s = Store::Open(root);
    ASSERT_TRUE(s) << s.error().ToString();
    store_.emplace(std::move(*s));
  }

  // An image with one layer holding `file`; `config` fields are merged into its config.
  FakeImage Make(const std::string& file, json config = json::object()) {
    FakeImage img;
    TarBuilder tar;
    tar.File("f", file);
    img.layer = tar.Build(TarBuilder::Filter::kGzip);
    img.layer_digest = reg_.PutBlob(img.layer);
    json cfg{{"architecture", "amd64"},
             {"os", "linux"},
             {"config", {{"Cmd", {"sh"}}}},
             {"rootfs", {{"type", "layers"}, {"diff_ids", {Sha256Digest(tar.Build())}}}}};
    cfg.merge_patch(config);
    img.config = cfg.dump();
    img.config_digest = reg_.PutBlob(img.config);
    img.manifest = {{"schemaVersion", 2},
                    {"mediaType", kMediaOciManifest},
                    {"config",
                     {{"mediaType", kMediaOciConfig},
                      {"digest", img.config_digest},
                      {"size", img.config.size()}}},
                    {"layers",
                     {{{"mediaType", kMediaOciLayerGzip},
                       {"digest", img.layer_digest},
                       {"size", img.layer.size()}}}}};
    return img;
  }
  void Publish(const std::string& tag, const json& manifest) {
    reg_.PutManifest(tag, std::string(kMediaOciManifest), manifest.dump());
  }
  std::string Ref(const std::string& tag) { return reg_.host() + "/app:" + tag; }
  // The pull, given up (and the test failed) if it does not end in `limit`.
  Result<PullResult> PullWithin(const std::string& ref, const PullOptions& o,
                                std::chrono::seconds limit = std::chrono::seconds(30)) {
    auto f = std::async(std::launch::async, [&] { return Pull(*store_, ref, o); });
    if (f.wait_for(limit) != std::future_status::ready) {
      ADD_FAILURE() << "pull of " << ref << " still running after " << limit.count() << " s";
      reg_.Stop();  // closes the connections: the pull ends
    }
    return f.get();
  }

  hp::testing::TempDir tmp_{"hp-hostile-"};
  std::string dir_, mount_;
  FakeRegistry reg_;
  std::optional<Store> store_;
  PullOptions opts_;
};

// Item 2: a descriptor's size bounds its download; without a usable one nothing is fetched.
TEST_F(HostileRegistryTest, LayerWithoutUsableSizeIsRefusedBeforeAnyDownload) {
  auto img = Make(Random(1000, 1));
  int n = 0;
  for (json bad : {json(), json(0), json(1.5e9), json("1000")}) {
    json m = img.manifest;
    if (bad.is_null())
      m["layers"][0].erase("size");
    else
      m["layers"][0]["size"] = bad;
    std::string tag = "s" + std::to_string(n++);
    Publish(tag, m);
    auto r = PullWithin(Ref(tag), opts_);
    ASSERT_FALSE(r) << bad.dump();
    EXPECT_NE(r.error().ToString().find("size must be an integer > 0"), std::string::npos)
        << r.error().ToString();
  }
  EXPECT_EQ(reg_.Requests("/blobs/"), 0);
}

TEST_F(HostileRegistryTest, LayerAnnouncedAboveTheCapIsRefused) {
  auto img = Make("x");
  json m = img.manifest;
  m["layers"][0]["size"] = int64_t{40} << 30;
  Publish("huge", m);
  auto r = PullWithin(Ref("huge"), opts_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().ToString().find("--max-layer-size"), std::string::npos)
      << r.error().ToString();
  EXPECT_EQ(reg_.Requests("/blobs/"), 0);
}

// Item 4: the config blob has a cap of its own, and the index copies little of it.
TEST_F(HostileRegistryTest, ConfigAboveItsCapIsRefusedBeforeAnyDownload) {
  auto img = Make("x");
  json m = img.manifest;
  m["config"]["size"] = kMaxConfigBytes + 1;
  Publish("bigcfg", m);
  auto r = PullWithin(Ref("bigcfg"), opts_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().ToString().find("the limit is"), std::string::npos) << r.error().ToString();
  EXPECT_EQ(reg_.Requests("/blobs/"), 0);
}

TEST_F(HostileRegistryTest, ConfigFieldsTooLargeForTheIndexAreRefused) {
  json labels = json::object();
  for (int i = 0; i < 300; ++i) labels["l" + std::to_string(i)] = std::string(4000, 'v');
  auto img = Make("x", {{"config", {{"Labels", labels}}}});
  ASSERT_LT(img.config.size(), static_cast<size_t>(kMaxConfigBytes));
  Publish("labels", img.manifest);
  auto r = PullWithin(Ref("labels"), opts_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().ToString().find("the limit is"), std::string::npos) << r.error().ToString();
  EXPECT_FALSE(sys::Exists(store_->dir() + "/index.json"));
}

// Item 7: a 206 whose data starts elsewhere than asked is not appended to the partial.
TEST_F(HostileRegistryTest, PartialContentFromTheWrongOffsetRestartsFromZero) {
  auto img = Make(Random(200000, 7));
  Publish("v1", img.manifest);
  ASSERT_TRUE(sys::WriteFile(store_->PartialPath(img.layer_digest), img.layer.substr(0, 5000)));
  reg_.hook = [&](const FakeRequest& q) -> std::optional<FakeResponse> {
    if (q.path.find(img.layer_digest) == std::string::npos || q.RangeFrom() <= 0)
      return std::nullopt;
    std::string size = std::to_string(img.layer.size());
    return FakeResponse{
        206,
        {{"Content-Range", "bytes 0-" + std::to_string(img.layer.size() - 1) + "/" + size}},
        img.layer};
  };
  auto r = PullWithin(Ref("v1"), opts_);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*sys::ReadFile(store_->LayerPath(r->image.layers[0].diff_id) + "/f"),
            Random(200000, 7));
  EXPECT_FALSE(sys::Exists(store_->PartialPath(img.layer_digest)));
  EXPECT_EQ(reg_.Requests(img.layer_digest), 2);  // the misplaced resume, then from zero
}

// Item 3: a full disk is the disk's fault, and what filled it goes.
TEST_F(HostileRegistryTest, FullDiskIsReportedAndTheJunkRemoved) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  // In a mount namespace of this test process's own: the host never sees the tmpfs.
  ASSERT_EQ(::unshare(CLONE_NEWNS), 0) << std::strerror(errno);
  ASSERT_EQ(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0);
  mount_ = dir_ + "/small";
  ASSERT_TRUE(sys::MkdirAll(mount_));
  ASSERT_EQ(::mount("tmpfs", mount_.c_str(), "tmpfs", 0, "size=1m"), 0) << std::strerror(errno);
  OpenStore(mount_ + "/root");
  auto big = Make(Random(3 << 20, 3));
  Publish("big", big.manifest);
  auto r = PullWithin(Ref("big"), opts_);
  ASSERT_FALSE(r);
  std::string msg = r.error().ToString();
  EXPECT_NE(msg.find("No space left on device"), std::string::npos) << msg;
  EXPECT_NE(msg.find(store_->PartialPath(big.layer_digest)), std::string::npos) << msg;
  EXPECT_EQ(msg.find("registry sent more"), std::string::npos) << msg;
  EXPECT_FALSE(sys::Exists(store_->PartialPath(big.layer_digest)));
  // The space is back: a small image pulls.
  auto small = Make("small");
  Publish("small", small.manifest);
  auto ok = PullWithin(Ref("small"), opts_);
  ASSERT_TRUE(ok) << ok.error().ToString();
}

// Item 5: a registry that trickles never holds a pull (and the store's locks) for long.
TEST_F(HostileRegistryTest, TricklingRegistryHitsTheBlobDeadline) {
  auto img = Make(Random(5000, 5));
  Publish("slow", img.manifest);
  reg_.hook = [&](const FakeRequest& q) -> std::optional<FakeResponse> {
    if (q.path.find(img.layer_digest) == std::string::npos) return std::nullopt;
    FakeResponse r = reg_.Default(q);
    r.bytes_per_second = 1;
    return r;
  };
  PullOptions o = opts_;
  o.timeout = std::chrono::seconds(2);
  auto start = std::chrono::steady_clock::now();
  auto r = PullWithin(Ref("slow"), o, std::chrono::seconds(40));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().ToString().find("deadline"), std::string::npos) << r.error().ToString();
  EXPECT_LT(took, std::chrono::seconds(8));
  // The partial stays for a later resume; the blob lock is free again.
  EXPECT_TRUE(sys::Exists(store_->PartialPath(img.layer_digest)));
}

// Item 6: text from the registry cannot drive the terminal.
TEST_F(HostileRegistryTest, TerminalControlsFromTheRegistryAreEscaped) {
  reg_.hook = [&](const FakeRequest&) -> std::optional<FakeResponse> {
    return FakeResponse{404,
                        {},
                        "\x1b]0;owned\x07\x1b[2J\rPulled ok\x9b"
                        "1m"};
  };
  auto r = PullWithin(Ref("esc"), opts_);
  ASSERT_FALSE(r);
  std::string msg = r.error().ToString();
  for (char c : msg) EXPECT_FALSE((c >= 0 && c < 0x20) || c == 0x7f || c == '\x9b') << msg;
  EXPECT_NE(msg.find("\\x1b]0;owned\\x07\\x1b[2J\\x0dPulled ok"), std::string::npos) << msg;
}

// Item 9: Retry-After is honoured; one request is not "5 attempts".
TEST_F(HostileRegistryTest, RetryAfterIsHonoured) {
  auto img = Make("x");
  Publish("busy", img.manifest);
  std::atomic<int> manifests{0};
  reg_.hook = [&](const FakeRequest& q) -> std::optional<FakeResponse> {
    if (q.path.find("/manifests/") == std::string::npos || manifests++ > 0) return std::nullopt;
    return FakeResponse{503, {{"Retry-After", "2"}}, "busy"};
  };
  auto start = std::chrono::steady_clock::now();
  auto r = PullWithin(Ref("busy"), opts_);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1900));
}

// An error retrying cannot fix (here a manifest above the 4 MiB limit) is not retried, and one
// request is not "after 2 attempts".
TEST_F(HostileRegistryTest, UnretryableErrorSaysNothingAboutAttempts) {
  reg_.hook = [&](const FakeRequest&) -> std::optional<FakeResponse> {
    return FakeResponse{200, {}, std::string(kMaxManifestBytes + 1, ' ')};
  };
  auto r = PullWithin(Ref("huge-manifest"), opts_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().ToString().find("larger than"), std::string::npos) << r.error().ToString();
  EXPECT_EQ(r.error().ToString().find("attempts"), std::string::npos) << r.error().ToString();
  EXPECT_EQ(reg_.Requests("/manifests/"), 1);
}

TEST_F(HostileRegistryTest, RedirectToAnotherSchemeIsNotRetried) {
  reg_.hook = [&](const FakeRequest&) -> std::optional<FakeResponse> {
    return FakeResponse{302, {{"Location", "ftp://127.0.0.1/x"}}, ""};
  };
  PullOptions o = opts_;
  o.retries = 4;
  auto r = PullWithin(Ref("redir"), o);
  ASSERT_FALSE(r);
  EXPECT_EQ(reg_.Requests(), 1) << r.error().ToString();
}

TEST_F(HostileRegistryTest, OversizedTokenIsNamed) {
  auto img = Make("x");
  Publish("tok", img.manifest);
  reg_.hook = [&](const FakeRequest& q) -> std::optional<FakeResponse> {
    if (q.path.rfind("/token", 0) == 0)
      return FakeResponse{200, {}, json{{"token", std::string(200000, 't')}}.dump()};
    if (q.headers.count("authorization")) return std::nullopt;
    return FakeResponse{
        401, {{"WWW-Authenticate", "Bearer realm=\"http://" + reg_.host() + "/token\""}}, ""};
  };
  auto r = PullWithin(Ref("tok"), opts_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().ToString().find("token of 200000 bytes"), std::string::npos)
      << r.error().ToString();
}

TEST_F(HostileRegistryTest, PlatformIsCheckedAgainstASingleManifestsConfig) {
  auto img = Make("x", {{"architecture", "arm64"}});
  Publish("arm", img.manifest);
  PullOptions o = opts_;
  o.platform = "linux/amd64";
  auto r = PullWithin(Ref("arm"), o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().ToString().find("linux/arm64"), std::string::npos) << r.error().ToString();
  o.platform = "linux/arm64";
  auto ok = PullWithin(Ref("arm"), o);
  ASSERT_TRUE(ok) << ok.error().ToString();
}

TEST_F(HostileRegistryTest, SizeRecordedIsTheSizeOfTheBlob) {
  auto img = Make(Random(3000, 9));
  json m = img.manifest;
  m["layers"][0]["size"] = img.layer.size() + 100;  // the registry lies
  Publish("lie", m);
  auto r = PullWithin(Ref("lie"), opts_);
  ASSERT_FALSE(r);
  Publish("true", img.manifest);
  auto ok = PullWithin(Ref("true"), opts_);
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->image.layers[0].size, static_cast<int64_t>(img.layer.size()));
}

}  // namespace
}  // namespace hp::image
