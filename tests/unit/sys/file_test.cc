// hp/sys directory listings.
#include "core/sys/file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

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

// MkdirAll makes every missing component with the mode, takes what is there, and names the
// path when a component is not a directory.
// A reader's file and the name it was opened by: the same file until it is renamed away (a
// rotated log) or removed, and another one once a new file takes the name.
TEST(IsOpenAt, TheFileAtTheNameUntilItIsRotatedAway) {
  auto dir = MakeTempDir("hp-isopenat-");
  ASSERT_TRUE(dir) << dir.error().ToString();
  std::string path = *dir + "/0.log";
  ASSERT_TRUE(WriteFile(path, "a\n"));
  auto fd = Open(path, O_RDONLY);
  ASSERT_TRUE(fd);
  EXPECT_TRUE(IsOpenAt(fd->get(), path));
  ASSERT_EQ(::rename(path.c_str(), (path + ".1").c_str()), 0);
  EXPECT_FALSE(IsOpenAt(fd->get(), path));  // no file at the name
  EXPECT_TRUE(IsOpenAt(fd->get(), path + ".1"));
  ASSERT_TRUE(WriteFile(path, "b\n"));
  EXPECT_FALSE(IsOpenAt(fd->get(), path));  // another file at the name
  char buf[8];
  auto n = ReadSome(fd->get(), buf, sizeof buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(std::string(buf, *n), "a\n");  // the open file's bytes
  n = ReadSome(fd->get(), buf, sizeof buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0u);  // its end
  EXPECT_TRUE(RemoveAll(*dir));
}

TEST(MkdirAll, MakesWhatIsMissingAndNamesWhatIsNot) {
  hp::testing::TempDir tmp{"hp-mkdirall-"};
  ASSERT_TRUE(tmp.ok());
  std::string d = tmp.path();
  ASSERT_TRUE(MkdirAll(d + "/a/b/c/", 0700));
  struct stat st;
  for (const char* sub : {"/a", "/a/b", "/a/b/c"}) {
    ASSERT_EQ(::stat((d + sub).c_str(), &st), 0) << sub;
    EXPECT_TRUE(S_ISDIR(st.st_mode)) << sub;
    EXPECT_EQ(st.st_mode & 0777, 0700u) << sub;
  }
  EXPECT_TRUE(MkdirAll(d + "/a/b/c"));  // there already
  EXPECT_TRUE(MkdirAll(d + "/a/b/d"));  // only the last one missing
  EXPECT_TRUE(IsDir(d + "/a/b/d"));
  ASSERT_EQ(::symlink("a", (d + "/link").c_str()), 0);
  EXPECT_TRUE(MkdirAll(d + "/link/e"));  // through a link to a directory, as mkdir -p
  EXPECT_TRUE(IsDir(d + "/a/e"));
  ASSERT_TRUE(WriteFile(d + "/file", "x"));
  auto on_file = MkdirAll(d + "/file");
  ASSERT_FALSE(on_file);
  EXPECT_NE(on_file.error().ToString().find(d + "/file\" is not a directory"), std::string::npos)
      << on_file.error().ToString();
  auto below_file = MkdirAll(d + "/file/x/y");
  ASSERT_FALSE(below_file);
  EXPECT_NE(below_file.error().ToString().find(d + "/file"), std::string::npos)
      << below_file.error().ToString();
  EXPECT_FALSE(MkdirAll(""));
}

}  // namespace
}  // namespace hp::sys
