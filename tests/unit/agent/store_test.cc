#include "core/agent/store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/sys/file.h"

namespace hp::agent {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = sys::MakeTempDir("agent-store-");
    ASSERT_TRUE(d);
    dir_ = *d;
  }
  void TearDown() override { (void)sys::RemoveAll(dir_); }
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

TEST_F(StoreTest, RebootClearsRunButKeepsDesired) {
  Store s(dir_);
  EXPECT_FALSE(*s.IsCurrentBoot("boot-1"));
  ASSERT_TRUE(s.Init("boot-1"));
  EXPECT_FALSE(s.rebooted());  // a first start is no reboot
  EXPECT_TRUE(*s.IsCurrentBoot("boot-1"));
  EXPECT_FALSE(*s.IsCurrentBoot("boot-2"));
  ASSERT_TRUE(s.PutDesired("daemonsets", "ns_a", {{"x", 1}}));
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

TEST_F(StoreTest, DesiredRoundTripListDelete) {
  Store s(dir_);
  ASSERT_TRUE(s.Init("b"));
  ASSERT_TRUE(s.PutDesired("daemonsets", "ns_b", {{"n", "b"}}));
  ASSERT_TRUE(s.PutDesired("daemonsets", "ns_a", {{"n", "a"}}));
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

TEST_F(StoreTest, BadJsonIsAnErrorNamingThePath) {
  ASSERT_TRUE(sys::WriteFile(dir_ + "/x.json", "{nope"));
  auto r = ReadJsonFile(dir_ + "/x.json");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().ToString().find(dir_ + "/x.json"), std::string::npos);
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
  usleep(100'000);
  char c = 0;
  // Nothing was written yet: the child is blocked on the lock.
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
