// The keeper of a foreground `hostprocess run` (src/cli/hostprocess-keeper, FinishKilledRun). `run`
// starts it before anything of the run exists, then makes its lock under a temporary name
// (`<stem>.lock.new`), writes its record and renames the lock (ForegroundRun::Begin); a kill at
// any of those moments must leave nothing once the keeper is done. Found by killing `run` 0-20 ms
// after its start: the `.lock.new` of a run killed before its record, or before its keeper.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/temp_dir.h"
#include "core/agent/foreground.h"
#include "core/sys/file.h"

namespace hp::agent {
namespace {

std::string KeeperBinary() {
  return std::string(HP_BINARY_DIR) + "/src/cli/hostprocess/hostprocess-keeper";
}

// Starts the keeper as `run` does: fd 3 the read end of a pipe whose write end is `*writer`.
pid_t StartKeeper(const std::string& record, const std::string& lock,
                  const std::vector<std::string>& program, int* writer) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return -1;
  // Above 3, so that dup2 below always makes a new descriptor (without close-on-exec).
  int pipe_fd = ::fcntl(p[0], F_DUPFD_CLOEXEC, 10);
  ::close(p[0]);
  std::vector<std::string> args = {"hostprocess-keeper", record, lock};
  args.insert(args.end(), program.begin(), program.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string keeper = KeeperBinary();
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::dup2(pipe_fd, 3) < 0) ::_exit(126);
    ::execv(keeper.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(pipe_fd);
  *writer = p[1];
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The keeper of a run that is already dead: its exit status.
int RunKeeper(const std::string& record, const std::string& lock,
              const std::vector<std::string>& program) {
  int writer = -1;
  pid_t pid = StartKeeper(record, lock, program, &writer);
  if (writer >= 0) ::close(writer);
  return Wait(pid);
}

class Keeper : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    // Built with `hostprocess` (next to it), which this test binary depends on.
    ASSERT_TRUE(sys::Exists(KeeperBinary())) << KeeperBinary();
    stem_ = dir_.path() + "/0123abcd";
    ran_ = dir_.path() + "/ran";
    // Another run's lock and record, still being set up: not this keeper's.
    ASSERT_TRUE(sys::WriteFile(dir_.path() + "/4567ef01.lock.new", ""));
    ASSERT_TRUE(sys::WriteFile(dir_.path() + "/4567ef01.json.tmp-Ab12Cd", ""));
  }

  // The clean-up program: leaves `ran`, and `held` when it runs with the lock `lock` held (by
  // the keeper: another open file cannot take it).
  std::vector<std::string> Program(const std::string& lock) {
    return {"/bin/sh", "-c",
            "touch '" + ran_ + "'; flock -n '" + lock + "' true || touch '" + ran_ + ".held'"};
  }

  // A record left and the run's lock file `lock` (renamed or not): the clean-up runs, holding it.
  void ExpectCleanUpUnder(const std::string& lock) {
    ASSERT_TRUE(sys::WriteFile(stem_ + ".json", "{}"));
    ASSERT_TRUE(sys::WriteFile(lock, ""));
    EXPECT_EQ(RunKeeper(stem_ + ".json", stem_ + ".lock", Program(lock)), 0);
    EXPECT_TRUE(sys::Exists(ran_)) << "the clean-up did not run";
    EXPECT_TRUE(sys::Exists(ran_ + ".held")) << "the clean-up ran without the run's lock";
  }

  void ExpectOthersUntouched() {
    EXPECT_TRUE(sys::Exists(dir_.path() + "/4567ef01.lock.new")) << "another run's lock went";
    EXPECT_TRUE(sys::Exists(dir_.path() + "/4567ef01.json.tmp-Ab12Cd")) << "another's record went";
  }

