#include "core/windows/environment.h"

#include <gtest/gtest.h>

namespace hp::windows {
namespace {

const std::string kSandbox = "C:\\hpc\\c1\\";

TEST(WindowsEnvironment, SandboxPathHasOneTrailingBackslash) {
  EXPECT_EQ(SandboxPath("C:\\hpc\\c1"), kSandbox);
  EXPECT_EQ(SandboxPath("C:\\hpc\\c1\\\\"), kSandbox);
  EXPECT_EQ(SandboxPath("C:/hpc/c1/"), "C:/hpc/c1\\");
}

TEST(WindowsEnvironment, ExpandsCmdAndPowerShellSpellings) {
  bool changed = false;
  EXPECT_EQ(ExpandSandbox("%CONTAINER_SANDBOX_MOUNT_POINT%bin\\x.exe", kSandbox, &changed),
            "C:\\hpc\\c1\\bin\\x.exe");
  EXPECT_TRUE(changed);
  EXPECT_EQ(ExpandSandbox("& $env:CONTAINER_SANDBOX_MOUNT_POINT\\run.ps1; "
                          "%CONTAINER_SANDBOX_MOUNT_POINT%",
                          kSandbox),
            "& C:\\hpc\\c1\\\\run.ps1; C:\\hpc\\c1\\");
  EXPECT_EQ(ExpandSandbox("$CONTAINER_SANDBOX_MOUNT_POINT %OTHER%", kSandbox, &changed),
            "$CONTAINER_SANDBOX_MOUNT_POINT %OTHER%");
  EXPECT_FALSE(changed);
}

TEST(WindowsEnvironment, WorkingDirectoryIsBelowTheSandbox) {
  EXPECT_EQ(WorkingDirectory(kSandbox, ""), kSandbox);
  EXPECT_EQ(WorkingDirectory(kSandbox, "C:\\work\\dir"), "C:\\hpc\\c1\\work\\dir");
  EXPECT_EQ(WorkingDirectory(kSandbox, "C:"), "C:\\hpc\\c1");
  EXPECT_EQ(WorkingDirectory(kSandbox, "logs"), "C:\\hpc\\c1\\logs");
  EXPECT_EQ(WorkingDirectory(kSandbox, "%CONTAINER_SANDBOX_MOUNT_POINT%data"), "C:\\hpc\\c1\\data");
}

TEST(WindowsEnvironment, NamesAreCaseInsensitiveAndTheSandboxComesLast) {
  EnvList account = {
      {"Path", "C:\\Windows\\system32;C:\\Windows"}, {"TEMP", "C:\\t"}, {"USERNAME", "SYSTEM"}};
  EnvList image = {{"temp", "C:\\image-tmp"}, {"container_sandbox_mount_point", "x"}};
  EnvList pod = {{"DATA", "%CONTAINER_SANDBOX_MOUNT_POINT%data"},
                 {"CONTAINER_SANDBOX_MOUNT_POINT", "C:\\evil"},
                 {"Username", "me"}};
  EnvList env = BuildEnvironment(account, image, pod, kSandbox);
  EnvList want = {
      {"Path", "C:\\Windows\\system32;C:\\Windows;C:\\hpc\\c1\\;" + std::string(kExtraPath)},
      {"TEMP", "C:\\image-tmp"},
      {"USERNAME", "me"},
      {"DATA", "C:\\hpc\\c1\\data"},
      {"CONTAINER_SANDBOX_MOUNT_POINT", kSandbox},
  };
  EXPECT_EQ(env, want);
}

TEST(WindowsEnvironment, PathGetsTheSandboxAfterItsOwnSemicolon) {
  EnvList env = BuildEnvironment({{"PATH", "C:\\a;"}}, {}, {}, kSandbox);
  EXPECT_EQ(env[0].second, "C:\\a;C:\\hpc\\c1\\;" + std::string(kExtraPath));
  EnvList no_path = BuildEnvironment({{"X", "1"}}, {}, {}, kSandbox);
  EXPECT_EQ(no_path.size(), 2u);  // no PATH is made up
  EXPECT_EQ(no_path.back().first, "CONTAINER_SANDBOX_MOUNT_POINT");
}

TEST(WindowsEnvironment, BlockIsNulSeparatedAndDoublyTerminated) {
  EXPECT_EQ(EnvironmentBlock({{"A", "1"}, {"B", "x=y"}}), std::string("A=1\0B=x=y\0\0", 11));
  EXPECT_EQ(EnvironmentBlock({}), std::string("\0\0", 2));
}

}  // namespace
}  // namespace hp::windows
