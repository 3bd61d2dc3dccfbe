// hp/sys directory listings.
#include "core/sys/file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "common/temp_dir.h"

namespace hp::sys {
namespace {

// Directories only: not files, not symbolic links to a directory, not "." and "..".
TEST(ListSubdirs, OnlyDirectoriesThemselves) {
  hp::testing::TempDir tmp{"hp-listsubdirs-"};
  ASSERT_TRUE(tmp.ok());
  std::string d = tmp.path();
  ASSERT_TRUE(MkdirAll(d + "/b"));
  ASSERT_TRUE(MkdirAll(d + "/a/inner"));
  ASSERT_TRUE(WriteFile(d + "/file", "x"));
  ASSERT_EQ(::symlink("a", (d + "/link-to-dir").c_str()), 0);
  auto dirs = ListSubdirs(d);
  ASSERT_TRUE(dirs) << dirs.error().ToString();
  std::sort(dirs->begin(), dirs->end());
  EXPECT_EQ(*dirs, (std::vector<std::string>{"a", "b"}));
  auto all = ListDir(d);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 4u);
  auto missing = ListSubdirs(d + "/nope");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().ToString().find(d + "/nope"), std::string::npos);
}

}  // namespace
}  // namespace hp::sys
