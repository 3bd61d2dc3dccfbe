// hp/sys CheckStateRoot on real directories: what another account could swap or write is
// refused, with the path, its owner and mode; what only root can change is taken.
#include "core/sys/owner.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/temp_dir.h"
#include "core/sys/file.h"

namespace hp::sys {
namespace {

constexpr uid_t kNobody = 65534;

class StateRootOwner : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (chown to nobody)";
    dir_ = tmp_.path();
    ASSERT_FALSE(dir_.empty());
    ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  }
  // The error of CheckStateRoot(path), "" when it passes.
  std::string Refusal(const std::string& path) {
    Status s = CheckStateRoot(path);
    return s ? "" : s.error().ToString();
  }
  hp::testing::TempDir tmp_{"hp-owner-"};
  std::string dir_;
};

TEST_F(StateRootOwner, RootsOnlyRootCanChangeAreTaken) {
  EXPECT_EQ(Refusal(dir_ + "/fresh/root"), "");  // made later, by root
  ASSERT_TRUE(MkdirAll(dir_ + "/made", 0711));
  EXPECT_EQ(Refusal(dir_ + "/made"), "");
  // A sticky, world-writable parent (as /tmp) and a root-owned symlink on the way.
  ASSERT_TRUE(MkdirAll(dir_ + "/sticky/root", 0755));
  ASSERT_EQ(::chmod((dir_ + "/sticky").c_str(), 01777), 0);
  EXPECT_EQ(Refusal(dir_ + "/sticky/root"), "");
  ASSERT_EQ(::symlink((dir_ + "/made").c_str(), (dir_ + "/link").c_str()), 0);
  EXPECT_EQ(Refusal(dir_ + "/link"), "");
  EXPECT_EQ(Refusal(dir_ + "/link/sub"), "");
}

TEST_F(StateRootOwner, WhatAnotherAccountCouldSwapIsRefused) {
  // The root itself owned by nobody (made by nobody in a world-writable directory).
  ASSERT_TRUE(MkdirAll(dir_ + "/theirs"));
  ASSERT_EQ(::chmod((dir_ + "/theirs").c_str(), 0777), 0);
  ASSERT_EQ(::chown((dir_ + "/theirs").c_str(), kNobody, kNobody), 0);
  std::string r = Refusal(dir_ + "/theirs");
  EXPECT_NE(r.find("\"" + dir_ + "/theirs\" (owner 65534, mode 0777) is owned by another user"),
            std::string::npos)
      << r;
  EXPECT_NE(r.find("use a state root that only root can change"), std::string::npos) << r;
  // A parent nobody owns: it could rename the root away.
  EXPECT_NE(Refusal(dir_ + "/theirs/root").find("is owned by another user"), std::string::npos);
  // A root writable by others (sticky or not), and a parent writable by others without sticky.
  ASSERT_TRUE(MkdirAll(dir_ + "/open"));
  ASSERT_EQ(::chmod((dir_ + "/open").c_str(), 01777), 0);
  EXPECT_NE(Refusal(dir_ + "/open").find("(owner 0, mode 1777) is writable by other users"),
            std::string::npos)
      << Refusal(dir_ + "/open");
  ASSERT_TRUE(MkdirAll(dir_ + "/group/root", 0755));
  ASSERT_EQ(::chmod((dir_ + "/group").c_str(), 0775), 0);
  EXPECT_NE(Refusal(dir_ + "/group/root").find("\"" + dir_ + "/group\" (owner 0, mode 0775)"),
            std::string::npos);
  // A symlink nobody owns, at the root or on the way; what it names is root's.
  ASSERT_EQ(::symlink((dir_ + "/made").c_str(), (dir_ + "/their-link").c_str()), 0);
  ASSERT_EQ(::lchown((dir_ + "/their-link").c_str(), kNobody, kNobody), 0);
  ASSERT_TRUE(MkdirAll(dir_ + "/made", 0711));
  EXPECT_NE(Refusal(dir_ + "/their-link").find("is a symlink owned by uid 65534"),
            std::string::npos);
  EXPECT_NE(Refusal(dir_ + "/their-link/sub").find("is a symlink owned by uid 65534"),
            std::string::npos);
  // Not a directory.
  ASSERT_TRUE(WriteFile(dir_ + "/file", "x"));
  EXPECT_NE(Refusal(dir_ + "/file").find("is not a directory"), std::string::npos);
}

}  // namespace
}  // namespace hp::sys
