#include "core/agent/store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/temp_dir.h"
#include "core/agent/status.h"
#include "core/sys/file.h"

namespace hp::agent {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    dir_ = tmp_.path();
  }
  hp::testing::TempDir tmp_{"agent-store-"};
  std::string dir_;
};

TEST_F(StoreTest, InitCreatesLayout) {
  Store s(dir_);
  ASSERT_TRUE(s.Init("boot-1"));
  EXPECT_TRUE(sys::IsDir(dir_ + "/desired/daemonsets"));
  EXPECT_TRUE(sys::IsDir(dir_ + "/run/pods"));
  EXPECT_TRUE(sys::IsDir(dir_ + "/logs"));
  EXPECT_EQ(*sys::ReadFile(dir_ + "/run/boot_id"), "boot-1\n");
}

// A command killed while it wrote run/boot_id leaves that write's temp file and no boot_id:
// the next Init, under the lock, removes the temp file.
TEST_F(StoreTest, InitRemovesABootIdTempOfAKilledWrite) {
  ASSERT_TRUE(sys::MkdirAll(dir_ + "/run"));
  std::string left = dir_ + "/run/boot_id.tmp-Xy12Zq";
  ASSERT_TRUE(sys::WriteFile(left, "boot-"));
  Store s(dir_);
  EXPECT_FALSE(*s.IsCurrentBoot("boot-1"));
  ASSERT_TRUE(s.Init("boot-1"));
  EXPECT_FALSE(sys::Exists(left));
  EXPECT_EQ(*sys::ReadFile(dir_ + "/run/boot_id"), "boot-1\n");
}

TEST_F(StoreTest, RebootClearsRunButKeepsDesired) {
  Store s(dir_);
  EXPECT_FALSE(*s.IsCurrentBoot("boot-1"));
  ASSERT_TRUE(s.Init("boot-1"));
  EXPECT_FALSE(s.rebooted());  // a first start is no reboot
  EXPECT_TRUE(*s.IsCurrentBoot("boot-1"));
  EXPECT_FALSE(*s.IsCurrentBoot("boot-2"));
  ASSERT_TRUE(
      s.PutDesired("daemonsets", "ns_a", {{"x", 1}, {"object", {{"metadata", {{"name", "a"}}}}}}));
  ASSERT_TRUE(sys::MkdirAll(s.PodDir("ns_a-bcdfg")));
  ASSERT_TRUE(s.Init("boot-1"));  // same boot: run/ kept
  EXPECT_EQ(*s.ListPodKeys(), std::vector<std::string>{"ns_a-bcdfg"});
  ASSERT_TRUE(s.Init("boot-2"));  // new boot: run/ cleared, desired kept
  EXPECT_TRUE(s.rebooted());
  EXPECT_TRUE(s.ListPodKeys()->empty());
  auto got = s.GetDesired("daemonsets", "ns_a");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((**got)["x"], 1);
}

// A damaged or missing run/boot_id is no proof of a reboot: a pod whose supervisor lives (here
// this test process, with its own pid, start time and boot) or whose status was written in this
// boot keeps its state; only a pod of another boot is retired and removed.
TEST_F(StoreTest, DamagedBootIdKeepsPodsOfLiveSupervisors) {
  for (const char* damage : {"garbage\0\xff", ""}) {
    SCOPED_TRACE(damage[0] ? "corrupt boot_id" : "missing boot_id");
    Store s(dir_);
    ASSERT_TRUE(s.Init("boot-1"));
    PodStatus live;
    live.supervisor_pid = ::getpid();
    live.supervisor_start = ProcessStartTime(::getpid());
    live.supervisor_boot = "boot-1";
    ASSERT_TRUE(sys::MkdirAll(s.PodDir("ns_live")));
    ASSERT_TRUE(WritePodStatus(s.PodDir("ns_live") + "/status.json", live));
    // Its status is damaged too, but the identity the CLI recorded names it.
    ASSERT_TRUE(sys::MkdirAll(s.PodDir("ns_id-only")));
    ASSERT_TRUE(sys::WriteFile(s.PodDir("ns_id-only") + "/status.json", "{\"phase\": "));
    ASSERT_TRUE(WriteSupervisorId(s.PodDir("ns_id-only"),
                                  {live.supervisor_pid, live.supervisor_start, "boot-1"}));
    PodStatus stale = live;
    stale.supervisor_boot = "boot-0";  // the same pid and start time, in another boot
    ASSERT_TRUE(sys::MkdirAll(s.PodDir("ns_stale")));
    ASSERT_TRUE(WritePodStatus(s.PodDir("ns_stale") + "/status.json", stale));
    if (damage[0]) {
      ASSERT_TRUE(sys::WriteFile(dir_ + "/run/boot_id", std::string(damage, 9)));
    } else {
      ASSERT_EQ(::unlink((dir_ + "/run/boot_id").c_str()), 0);
    }
    std::vector<std::string> retired;
    ASSERT_TRUE(s.Init("boot-1", [&](const std::string& key) { retired.push_back(key); }));
    EXPECT_EQ(*s.ListPodKeys(), (std::vector<std::string>{"ns_id-only", "ns_live"}));
    EXPECT_EQ(s.kept_pods(), (std::vector<std::string>{"ns_id-only", "ns_live"}));
    EXPECT_EQ(retired, std::vector<std::string>{"ns_stale"});
    EXPECT_EQ(*sys::ReadFile(dir_ + "/run/boot_id"), "boot-1\n");
    ASSERT_TRUE(sys::RemoveAll(dir_ + "/run"));
  }
}

