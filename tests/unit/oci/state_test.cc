#include "core/oci/state.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/temp_dir.h"
#include "core/sys/file.h"
#include "core/sys/process.h"

namespace hp::oci {
namespace {

class StateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    dir_ = tmp_.path();
  }
  hp::testing::TempDir tmp_{"hp-oci-state-"};
  std::string dir_;
};

TEST_F(StateTest, EncodeDecodeRoundTrip) {
  ContainerState s;
  s.id = "c1";
  s.bundle = "/b";
  s.rootfs = "/b/rootfs";
  s.created = "2026-11-22T10:00:00.000000001Z";
  s.init_pid = 42;
  s.init_start_time = 123456;
  s.cgroup_path = "/ns/c1";
  s.annotations = {{"a", "b"}};
  s.mounts = {"/b/rootfs/data"};
  s.started = true;
  auto d = DecodeState(EncodeState(s));
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_EQ(d->id, "c1");
  EXPECT_EQ(d->init_pid, 42);
  EXPECT_EQ(d->init_start_time, 123456u);
  EXPECT_EQ(d->cgroup_path, "/ns/c1");
  EXPECT_EQ(d->annotations.at("a"), "b");
  EXPECT_EQ(d->mounts, s.mounts);
  EXPECT_TRUE(d->started);
  EXPECT_FALSE(d->config);  // as in an intent log, or a state of an older runtime
  EXPECT_FALSE(DecodeState("{}"));
}

// The config kept at create (hooks, seccomp flag) comes back whole.
TEST_F(StateTest, KeepsTheConfigOfCreate) {
  ContainerState s;
  s.id = "c1";
  CreatedConfig c;
  c.oci_version = "1.1.0";
  c.start_container = {Hook{"/bin/a", {"a", "1"}, {"X=1"}, 5}};
  c.poststart = {Hook{"/bin/b", {}, {}, std::nullopt}, Hook{"/bin/c", {"c"}, {}, 7}};
  c.poststop = {Hook{"/bin/d", {}, {"Y=2", "Z=3"}, std::nullopt}};
  c.seccomp = true;
  s.config = c;
  auto d = DecodeState(EncodeState(s));
  ASSERT_TRUE(d) << d.error().ToString();
  ASSERT_TRUE(d->config);
  EXPECT_EQ(d->config->oci_version, "1.1.0");
  EXPECT_TRUE(d->config->seccomp);
  ASSERT_EQ(d->config->start_container.size(), 1u);
  EXPECT_EQ(d->config->start_container[0].path, "/bin/a");
  EXPECT_EQ(d->config->start_container[0].args, (std::vector<std::string>{"a", "1"}));
  EXPECT_EQ(d->config->start_container[0].env, (std::vector<std::string>{"X=1"}));
  EXPECT_EQ(d->config->start_container[0].timeout, 5);
  ASSERT_EQ(d->config->poststart.size(), 2u);
  EXPECT_EQ(d->config->poststart[0].timeout, std::nullopt);
  EXPECT_EQ(d->config->poststart[1].path, "/bin/c");
  EXPECT_EQ(d->config->poststart[1].timeout, 7);
  ASSERT_EQ(d->config->poststop.size(), 1u);
  EXPECT_EQ(d->config->poststop[0].env, (std::vector<std::string>{"Y=2", "Z=3"}));
  s.config->seccomp = false;
  s.config->poststop.clear();
  d = DecodeState(EncodeState(s));
  ASSERT_TRUE(d && d->config);
  EXPECT_FALSE(d->config->seccomp);
  EXPECT_TRUE(d->config->poststop.empty());
}

