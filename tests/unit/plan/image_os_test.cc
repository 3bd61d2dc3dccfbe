// SPEC §7: an image runs only on a node of the OS it was built for.
#include <gtest/gtest.h>

#include "core/plan/plan.h"

namespace hp::plan {
namespace {

TEST(ImageOs, SameOsOrUnrecordedRuns) {
  EXPECT_TRUE(CheckImageOs("busybox", "linux", "linux"));
  EXPECT_TRUE(CheckImageOs("busybox", "Linux", "linux"));
  EXPECT_TRUE(CheckImageOs("win", "windows", "windows"));
  EXPECT_TRUE(CheckImageOs("dir", "", "linux"));  // a directory rootfs records no OS
  EXPECT_TRUE(CheckImageOs("dir", "", "windows"));
}

TEST(ImageOs, OtherOsIsRefusedByName) {
  Status s = CheckImageOs("mcr.microsoft.com/windows/nanoserver:ltsc2022", "windows", "linux");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(s.error().message(),
            "image operating system \"windows\" cannot be used on this platform: image "
            "\"mcr.microsoft.com/windows/nanoserver:ltsc2022\" is built for windows and this "
            "node runs linux; use an image built for linux");
  s = CheckImageOs("busybox", "linux", "windows");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("this node runs windows; use an image built for windows"),
            std::string::npos)
      << s.error().message();
}

TEST(ImageOs, NodeInfoDefaultsToLinux) { EXPECT_EQ(NodeInfo{}.os, "linux"); }

}  // namespace
}  // namespace hp::plan
