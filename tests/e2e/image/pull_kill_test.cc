// Issue 18: kill -9 of `hostprocess pull` at seeded random moments never wedges the store: the
// next pull of every image succeeds and no temp data remains.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "common/temp_dir.h"
#include "core/image/digest.h"
#include "core/image/manifest.h"
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

std::string Binary() { return std::string(HP_BINARY_DIR) + "/src/cli/hostprocess/hostprocess"; }

pid_t Spawn(const std::string& root, const std::string& ref) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(Binary().c_str(), "hostprocess", "--root", root.c_str(), "pull", "-q", "--timeout",
            "20", ref.c_str(), nullptr);
    ::_exit(127);
  }
  return pid;
}

int Wait(pid_t pid) {
  int st = 0;
  ::waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

TEST(PullKill, RandomKillsNeverWedgeTheStore) {
  if (!sys::Exists(Binary())) GTEST_SKIP() << "hostprocess not built";
  hp::testing::TempDir d("hp-pull-kill-");
  ASSERT_TRUE(d.ok());
  std::string dir = d.path(), root = dir + "/root";
  FakeRegistry reg;
  ASSERT_TRUE(reg.Start());
  // Three images sharing a base layer; every blob trickles at 4 MB/s, so a pull takes about a
  // second and kills land before, during and after downloads, unpacks and commits.
  std::mt19937 rng(18);
  auto random = [&](size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
  };
  TarBuilder base_tar;
  base_tar.File("base", random(1 << 20));
  std::string base = base_tar.Build(TarBuilder::Filter::kGzip);
  std::string base_digest = reg.PutBlob(base);
  std::vector<std::string> refs;
  for (int i = 0; i < 3; ++i) {
    TarBuilder top_tar;
    top_tar.File("top" + std::to_string(i), random(1 << 20));
    std::string top = top_tar.Build(TarBuilder::Filter::kGzip);
    json cfg{{"architecture", "amd64"},
             {"os", "linux"},
             {"rootfs",
              {{"type", "layers"},
               {"diff_ids", {Sha256Digest(base_tar.Build()), Sha256Digest(top_tar.Build())}}}}};
    std::string c = cfg.dump();
    json man{{"schemaVersion", 2},
             {"mediaType", kMediaOciManifest},
             {"config",
              {{"mediaType", kMediaOciConfig}, {"digest", reg.PutBlob(c)}, {"size", c.size()}}},
             {"layers",
              {{{"mediaType", kMediaOciLayerGzip}, {"digest", base_digest}, {"size", base.size()}},
               {{"mediaType", kMediaOciLayerGzip},
                {"digest", reg.PutBlob(top)},
                {"size", top.size()}}}}};
    std::string tag = "v" + std::to_string(i);
    reg.PutManifest(tag, std::string(kMediaOciManifest), man.dump());
    refs.push_back(reg.host() + "/app:" + tag);
  }
  reg.hook = [&](const FakeRequest& q) -> std::optional<FakeResponse> {
    if (q.path.find("/blobs/") == std::string::npos) return std::nullopt;
    FakeResponse r = reg.Default(q);
    r.bytes_per_second = 4 << 20;
    return r;
  };
  int kills = 0, finished = 0;
  std::uniform_int_distribution<int> delay_ms(0, 1200), pick(0, 2), concurrent(1, 2);
  for (int round = 0; round < 15; ++round) {
    std::vector<pid_t> pids;
    int n = concurrent(rng);
    for (int k = 0; k < n; ++k) pids.push_back(Spawn(root, refs[static_cast<size_t>(pick(rng))]));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    for (pid_t p : pids) {
      if (::kill(p, SIGKILL) == 0) kills++;
      if (Wait(p) == 0) finished++;
    }
  }
  // Every image pulls now, and nothing is left in ingest/.
  for (const auto& ref : refs) EXPECT_EQ(Wait(Spawn(root, ref)), 0) << ref;
  auto left = sys::ListDir(root + "/images/ingest");
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->empty()) << "left in ingest: " << (left->empty() ? "" : left->front());
  std::printf("pull kill loop: %d rounds, %d kill signals, %d pulls finished before their kill\n",
              15, kills, finished);
  reg.Stop();
}

}  // namespace
}  // namespace hp::image
