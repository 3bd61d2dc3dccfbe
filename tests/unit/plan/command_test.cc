#include "core/plan/command.h"

#include <gtest/gtest.h>

#include "core/sys/file.h"

namespace hp::plan {
namespace {

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

}  // namespace
}  // namespace hp::plan
