// hp/user: RemoveEphemeralUser with other processes at work. A user removed by another process
// between the look-up and userdel (a killed run's keeper, a concurrent clean-up: the chaos test
// found it) is removed, not an error; a userdel that fails and leaves the user is an error
// naming the user and userdel's words. userdel is wrapped by a script first on PATH.
#include "core/user/accounts.h"

#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "common/temp_dir.h"
#include "core/sys/file.h"

namespace hp::user {
namespace {

class RemoveUser : public ::testing::Test {
 protected:
  static constexpr const char* kUser = "hp-it-userdel";

  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (useradd)";
    path_ = ::getenv("PATH") ? ::getenv("PATH") : "/usr/sbin:/usr/bin:/sbin:/bin";
    if (!::getpwnam(kUser)) {
      ASSERT_EQ(::system((std::string("useradd --system --no-create-home ") + kUser).c_str()), 0);
    }
  }
  void TearDown() override {
    ::setenv("PATH", path_.c_str(), 1);
    if (::getpwnam(kUser)) (void)!::system((std::string("userdel ") + kUser).c_str());
  }
  // A `userdel` first on PATH running `body` (sh).
  void WrapUserdel(const std::string& body) {
    std::string script = bin_.path() + "/userdel";
    ASSERT_TRUE(sys::WriteFile(script, "#!/bin/sh\n" + body + "\n"));
    ASSERT_EQ(::chmod(script.c_str(), 0755), 0);
    ::setenv("PATH", (bin_.path() + ":" + path_).c_str(), 1);
  }

  testing::TempDir bin_;
  std::string path_;
};

TEST_F(RemoveUser, RemovedMeanwhileByAnotherProcessIsDone) {
  // The other process wins the race: the user is gone when our userdel runs, which says so.
  WrapUserdel("/usr/sbin/userdel \"$@\"; echo \"userdel: user '$1' does not exist\" >&2; exit 6");
  Status s = RemoveEphemeralUser(kUser);
  EXPECT_TRUE(s) << s.error().ToString();
  EXPECT_EQ(::getpwnam(kUser), nullptr);
}

TEST_F(RemoveUser, AFailedUserdelThatLeavesTheUserIsAnError) {
  WrapUserdel("echo 'userdel: user hp-it-userdel is currently used by process 1' >&2; exit 8");
  Status s = RemoveEphemeralUser(kUser);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().ToString().find("remove ephemeral user \"hp-it-userdel\""), std::string::npos)
      << s.error().ToString();
  EXPECT_NE(s.error().ToString().find("currently used by process"), std::string::npos);
  EXPECT_NE(::getpwnam(kUser), nullptr);
}

// A useradd killed half-way left /etc/group.lock to a zombie that init never reaped, and every
// later account change failed (the chaos test, under load). So a tool runs to its end when its
// caller is killed, and holds the accounts lock until then: a clean-up that takes the lock
// after the kill sees what the tool did.
// Ephemeral uids come one after the other from their range, past any uid a user has, and the
// record keeps the last one: a uid is never handed out twice, also after its user is gone.
TEST(EphemeralUid, OneAfterTheOtherNeverTwiceAndPastUsedOnes) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (useradd)";
  testing::TempDir dir;
  const std::string record = dir.path() + "/accounts/last-uid";
  auto first = NextEphemeralUid(record);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_GE(*first, kEphemeralUidFirst);
  EXPECT_LE(*first, kEphemeralUidLast);
  EXPECT_EQ(sys::ReadFile(record).value_or(""), std::to_string(*first) + "\n");
  // A user that has the next uid (made by hand) is passed over.
  const uid_t taken = *first + 1;
  const std::string user = "hp-it-uid-taken";
  ASSERT_EQ(::system(("useradd --system --no-create-home --no-log-init --uid " +
                      std::to_string(taken) + " " + user)
                         .c_str()),
            0);
  auto second = NextEphemeralUid(record);
  (void)!::system(("userdel " + user).c_str());
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(*second, taken + 1);
  // The user is gone and its uid free, but it is not handed out again.
  auto third = NextEphemeralUid(record);
  ASSERT_TRUE(third);
  EXPECT_EQ(*third, taken + 2);
  // A record that names no ephemeral uid is an error naming it, not a restart of the range.
  ASSERT_TRUE(sys::WriteFile(record, "12\n"));
  auto bad = NextEphemeralUid(record);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().ToString().find("\"" + record + "\": \"12\" is not an ephemeral uid"),
            std::string::npos)
      << bad.error().ToString();
}

TEST(AccountsLock, AToolRunsToItsEndAndHoldsTheLockAfterItsCallerIsKilled) {
  testing::TempDir dir;
  std::string lock_path = dir.path() + "/accounts.lock";
  std::string started = dir.path() + "/started", done = dir.path() + "/done",
              go = dir.path() + "/go";
  pid_t caller = ::fork();
  ASSERT_GE(caller, 0);
  if (caller == 0) {
    auto lock = LockAccounts(lock_path);
    if (!lock) ::_exit(2);
    // It ends when the test says so (or after ~30 s), not after a time a loaded machine may
    // take to get through the kill below.
    (void)RunTool(
        {"sh", "-c",
         "touch '" + started + "'; i=0; while [ ! -e '" + go +
             "' ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done; touch '" + done + "'"},
        lock->get());
    ::_exit(0);
  }
  for (int i = 0; i < 500 && !sys::Exists(started); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(sys::Exists(started)) << "the tool did not start";
  ASSERT_EQ(::kill(caller, SIGKILL), 0);
  int st = 0;
  ASSERT_EQ(::waitpid(caller, &st, 0), caller);
  ASSERT_TRUE(WIFSIGNALED(st));
  EXPECT_FALSE(sys::Exists(done)) << "the tool ended before its caller was killed";
  ASSERT_TRUE(sys::WriteFile(go, ""));
  auto lock = LockAccounts(lock_path);
  ASSERT_TRUE(lock) << lock.error().ToString();
  EXPECT_TRUE(sys::Exists(done)) << "the lock was free before the tool ended (or it was killed)";
}

}  // namespace
}  // namespace hp::user
