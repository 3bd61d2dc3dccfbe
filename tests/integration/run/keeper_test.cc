// The keeper of a foreground `hostprocess run` (src/cli/hostprocess-keeper, FinishKilledRun): a
// run killed after it started its keeper but before it renamed its lock (ForegroundRun::Begin)
// leaves the lock under its temporary name, `<stem>.lock.new`; the keeper removes it, whether the
// run died before or after it wrote its record. Found by killing `run` 0-15 ms after its start.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "core/agent/foreground.h"
#include "core/sys/file.h"

namespace hp::agent {
namespace {

std::string KeeperBinary() {
  return std::string(HP_BINARY_DIR) + "/src/cli/hostprocess/hostprocess-keeper";
}

// Runs the keeper as `run` starts it: fd 3 the read end of a pipe whose writer is already gone
// (the run is dead), fd 4 the run's flock(2)ed lock file. Returns its exit status, or -1.
int RunKeeper(const std::string& record, const std::string& lock,
              const std::vector<std::string>& program) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return -1;
  int raw = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
  if (raw < 0 || ::flock(raw, LOCK_EX) != 0) return -1;
  // Above 4, so that dup2 below always makes a new descriptor (without close-on-exec).
  int pipe_fd = ::fcntl(p[0], F_DUPFD_CLOEXEC, 10), lock_fd = ::fcntl(raw, F_DUPFD_CLOEXEC, 10);
  ::close(p[0]);
  ::close(raw);
  std::vector<std::string> args = {"hostprocess-keeper", record};
  args.insert(args.end(), program.begin(), program.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string keeper = KeeperBinary();
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::dup2(pipe_fd, 3) < 0 || ::dup2(lock_fd, 4) < 0) ::_exit(126);
    ::execv(keeper.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(p[1]);
  ::close(pipe_fd);
  ::close(lock_fd);
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class Keeper : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    // Built with `hostprocess` (next to it), which this test binary depends on.
    ASSERT_TRUE(sys::Exists(KeeperBinary())) << KeeperBinary();
    stem_ = dir_.path() + "/0123abcd";
    ASSERT_TRUE(sys::WriteFile(stem_ + ".lock.new", ""));
    // Another run's lock, still being set up: not this keeper's.
    ASSERT_TRUE(sys::WriteFile(dir_.path() + "/4567ef01.lock.new", ""));
  }

  hp::testing::TempDir dir_{"hp-keeper-"};
  std::string stem_;
};

TEST_F(Keeper, ARunKilledBeforeItsRecordLeavesNoTemporaryLock) {
  const std::string ran = dir_.path() + "/ran";
  EXPECT_EQ(RunKeeper(stem_ + ".json", stem_ + ".lock.new", {"/bin/sh", "-c", "touch " + ran}), 0);
  EXPECT_FALSE(sys::Exists(stem_ + ".lock.new"));
  EXPECT_FALSE(sys::Exists(ran)) << "the clean-up ran without a record";
  EXPECT_TRUE(sys::Exists(dir_.path() + "/4567ef01.lock.new")) << "another run's lock went";
}

TEST_F(Keeper, ARecordLeftIsCleanedUpByTheProgram) {
  const std::string ran = dir_.path() + "/ran";
  ASSERT_TRUE(sys::WriteFile(stem_ + ".json", "{}"));
  EXPECT_EQ(RunKeeper(stem_ + ".json", stem_ + ".lock.new", {"/bin/sh", "-c", "touch " + ran}), 0);
  EXPECT_TRUE(sys::Exists(ran)) << "the clean-up did not run";
}

TEST_F(Keeper, ARunKilledBeforeItRenamedItsLockLeavesNoTemporaryLock) {
  // The record was written (nothing of the pod made yet: no cgroups under this root); the lock
  // still has its temporary name. What the keeper's clean-up program (`__finish-run`) does.
  const std::string record = stem_ + ".json";
  ASSERT_TRUE(
      sys::WriteFile(record, R"({"pid": 999999999, "start": 1, "root": ")" + dir_.path() +
                                 R"(", "cgroupRoot": "/hp-it-keeper-none", "podUid": "0123abcd-uid",
                  "containers": []})"));
  FinishKilledRun(record, stem_ + ".lock");
  EXPECT_FALSE(sys::Exists(record));
  EXPECT_FALSE(sys::Exists(stem_ + ".lock.new"));
  EXPECT_TRUE(sys::Exists(dir_.path() + "/4567ef01.lock.new")) << "another run's lock went";
}

}  // namespace
}  // namespace hp::agent