  hp::testing::TempDir dir_{"hp-keeper-"};
  std::string stem_, ran_;
};

TEST_F(Keeper, ARunKilledBeforeItsRecordLeavesNoTemporaryLockOrRecord) {
  // Killed while it wrote its record: the lock and the record's atomic-write temporary.
  ASSERT_TRUE(sys::WriteFile(stem_ + ".lock.new", ""));
  ASSERT_TRUE(sys::WriteFile(stem_ + ".json.tmp-Ab12Cd", "{\"pid\""));
  EXPECT_EQ(RunKeeper(stem_ + ".json", stem_ + ".lock", Program(stem_ + ".lock.new")), 0);
  EXPECT_FALSE(sys::Exists(stem_ + ".lock.new"));
  EXPECT_FALSE(sys::Exists(stem_ + ".json.tmp-Ab12Cd"));
  EXPECT_FALSE(sys::Exists(ran_)) << "the clean-up ran without a record";
  ExpectOthersUntouched();
}

TEST_F(Keeper, TheKeeperOfARunThatFinishedLeavesAtOnce) {
  // The run removed its record and lock and said so ('F'): the keeper looks for nothing (these
  // files, which a finished run would not leave, stay as they are).
  ASSERT_TRUE(sys::WriteFile(stem_ + ".lock.new", ""));
  ASSERT_TRUE(sys::WriteFile(stem_ + ".json.tmp-Ab12Cd", ""));
  int writer = -1;
  pid_t keeper = StartKeeper(stem_ + ".json", stem_ + ".lock", Program(stem_ + ".lock"), &writer);
  ASSERT_GT(keeper, 0);
  ASSERT_EQ(::write(writer, "F", 1), 1);
  ::close(writer);
  EXPECT_EQ(Wait(keeper), 0);
  EXPECT_TRUE(sys::Exists(stem_ + ".lock.new"));
  EXPECT_TRUE(sys::Exists(stem_ + ".json.tmp-Ab12Cd"));
  EXPECT_FALSE(sys::Exists(ran_));
}

TEST_F(Keeper, ARunKilledBeforeItMadeItsLockLeavesNothing) {
  EXPECT_EQ(RunKeeper(stem_ + ".json", stem_ + ".lock", Program(stem_ + ".lock")), 0);
  EXPECT_FALSE(sys::Exists(ran_));
  ExpectOthersUntouched();
}

TEST_F(Keeper, ARecordLeftIsCleanedUpWithTheLockHeld) { ExpectCleanUpUnder(stem_ + ".lock"); }

TEST_F(Keeper, ARunKilledBeforeItRenamedItsLockIsCleanedUpUnderTheTemporaryName) {
  ExpectCleanUpUnder(stem_ + ".lock.new");
}

TEST_F(Keeper, ACommandReapingTheRunItselfIsLeftToIt) {
  // Another command took the dead run's lock first and removes what the record names: the
  // keeper waits for the lock, then finds the record gone and runs nothing.
  ASSERT_TRUE(sys::WriteFile(stem_ + ".json", "{}"));
  ASSERT_TRUE(sys::WriteFile(stem_ + ".lock", ""));
  int held = ::open((stem_ + ".lock").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(held, 0);
  ASSERT_EQ(::flock(held, LOCK_EX), 0);
  int writer = -1;
  pid_t keeper = StartKeeper(stem_ + ".json", stem_ + ".lock", Program(stem_ + ".lock"), &writer);
  ASSERT_GT(keeper, 0);
  ::close(writer);  // the run is gone
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int status = 0;
  EXPECT_EQ(::waitpid(keeper, &status, WNOHANG), 0) << "the keeper did not wait for the lock";
  ASSERT_TRUE(sys::RemoveAll(stem_ + ".json"));
  ::close(held);
  EXPECT_EQ(Wait(keeper), 0);
  EXPECT_FALSE(sys::Exists(ran_)) << "the keeper cleaned up after the command that reaped";
}

TEST_F(Keeper, ARunKilledBeforeItRenamedItsLockLeavesNoTemporaryLock) {
  // The record was written (nothing of the pod made yet: no cgroups under this root); the lock
  // still has its temporary name. What the keeper's clean-up program (`__finish-run`) does.
  const std::string record = stem_ + ".json";
  ASSERT_TRUE(sys::WriteFile(stem_ + ".lock.new", ""));
  ASSERT_TRUE(
      sys::WriteFile(record, R"({"pid": 999999999, "start": 1, "root": ")" + dir_.path() +
                                 R"(", "cgroupRoot": "/hp-it-keeper-none", "podUid": "0123abcd-uid",
                  "containers": []})"));
  FinishKilledRun(record, stem_ + ".lock");
  EXPECT_FALSE(sys::Exists(record));
  EXPECT_FALSE(sys::Exists(stem_ + ".lock.new"));
  ExpectOthersUntouched();
}

TEST_F(Keeper, TheForkedKeeperRemovesTheSetUpFilesToo) {
  // A `hostprocess` copied without its keeper program forks its keeper, which calls
  // FinishKilledRun itself.
  ASSERT_TRUE(sys::WriteFile(stem_ + ".lock.new", ""));
  ASSERT_TRUE(sys::WriteFile(stem_ + ".json.tmp-Ab12Cd", "{\"pid\""));
  FinishKilledRun(stem_ + ".json", stem_ + ".lock");
  EXPECT_FALSE(sys::Exists(stem_ + ".lock.new"));
  EXPECT_FALSE(sys::Exists(stem_ + ".json.tmp-Ab12Cd"));
  ExpectOthersUntouched();
}

}  // namespace
}  // namespace hp::agent
