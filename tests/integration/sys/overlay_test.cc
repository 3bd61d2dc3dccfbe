// sys::MountOverlay on the real kernel (root): the container volume's overlay is `volatile`
// (no sync of the upper file system at unmount, issue 16), and a mount that fails for another
// reason does not turn the option off.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "common/temp_dir.h"
#include "core/sys/file.h"
#include "core/sys/mount.h"

namespace hp::sys {
namespace {

// The super options of the mount at `target` in this process's mount table ("" when none).
std::string SuperOptions(const std::string& target) {
  auto info = ReadFile("/proc/self/mountinfo");
  if (!info) return "";
  size_t pos = 0;
  std::string found;
  while (pos < info->size()) {
    size_t nl = info->find('\n', pos);
    std::string line = info->substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? info->size() : nl + 1;
    // id parent dev root mount-point options ... - fstype source super-options
    size_t a = 0;
    for (int i = 0; i < 4 && a != std::string::npos; i++) a = line.find(' ', a + 1);
    if (a == std::string::npos) continue;
    size_t b = line.find(' ', a + 1);
    if (UnescapeMountPath(line.substr(a + 1, b - a - 1)) != target) continue;
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    found = line.substr(line.rfind(' ') + 1);  // the last mount on the point wins
  }
  return found;
}

bool KernelHasVolatile() {  // overlayfs' `volatile` came with Linux 5.10
  struct utsname u {};
  int major = 0, minor = 0;
  if (::uname(&u) != 0 || std::sscanf(u.release, "%d.%d", &major, &minor) != 2) return false;
  return major > 5 || (major == 5 && minor >= 10);
}

class MountOverlayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (mount)";
    if (!KernelHasVolatile()) GTEST_SKIP() << "kernel before 5.10: no volatile overlay";
    ASSERT_TRUE(tmp_.ok());
    for (const char* d : {"lower", "upper", "work", "target"}) {
      ASSERT_TRUE(MkdirAll(tmp_.path() + "/" + d, 0755));
    }
    ASSERT_TRUE(WriteFileAtomic(tmp_.path() + "/lower/f", "lower\n"));
  }
  void TearDown() override {
    if (!tmp_.ok()) return;
    while (::umount2(target().c_str(), MNT_DETACH) == 0) {
    }
  }
  std::string target() const { return tmp_.path() + "/target"; }
  std::string Data() const {
    return "lowerdir=" + tmp_.path() + "/lower,upperdir=" + tmp_.path() +
           "/upper,workdir=" + tmp_.path() + "/work";
  }
  testing::TempDir tmp_;
};

TEST_F(MountOverlayTest, MountsTheOverlayVolatile) {
  ASSERT_TRUE(MountOverlay(target(), Data(), MS_NOSUID | MS_NODEV));
  std::string opts = SuperOptions(target());
  EXPECT_NE(opts.find("volatile"), std::string::npos) << opts;
  EXPECT_NE(opts.find("upperdir="), std::string::npos) << opts;
  auto f = ReadFile(target() + "/f");
  ASSERT_TRUE(f);
  EXPECT_EQ(*f, "lower\n");
  ASSERT_TRUE(WriteFileAtomic(target() + "/g", "upper\n"));
  EXPECT_TRUE(Exists(tmp_.path() + "/upper/g"));
  ASSERT_EQ(::umount2(target().c_str(), 0), 0);
}

TEST_F(MountOverlayTest, AnotherEinvalKeepsVolatileForTheNextMount) {
  // EINVAL with the option and without it (an unknown option of the caller's): that error, and
  // the next mount still offers `volatile` (only a retry that works shows an old kernel).
  auto bad = MountOverlay(target(), Data() + ",no_such_option", 0);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().sys_errno(), EINVAL);
  EXPECT_NE(bad.error().ToString().find(target()), std::string::npos) << bad.error().ToString();
  EXPECT_EQ(SuperOptions(target()), "");
  ASSERT_TRUE(MountOverlay(target(), Data(), 0));
  EXPECT_NE(SuperOptions(target()).find("volatile"), std::string::npos);
}

TEST_F(MountOverlayTest, OtherErrorsCarryTheirErrno) {
  auto r = MountOverlay(target(),
                        "lowerdir=" + tmp_.path() + "/missing,upperdir=" + tmp_.path() +
                            "/upper,workdir=" + tmp_.path() + "/work",
                        0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sys_errno(), ENOENT);
  EXPECT_EQ(SuperOptions(target()), "");
}

}  // namespace
}  // namespace hp::sys