TEST_F(StoreTest, DesiredRoundTripListDelete) {
  Store s(dir_);
  ASSERT_TRUE(s.Init("b"));
  nlohmann::json obj{{"metadata", {{"name", "x"}}}};
  ASSERT_TRUE(s.PutDesired("daemonsets", "ns_b", {{"n", "b"}, {"object", obj}}));
  ASSERT_TRUE(s.PutDesired("daemonsets", "ns_a", {{"n", "a"}, {"object", obj}}));
  auto all = s.ListDesired("daemonsets");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0]["n"], "a");
  ASSERT_TRUE(s.DeleteDesired("daemonsets", "ns_a"));
  ASSERT_TRUE(s.DeleteDesired("daemonsets", "ns_a"));  // idempotent
  EXPECT_EQ(s.ListDesired("daemonsets")->size(), 1u);
  EXPECT_FALSE(*s.GetDesired("daemonsets", "ns_a"));
  // No temp files left behind by the atomic writes.
  EXPECT_EQ(sys::ListDir(dir_ + "/desired/daemonsets")->size(), 1u);
}

// A writer killed between its temp file and the rename leaves the temp file: never read as
// state, removed by the next command that holds the lock.
TEST_F(StoreTest, KilledWritersTempFilesAreRemoved) {
  Store s(dir_);
  ASSERT_TRUE(s.Init("b"));
  ASSERT_TRUE(s.PutDesired("pods", "ns_a", {{"object", {{"metadata", {{"name", "a"}}}}}}));
  ASSERT_TRUE(sys::WriteFile(dir_ + "/desired/pods/ns_b.json.tmp-Ab12Cd", "{\"obj"));
  ASSERT_TRUE(sys::WriteFile(dir_ + "/desired/node.json.tmp-Ab12Cd", ""));
  // A DaemonSet's events file and a killed writer's temp file beside it.
  ASSERT_TRUE(sys::MkdirAll(s.daemonset_events().Dir()));
  ASSERT_TRUE(sys::WriteFile(s.daemonset_events().Path("ns_d"), "[]"));
  ASSERT_TRUE(sys::WriteFile(s.daemonset_events().Path("ns_d") + ".tmp-Ab12Cd", "[{"));
  EXPECT_EQ(s.ListDesired("pods")->size(), 1u);
  ASSERT_TRUE(s.RemoveStaleTempFiles());
  EXPECT_EQ(*sys::ListDir(dir_ + "/desired/pods"), std::vector<std::string>{"ns_a.json"});
  EXPECT_FALSE(sys::Exists(dir_ + "/desired/node.json.tmp-Ab12Cd"));
  EXPECT_EQ(*sys::ListDir(s.daemonset_events().Dir()),
            std::vector<std::string>{"ns_d.events.json"});
}

// One damaged desired file hides no other object: it is skipped and reported.
TEST_F(StoreTest, DamagedDesiredFileIsSkippedAndReported) {
  Store s(dir_);
  ASSERT_TRUE(s.Init("b"));
  ASSERT_TRUE(s.PutDesired("pods", "ns_a", {{"object", {{"metadata", {{"name", "a"}}}}}}));
  ASSERT_TRUE(sys::WriteFile(dir_ + "/desired/pods/ns_b.json", "{\"object\": {"));
  ASSERT_TRUE(sys::WriteFile(dir_ + "/desired/pods/ns_c.json", "[1, 2]"));
  std::vector<Store::Unreadable> bad;
  auto list = s.ListDesired("pods", &bad);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 1u);
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_EQ(bad[0].key, "ns_b");
  EXPECT_NE(bad[0].error.find("ns_b.json"), std::string::npos);
  EXPECT_EQ(bad[1].key, "ns_c");
  EXPECT_FALSE(s.GetDesired("pods", "ns_c"));  // an error, not a crash on the wrong shape
}

