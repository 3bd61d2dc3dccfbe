#include "core/image/unpack.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/temp_dir.h"
#include "core/image/digest.h"
#include "core/sys/file.h"
#include "data/image/tar_builder.h"

namespace hp::image {
namespace {

using hp::testing::TarBuilder;

class UnpackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    base_ = tmp_.path();
    outside_ = base_ + "/outside";
    target_ = base_ + "/layer";
    ASSERT_TRUE(sys::MkdirAll(outside_));
    ASSERT_TRUE(sys::WriteFile(outside_ + "/secret", "keep"));
  }

  Result<UnpackResult> Unpack(const std::string& tar, UnpackOptions o = {}) {
    return UnpackLayerMemory(tar.data(), tar.size(), target_, o);
  }
  // The hostile case must fail, name the entry, write nothing outside and remove the layer.
  void ExpectRefused(const std::string& tar, const std::string& entry) {
    auto r = Unpack(tar);
    ASSERT_FALSE(r) << "unpack of hostile tar succeeded";
    EXPECT_NE(r.error().ToString().find(entry), std::string::npos) << r.error().ToString();
    EXPECT_FALSE(sys::Exists(target_)) << "partial layer left behind";
    auto names = sys::ListDir(outside_);
    ASSERT_TRUE(names);
    EXPECT_EQ(*names, std::vector<std::string>{"secret"});
    EXPECT_EQ(*sys::ReadFile(outside_ + "/secret"), "keep");
    auto top = sys::ListDir(base_);
    EXPECT_EQ(top->size(), 1u) << "something was written next to the layer";
  }

  hp::testing::TempDir tmp_{"hp-unpack-"};
  std::string base_, outside_, target_;
};