// The kept hooks are decoded as config.json's are: a damaged state is refused, naming the field,
// rather than giving start or delete a hook config.json could not have had.
TEST_F(StateTest, KeptHooksAreCheckedAsConfigJsonsAre) {
  ContainerState s;
  s.id = "c1";
  s.config = CreatedConfig{};
  s.config->poststop = {Hook{"/bin/d", {}, {}, 0}};  // config.json's decoder refuses timeout 0
  auto d = DecodeState(EncodeState(s));
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().ToString().find("hooks.poststop[0].timeout: must be positive"),
            std::string::npos)
      << d.error().ToString();
  s.config->poststop = {Hook{"", {}, {}, std::nullopt}};
  d = DecodeState(EncodeState(s));
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().ToString().find("hooks.poststop[0].path: required"), std::string::npos)
      << d.error().ToString();
}

TEST_F(StateTest, ValidatesIdsLikeRunc) {
  EXPECT_TRUE(ValidateId("abc-1.2_3+x"));
  EXPECT_FALSE(ValidateId(""));
  EXPECT_FALSE(ValidateId("../x"));
  EXPECT_FALSE(ValidateId("a/b"));
  EXPECT_FALSE(ValidateId(".hidden"));
}

TEST_F(StateTest, CreateSaveLoadListRemove) {
  StateStore store(dir_ + "/root");
  {
    auto lock = store.CreateAndLock("c1");
    ASSERT_TRUE(lock) << lock.error().ToString();
    ContainerState s;
    s.id = "c1";
    s.init_pid = 7;
    ASSERT_TRUE(store.Save(s));
  }
  auto again = store.CreateAndLock("c1");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message(), "container with id exists: c1");
  auto loaded = store.Load("c1");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->init_pid, 7);
  EXPECT_EQ(*store.List(), std::vector<std::string>{"c1"});
  auto missing = store.Load("nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(), "container does not exist");
  auto nolock = store.Lock("nope");
  ASSERT_FALSE(nolock);
  EXPECT_EQ(nolock.error().message(), "container does not exist");
  ASSERT_TRUE(store.Remove("c1"));
  EXPECT_TRUE(store.List()->empty());
}

TEST_F(StateTest, StaleDirectoryOfACrashedCreateIsTakenOver) {
  StateStore store(dir_ + "/root");
  ASSERT_TRUE(sys::MkdirAll(store.Dir("c1")));
  ASSERT_TRUE(sys::WriteFile(store.Dir("c1") + "/exec.fifo", ""));
  auto lock = store.CreateAndLock("c1");
  ASSERT_TRUE(lock) << lock.error().ToString();
  EXPECT_FALSE(sys::Exists(store.Dir("c1") + "/exec.fifo"));
}

TEST_F(StateTest, LockExcludesOtherProcessesButIsNotInheritedByChildren) {
  StateStore store(dir_ + "/root");
  auto lock = store.CreateAndLock("c1");
  ASSERT_TRUE(lock);
  // A child (like the container's init forked by `create`) neither holds nor can take it.
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open((store.Dir("c1") + "/.lock").c_str(), O_RDWR);
    struct flock fl = {};
    fl.l_type = F_WRLCK;
    _exit(::fcntl(fd, F_SETLK, &fl) == 0 ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // Once the parent drops the lock, another process gets it even though a child still runs
  // with the inherited descriptor.
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  pid_t holder = ::fork();
  if (holder == 0) {
    char c;
    (void)!::read(go[0], &c, 1);
    _exit(0);
  }
  lock = ContainerLock();
  pid = ::fork();
  if (pid == 0) {
    StateStore other(dir_ + "/root");
    _exit(other.Lock("c1") ? 0 : 1);
  }
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  (void)!::write(go[1], "x", 1);
  ::waitpid(holder, &status, 0);
  ::close(go[0]);
  ::close(go[1]);
}

TEST_F(StateTest, ProcessStartTimeDetectsLiveness) {
  auto self = sys::LiveStartTicks(::getpid());
  ASSERT_TRUE(self);
  EXPECT_GT(*self, 0u);
  pid_t pid = ::fork();
  if (pid == 0) _exit(0);
  int status;
  ::waitpid(pid, &status, 0);
  EXPECT_FALSE(sys::LiveStartTicks(pid));
  EXPECT_FALSE(sys::LiveStartTicks(0));
}

}  // namespace
}  // namespace hp::oci