// The keys of the stored objects, without reading them: a damaged one too, a writer's temp
// file not; none for a kind never stored.
TEST_F(StoreTest, DesiredKeysAreListedWithoutReadingTheFiles) {
  Store s(dir_);
  ASSERT_TRUE(s.Init("b"));
  ASSERT_TRUE(s.PutDesired("pods", "ns_b", {{"object", {{"metadata", {{"name", "b"}}}}}}));
  ASSERT_TRUE(s.PutDesired("pods", "ns_a", {{"object", {{"metadata", {{"name", "a"}}}}}}));
  ASSERT_TRUE(sys::WriteFile(dir_ + "/desired/pods/ns_c.json", "{\"object\": {"));
  ASSERT_TRUE(sys::WriteFile(dir_ + "/desired/pods/ns_d.json.tmp-Ab12Cd", "{"));
  auto keys = s.ListDesiredKeys("pods");
  ASSERT_TRUE(keys);
  EXPECT_EQ(*keys, (std::vector<std::string>{"ns_a", "ns_b", "ns_c"}));
  keys = s.ListDesiredKeys("secrets");
  ASSERT_TRUE(keys);
  EXPECT_TRUE(keys->empty());
}

TEST_F(StoreTest, BadJsonIsAnErrorNamingThePath) {
  ASSERT_TRUE(sys::WriteFile(dir_ + "/x.json", "{nope"));
  auto r = ReadJsonFile(dir_ + "/x.json");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().ToString().find(dir_ + "/x.json"), std::string::npos);
}

// ReadStateFile reads a file that fits its buffer in one read(2), and one that does not in
// full: sizes around the 16 KiB buffer, and an empty file.
TEST_F(StoreTest, StateFilesOfAnySizeReadWhole) {
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{16383}, size_t{16384}, size_t{16385}, size_t{100000}}) {
    SCOPED_TRACE(size);
    std::string text(size, 'x');
    for (size_t i = 0; i < size; i += 97) text[i] = static_cast<char>('a' + i % 26);
    ASSERT_TRUE(sys::WriteFile(dir_ + "/f", text));
    auto r = ReadStateFile(dir_ + "/f");
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(*r, text);
  }
  // And a JSON object larger than the buffer, through ReadJsonFile.
  nlohmann::json big = {{"annotations", {{"a", std::string(40000, 'v')}}}, {"n", 7}};
  ASSERT_TRUE(WriteJsonFileAtomic(dir_ + "/big.json", big));
  auto j = ReadJsonFile(dir_ + "/big.json");
  ASSERT_TRUE(j) << j.error().ToString();
  EXPECT_EQ(*j, big);
  auto missing = ReadStateFile(dir_ + "/none");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().ToString().find(dir_ + "/none"), std::string::npos);
}

TEST_F(StoreTest, LockExcludesOtherProcesses) {
  Store s(dir_);
  ASSERT_TRUE(s.Init("b"));
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  auto lock = s.Lock();
  ASSERT_TRUE(lock && lock->held());
  pid_t pid = fork();
  if (pid == 0) {
    lock->Unlock();               // only closes the inherited fd: the parent still holds the lock
    auto l = Store(dir_).Lock();  // blocks until the parent unlocks
    char c = l ? 'y' : 'n';
    (void)!write(pipefd[1], &c, 1);
    _exit(0);
  }
  close(pipefd[1]);
  // Wait until the kernel lists the child as a blocked waiter on a lock ("-> FLOCK ... <pid>"
  // in /proc/locks): only then does "nothing written yet" show that the lock excludes it. A
  // Lock that did not block would write 'y' and never be listed.
  auto waiting = [&] {
    std::ifstream locks("/proc/locks");
    std::string line;
    const std::string pid_field = " " + std::to_string(pid) + " ";
    while (std::getline(locks, line))
      if (line.find("-> FLOCK") != std::string::npos && line.find(pid_field) != std::string::npos)
        return true;
    return false;
  };
  bool blocked = false;
  for (int i = 0; i < 1000 && !(blocked = waiting()); ++i) usleep(5'000);
  EXPECT_TRUE(blocked) << "the child never waited for the lock";
  char c = 0;
  fd_set set;
  FD_ZERO(&set);
  FD_SET(pipefd[0], &set);
  timeval tv{0, 0};
  EXPECT_EQ(select(pipefd[0] + 1, &set, nullptr, nullptr, &tv), 0);
  lock->Unlock();
  ASSERT_EQ(read(pipefd[0], &c, 1), 1);
  EXPECT_EQ(c, 'y');
  int status = 0;
  waitpid(pid, &status, 0);
  close(pipefd[0]);
}

}  // namespace
}  // namespace hp::agent
