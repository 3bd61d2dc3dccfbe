#include "core/windows/path.h"

#include <gtest/gtest.h>

namespace hp::windows {
namespace {

TEST(WindowsPath, AbsoluteMeansDriveRootOrUnc) {
  for (const char* p : {"C:\\", "c:\\x", "C:/x/y", "\\\\server\\share\\x", "\\\\?\\C:\\x"})
    EXPECT_TRUE(IsAbsolute(p)) << p;
  for (const char* p : {"x", ".\\x", "..\\x", "C:", "C:x", "\\x", "/x", "", "1:\\x"})
    EXPECT_FALSE(IsAbsolute(p)) << p;
}

TEST(WindowsPath, DriveOrRootRelativeIsNeitherRelativeNorAbsolute) {
  for (const char* p : {"\\x", "/x", "C:", "C:x", "d:..\\x"})
    EXPECT_TRUE(IsDriveOrRootRelative(p)) << p;
  for (const char* p : {"x", "a\\b", "C:\\x", "\\\\s\\share"})
    EXPECT_FALSE(IsDriveOrRootRelative(p)) << p;
}

TEST(WindowsPath, EscapesBaseThroughDotDot) {
  for (const char* p : {"..", "..\\x", "../x", "a\\..\\..\\x", "a/./../../b", ".\\..\\x"})
    EXPECT_TRUE(EscapesBase(p)) << p;
  for (const char* p : {"a", "a\\..", "a\\b\\..\\..\\c", "..x\\y", "x..\\y", ".", ""})
    EXPECT_FALSE(EscapesBase(p)) << p;
}

TEST(WindowsPath, CleanFoldsSeparatorsDotsAndDotDots) {
  EXPECT_EQ(Clean("C:/a//b/./c"), "C:\\a\\b\\c");
  EXPECT_EQ(Clean("C:\\a\\b\\..\\c"), "C:\\a\\c");
  EXPECT_EQ(Clean("C:\\..\\..\\x"), "C:\\x");
  EXPECT_EQ(Clean(".\\x"), "x");
  EXPECT_EQ(Clean("..\\x"), "..\\x");
  EXPECT_EQ(Clean("a\\..\\..\\x"), "..\\x");
  EXPECT_EQ(Clean("\\\\srv\\share\\a\\..\\b"), "\\\\srv\\share\\b");
  EXPECT_EQ(Clean("C:\\hpc\\1\\"), "C:\\hpc\\1");
  EXPECT_EQ(Clean("."), ".");
}

TEST(WindowsPath, JoinPathPutsOneSeparator) {
  EXPECT_EQ(JoinPath("C:\\hpc\\1\\", "x.exe"), "C:\\hpc\\1\\x.exe");
  EXPECT_EQ(JoinPath("C:\\hpc\\1", "\\x.exe"), "C:\\hpc\\1\\x.exe");
  EXPECT_EQ(JoinPath("C:\\hpc\\1", "a/b"), "C:\\hpc\\1\\a/b");
}

TEST(WindowsPath, ExtensionIsOfTheLastComponent) {
  for (const char* p : {"a.exe", "C:\\x\\tool.v2", "dir.d\\a.cmd", "C:a.bat"})
    EXPECT_TRUE(HasExtension(p)) << p;
  for (const char* p : {"a", "dir.d\\a", ".profile", "a.", "C:\\x.y\\"})
    EXPECT_FALSE(HasExtension(p)) << p;
}

TEST(WindowsPath, PathListSplitsAtSemicolonsOutsideQuotes) {
  EXPECT_EQ(SplitPathList("C:\\a;;C:\\b;"), (std::vector<std::string>{"C:\\a", "C:\\b"}));
  EXPECT_EQ(SplitPathList("\"C:\\odd;dir\";C:\\b"),
            (std::vector<std::string>{"C:\\odd;dir", "C:\\b"}));
  EXPECT_TRUE(SplitPathList("").empty());
}

TEST(WindowsPath, NamesCompareWithoutCase) {
  EXPECT_TRUE(EqualsIgnoreCase("Path", "PATH"));
  EXPECT_FALSE(EqualsIgnoreCase("PATH", "PATHEXT"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "b"));
}

}  // namespace
}  // namespace hp::windows
