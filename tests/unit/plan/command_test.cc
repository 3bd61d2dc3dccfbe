#include "core/plan/command.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/sys/file.h"

namespace hp::plan {
namespace {

class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = sys::MakeTempDir("hp-plan-cmd-");
    ASSERT_TRUE(d) << d.error().ToString();
    root_ = *d;
    sandbox_ = root_ + "/sandbox/";
    host_ = root_ + "/host";
    Exe(sandbox_ + "bin/busybox");
    Exe(sandbox_ + "usr/bin/only-in-image");
    Exe(host_ + "/bin/tool");
    Exe(host_ + "/sbin/tool");  // later in PATH: must not win
    Exe(sandbox_ + "my dir/run me.sh");
    Exe(sandbox_ + "work/local");
    ASSERT_TRUE(sys::WriteFile(sandbox_ + "bin/not-exec", "x"));
    ASSERT_TRUE(sys::MkdirAll(sandbox_ + "bin/a-dir"));
  }
  void TearDown() override { (void)sys::RemoveAll(root_); }
  void Exe(const std::string& p) {
    ASSERT_TRUE(sys::MkdirAll(p.substr(0, p.rfind('/'))));
    ASSERT_TRUE(sys::WriteFile(p, "#!/bin/sh\n"));
    ASSERT_EQ(::chmod(p.c_str(), 0755), 0);
  }
  std::string root_, sandbox_, host_;
};

TEST(CleanPath, GoSemantics) {
  EXPECT_EQ(CleanPath(""), ".");
  EXPECT_EQ(CleanPath("a//b/./c/.."), "a/b");
  EXPECT_EQ(CleanPath("/../a"), "/a");
  EXPECT_EQ(CleanPath("../a/../.."), "../..");
  EXPECT_EQ(CleanPath("/"), "/");
  EXPECT_EQ(CleanPath("a/"), "a");
}

TEST(SearchPathTest, ManifestThenImageMapped) {
  auto mapped = MapImagePath("/usr/local/bin:/usr/bin:relative::/bin", "/s/c1/");
  EXPECT_EQ(mapped,
            (std::vector<std::string>{"/s/c1/usr/local/bin", "/s/c1/usr/bin", "/s/c1/bin"}));
  std::string manifest = "/opt/x:/usr/bin";
  EXPECT_EQ(SearchPath(&manifest, "/usr/bin:/bin", mapped),
            (std::vector<std::string>{"/opt/x", "/usr/bin", "/s/c1/usr/local/bin", "/s/c1/usr/bin",
                                      "/s/c1/bin"}));
  EXPECT_EQ(SearchPath(nullptr, "/usr/bin:/bin:/usr/bin", {}),
            (std::vector<std::string>{"/usr/bin", "/bin"}));
  EXPECT_EQ(MapImagePath("/", "/s/c1/"), (std::vector<std::string>{"/s/c1/"}));
}

TEST(WorkingDirTest, Rules) {
  auto d = ResolveWorkingDir("", "/s/c1/");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path, "/s/c1/");
  EXPECT_FALSE(d->create);
  d = ResolveWorkingDir("data/logs/", "/s/c1/");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path, "/s/c1/data/logs");
  EXPECT_TRUE(d->create);
  d = ResolveWorkingDir("./a/../b", "/s/c1/");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path, "/s/c1/b");
  d = ResolveWorkingDir("/var/tmp/", "/s/c1/");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->path, "/var/tmp");
  EXPECT_FALSE(d->create);
  EXPECT_FALSE(d->in_sandbox);
  d = ResolveWorkingDir("/s/c1/x", "/s/c1/");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->in_sandbox);
  d = ResolveWorkingDir("a/../../etc", "/s/c1/");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message(),
            "workingDir \"a/../../etc\" is outside the container volume \"/s/c1/\"");
}

TEST_F(CommandTest, SearchesPathInOrder) {
  std::vector<std::string> path = {host_ + "/bin", host_ + "/sbin", sandbox_ + "bin",
                                   sandbox_ + "usr/bin"};
  auto r = ResolveCommand("tool", path, sandbox_, RealFs());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*r, host_ + "/bin/tool");
  r = ResolveCommand("only-in-image", path, sandbox_, RealFs());
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, sandbox_ + "usr/bin/only-in-image");
  r = ResolveCommand("busybox", path, "/nonexistent", RealFs());
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, sandbox_ + "bin/busybox");
}

TEST_F(CommandTest, NotFoundListsEveryPlace) {
  std::vector<std::string> path = {host_ + "/bin", sandbox_ + "bin"};
  auto r = ResolveCommand("not-exec", path, sandbox_, RealFs());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message(), "executable \"not-exec\" not found; searched: \"" + host_ +
                                     "/bin/not-exec\", \"" + sandbox_ + "bin/not-exec\"");
  r = ResolveCommand("a-dir", path, sandbox_, RealFs());
  EXPECT_FALSE(r);
  r = ResolveCommand("x", {}, sandbox_, RealFs());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "executable \"x\" not found: PATH is empty");
}

TEST_F(CommandTest, RelativeToWorkingDirAndAbsolute) {
  auto r = ResolveCommand("./bin/busybox", {}, sandbox_, RealFs());
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*r, sandbox_ + "bin/busybox");
  r = ResolveCommand("my dir/run me.sh", {}, sandbox_, RealFs());
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, sandbox_ + "my dir/run me.sh");
  r = ResolveCommand("./local", {}, sandbox_ + "work", RealFs());
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, sandbox_ + "work/local");
  r = ResolveCommand("../bin/busybox", {}, sandbox_ + "work", RealFs());
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, sandbox_ + "bin/busybox");
  r = ResolveCommand(host_ + "/bin/tool", {sandbox_ + "bin"}, sandbox_, RealFs());
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, host_ + "/bin/tool");
  r = ResolveCommand("./missing", {host_ + "/bin"}, sandbox_ + "work", RealFs());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "executable \"./missing\" not found; searched: \"" + sandbox_ + "work/missing\"");
}

}  // namespace
}  // namespace hp::plan
