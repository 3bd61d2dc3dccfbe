// An ephemeral account is only ever found through the directories of its container (the
// sandbox and the scratch named by the container id): so they must outlive it. A teardown or a
// crash clean-up whose userdel fails (a process of the account still alive, a kill in between)
// keeps them, and the next clean-up removes the account and then them. The chaos test found an
// account that nothing named any more after a clean-up removed the directories first.
#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "core/agent/cleanup.h"
#include "integration/run/fixture.h"

namespace hp::pod::testing {
namespace {

class AccountTrace : public RunFixture {
 protected:
  void SetUp() override {
    RunFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    path_ = ::getenv("PATH") ? ::getenv("PATH") : "/usr/sbin:/usr/bin:/sbin:/bin";
    ASSERT_EQ(::system("getent group hp-it-trace >/dev/null || groupadd hp-it-trace"), 0);
  }
  void TearDown() override {
    ::setenv("PATH", path_.c_str(), 1);
    if (!user_.empty() && ::getpwnam(user_.c_str())) {
      (void)!::system(("userdel " + user_).c_str());
    }
    (void)!::system("groupdel hp-it-trace 2>/dev/null");
    RunFixture::TearDown();
  }
  // A `userdel` first on PATH that refuses as shadow-utils does for a busy account.
  void BreakUserdel() {
    std::string script = bin_.path() + "/userdel";
    ASSERT_TRUE(sys::WriteFile(script,
                               "#!/bin/sh\necho \"userdel: user $1 is currently used by process "
                               "1\" >&2\nexit 8\n"));
    ASSERT_EQ(::chmod(script.c_str(), 0755), 0);
    ::setenv("PATH", (bin_.path() + ":" + path_).c_str(), 1);
  }
  void RepairUserdel() { ::setenv("PATH", path_.c_str(), 1); }

  hp::testing::TempDir bin_;
  std::string path_, user_;
};

TEST_F(AccountTrace, AFailedUserdelKeepsTheDirectoriesThatNameTheAccount) {
  Decode(Pod(R"Y(  - name: c
    image: local
    command: ["true"]
    securityContext: {windowsOptions: {runAsUserName: "hp-it-trace"}}
)Y"));
  ASSERT_NE(pod_, nullptr);
  auto runner = CreateRunner();
  ASSERT_TRUE(runner) << runner.error().ToString();
  std::string id = (*runner)->id();
  user_ = (*runner)->identity().name.substr(0, (*runner)->identity().name.find(' '));
  ASSERT_EQ(user_, "hp-" + id.substr(0, 12));
  ASSERT_NE(::getpwnam(user_.c_str()), nullptr);
  std::string sandbox = root_ + "/sandboxes/" + id;
  std::string scratch = root_ + "/containers/" + id;

  // The container's own teardown: the account stays, and so do its directories.
  BreakUserdel();
  Status t = (*runner)->Teardown();
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().ToString().find("remove account"), std::string::npos) << t.error().ToString();
  EXPECT_NE(t.error().ToString().find("currently used by process"), std::string::npos)
      << t.error().ToString();
  EXPECT_NE(::getpwnam(user_.c_str()), nullptr);
  EXPECT_TRUE(sys::IsDir(sandbox)) << "the sandbox that names " << user_ << " was removed";
  EXPECT_TRUE(sys::IsDir(scratch)) << "the scratch that names " << user_ << " was removed";

  // The crash clean-up, still refused: the same.
  Status c = agent::CleanupPod({root_, cgroup_root_, "", {id}});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().ToString().find("remove ephemeral user \"" + user_ + "\""), std::string::npos)
      << c.error().ToString();
  EXPECT_NE(::getpwnam(user_.c_str()), nullptr);
  EXPECT_TRUE(sys::IsDir(sandbox));
  EXPECT_TRUE(sys::IsDir(scratch));

  // Once userdel works, the next clean-up removes the account, then the directories.
  RepairUserdel();
  Status again = agent::CleanupPod({root_, cgroup_root_, "", {id}});
  EXPECT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(::getpwnam(user_.c_str()), nullptr);
  EXPECT_FALSE(sys::Exists(sandbox));
  EXPECT_FALSE(sys::Exists(scratch));
}

}  // namespace
}  // namespace hp::pod::testing