TEST_F(UnpackTest, UnpacksFilesLinksAndModes) {
  std::string tar = TarBuilder()
                        .Dir("bin", 0755)
                        .File("bin/tool", "#!/bin/sh\n", 04755)
                        .Symlink("bin/sh", "tool")
                        .Hardlink("bin/tool2", "bin/tool")
                        .File("etc/deep/conf", "x=1\n", 0600)
                        .Dir("ro", 0555)
                        .File("ro/inside", "y")
                        .Build();
  auto r = Unpack(tar);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->diff_id, Sha256Digest(tar));
  EXPECT_EQ(*sys::ReadFile(target_ + "/bin/tool"), "#!/bin/sh\n");
  struct stat st;
  ASSERT_EQ(::lstat((target_ + "/bin/tool").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(st.st_mtime, 1700000000);
  char buf[64] = {};
  ASSERT_GT(::readlink((target_ + "/bin/sh").c_str(), buf, sizeof buf - 1), 0);
  EXPECT_STREQ(buf, "tool");
  ASSERT_EQ(::lstat((target_ + "/etc/deep/conf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::lstat((target_ + "/ro").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0555u);
  EXPECT_EQ(*sys::ReadFile(target_ + "/ro/inside"), "y");
}

TEST_F(UnpackTest, AbsoluteLinksBecomeRelativeToTheImage) {
  std::string tar = TarBuilder()
                        .Symlink("var/run", "/run")
                        .Symlink("usr/bin/lua", "/etc/alternatives/lua-interpreter")
                        .Symlink("top", "/")
                        .Symlink("a/b/root", "/")
                        .Symlink("dev/stdin", "/proc/self/fd/0")
                        .Symlink("etc/sysfs", "/sys/kernel")
                        .Symlink("rel", "../x")
                        .Build();
  auto link = [&](const std::string& at) {
    char buf[256] = {};
    EXPECT_GT(::readlink((target_ + "/" + at).c_str(), buf, sizeof buf - 1), 0) << at;
    return std::string(buf);
  };
  ASSERT_TRUE(Unpack(tar));
  EXPECT_EQ(link("var/run"), "../run");
  EXPECT_EQ(link("usr/bin/lua"), "../../etc/alternatives/lua-interpreter");
  EXPECT_EQ(link("top"), ".");
  EXPECT_EQ(link("a/b/root"), "../..");
  EXPECT_EQ(link("dev/stdin"), "/proc/self/fd/0");  // the host's kernel interfaces stay
  EXPECT_EQ(link("etc/sysfs"), "/sys/kernel");
  EXPECT_EQ(link("rel"), "../x");  // as written
  ASSERT_TRUE(sys::RemoveAll(target_));
  UnpackOptions keep;
  keep.image_relative_links = false;
  ASSERT_TRUE(Unpack(tar, keep));
  EXPECT_EQ(link("var/run"), "/run");
}

TEST_F(UnpackTest, GzipAndZstdGiveTheUncompressedDigest) {
  TarBuilder b;
  b.File("a", std::string(300000, 'a')).File("b", "bee");
  std::string plain = b.Build();
  for (auto f : {TarBuilder::Filter::kGzip, TarBuilder::Filter::kZstd}) {
    auto r = Unpack(b.Build(f));
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(r->diff_id, Sha256Digest(plain));
    EXPECT_EQ(sys::ReadFile(target_ + "/a")->size(), 300000u);
    ASSERT_TRUE(sys::RemoveAll(target_));
  }
}

TEST_F(UnpackTest, RefusesDotDot) {
  ExpectRefused(TarBuilder().File("ok", "1").File("../outside/evil", "x").Build(),
                "../outside/evil");
  ExpectRefused(TarBuilder().File("a/../../outside/evil", "x").Build(), "a/../../outside/evil");
}

TEST_F(UnpackTest, RefusesAbsoluteNames) {
  ExpectRefused(TarBuilder().File(outside_ + "/evil", "x").Build(), outside_ + "/evil");
}

TEST_F(UnpackTest, RefusesWritingThroughSymlinks) {
  ExpectRefused(TarBuilder().Symlink("link", outside_).File("link/evil", "x").Build(), "link/evil");
  ExpectRefused(TarBuilder().Symlink("link", "../outside").File("link/evil", "x").Build(),
                "link/evil");
  ExpectRefused(
      TarBuilder().Dir("d").Symlink("d/up", "../..").File("d/up/outside/evil", "x").Build(),
      "d/up/outside/evil");
}

TEST_F(UnpackTest, ReplacingASymlinkNeverFollowsIt) {
  auto r = Unpack(TarBuilder().Symlink("s", outside_ + "/secret").File("s", "mine").Build());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*sys::ReadFile(outside_ + "/secret"), "keep");
  EXPECT_EQ(*sys::ReadFile(target_ + "/s"), "mine");
}

// Issue 21 item 12: the later entry of a name wins, as in containerd, also when a directory
// with contents is replaced by a file ("replace directory: Directory not empty").
TEST_F(UnpackTest, LaterEntryOfANameWinsOverADirectory) {
  auto r = Unpack(TarBuilder()
                      .File("x", "first")
                      .Dir("x")
                      .File("x/inner", "i")
                      .Dir("x/sub")
                      .Symlink("x/sub/out", outside_)
                      .File("x", "last")
                      .Build());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*sys::ReadFile(target_ + "/x"), "last");
  EXPECT_EQ(*sys::ReadFile(outside_ + "/secret"), "keep");  // the symlink was not followed
  ASSERT_TRUE(sys::RemoveAll(target_));
  r = Unpack(TarBuilder().File("y", "first").Dir("y").File("y", "last").Build());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*sys::ReadFile(target_ + "/y"), "last");
}

TEST_F(UnpackTest, RefusesHardlinksOutside) {
  ExpectRefused(TarBuilder().Hardlink("h", "../outside/secret").Build(), "h");
  ExpectRefused(TarBuilder().Hardlink("h", outside_ + "/secret").Build(), "h");
  ExpectRefused(TarBuilder().Symlink("l", outside_).Hardlink("h", "l/secret").Build(), "h");
}

TEST_F(UnpackTest, RefusesHugeNames) {
  ExpectRefused(TarBuilder().File(std::string(5000, 'n'), "x").Build(), "nnnn");
  ExpectRefused(TarBuilder().Symlink("l", std::string(10000, 't')).Build(), "l");
}

TEST_F(UnpackTest, RefusesCorruptStreams) {
  std::string gz =
      TarBuilder().File("a", std::string(100000, 'z')).Build(TarBuilder::Filter::kGzip);
  gz.resize(gz.size() / 2);
  auto r = Unpack(gz);
  ASSERT_FALSE(r);
  EXPECT_FALSE(sys::Exists(target_));
  std::string garbage(5000, '\x42');
  EXPECT_FALSE(Unpack(garbage));
}

TEST_F(UnpackTest, SkipsDevicesWithANote) {
  auto r = Unpack(TarBuilder().Device("dev/sda", false, makedev(8, 0)).File("f", "1").Build());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_FALSE(sys::Exists(target_ + "/dev/sda"));
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_NE(r->notes[0].find("dev/sda"), std::string::npos);
}

TEST_F(UnpackTest, WhiteoutsBecomeOverlayWhiteoutsOrStayMarked) {
  auto r = Unpack(
      TarBuilder().Dir("d").File("d/.wh.gone", "").Dir("o").File("o/.wh..wh..opq", "").Build());
  ASSERT_TRUE(r) << r.error().ToString();
  struct stat st;
  if (r->aufs_whiteouts) {  // not privileged: kept as markers for the copy fallback
    EXPECT_TRUE(sys::Exists(target_ + "/d/.wh.gone"));
  } else {
    ASSERT_EQ(::lstat((target_ + "/d/gone").c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_EQ(st.st_rdev, makedev(0, 0));
    EXPECT_FALSE(sys::Exists(target_ + "/d/.wh.gone"));
  }
}

TEST_F(UnpackTest, DropsForgedOverlayXattrs) {
  TarBuilder::Entry e{"f", AE_IFREG, 0644, "data"};
  e.xattrs.push_back({"trusted.overlay.redirect", "/etc"});
  auto r = Unpack(TarBuilder().Add(e).Build());
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_FALSE(r->notes.empty());
  EXPECT_NE(r->notes[0].find("trusted.overlay.redirect"), std::string::npos);
}

}  // namespace
}  // namespace hp::image
