#include "core/windows/mounts.h"

#include <gtest/gtest.h>

namespace hp::windows {
namespace {

TEST(WindowsMounts, LinkIsTheMountPathBelowTheVolumeWithoutItsDrive) {
  const char* volume = "C:\\hpc\\0123";
  for (const char* p : {"C:\\var\\log", "c:/var/log", "\\var\\log", "/var/log", "var\\log",
                        "D:\\var\\.\\log\\", "/var//log"}) {
    auto link = MountLinkPath(volume, p);
    ASSERT_TRUE(link) << p << ": " << link.error().ToString();
    EXPECT_EQ(*link, "C:\\hpc\\0123\\var\\log") << p;
  }
  EXPECT_EQ(*MountLinkPath("C:\\hpc\\0123\\", "C:\\etc\\a\\..\\cni"), "C:\\hpc\\0123\\etc\\cni");
}

TEST(WindowsMounts, RefusesPathsOutsideOrAtTheVolume) {
  for (const char* p : {"C:\\..\\Windows", "\\..\\x", "a\\..\\..\\x", "../x", ".."}) {
    auto link = MountLinkPath("C:\\hpc\\0123", p);
    ASSERT_FALSE(link) << p << " gave " << *link;
    EXPECT_NE(link.error().message().find("climbs out of the container volume"), std::string::npos)
        << p;
  }
  for (const char* p : {"C:\\", "C:", "\\", "/", ".", "a\\.."}) {
    auto link = MountLinkPath("C:\\hpc\\0123", p);
    ASSERT_FALSE(link) << p << " gave " << *link;
    EXPECT_NE(link.error().message().find("is the container volume itself"), std::string::npos)
        << p;
  }
  EXPECT_FALSE(MountLinkPath("C:\\hpc\\0123", ""));
}

// Found by review: names Win32 rewrites or reads as something else (a trailing dot or space,
// an alternate data stream, a device) must not become link paths.
TEST(WindowsMounts, RefusesNamesWindowsWouldRewrite) {
  for (const char* p :
       {"C:\\.. ", "C:\\x\\.. ", "C:\\data.", "C:\\data ", "C:\\a\\b:c", "\\\\.\\C:\\x", "C:\\nul",
        "C:\\x\\COM1.txt", "C:\\a?b", "C:\\a\x01b", "/var/lpt9"}) {
    auto link = MountLinkPath("C:\\hpc\\0123", p);
    EXPECT_FALSE(link) << p << " gave " << (link ? *link : "");
  }
  for (const char* p : {"C:\\console", "C:\\com10", "C:\\nul2", "C:\\a.b\\c"})
    EXPECT_TRUE(MountLinkPath("C:\\hpc\\0123", p)) << p;
}

TEST(WindowsMounts, HostPathSourcesAreFullPathsWithoutDotDot) {
  for (const char* p : {"C:\\var\\log", "D:/data", "\\\\server\\share\\x"})
    EXPECT_TRUE(CheckHostPathSource(p)) << p;
  for (const char* p : {"data", ".\\data", "\\var\\log", "C:data", "C:\\a\\..\\..\\x", "C:/a/../b"})
    EXPECT_FALSE(CheckHostPathSource(p)) << p;
}

TEST(WindowsMounts, SameOrBelowComparesWholeComponents) {
  EXPECT_TRUE(IsSameOrBelow("C:\\v\\data\\cache", "C:\\v\\data"));
  EXPECT_TRUE(IsSameOrBelow("C:\\v\\DATA", "C:\\v\\data"));
  EXPECT_FALSE(IsSameOrBelow("C:\\v\\database", "C:\\v\\data"));
  EXPECT_FALSE(IsSameOrBelow("C:\\v", "C:\\v\\data"));
}

TEST(WindowsMounts, NamedPipesAreRecognized) {
  for (const char* s : {"\\\\.\\pipe\\docker_engine", "//./pipe/x", "\\\\.\\PIPE\\containerd"})
    EXPECT_TRUE(IsNamedPipe(s)) << s;
  for (const char* s : {"\\\\.\\pipe\\", "C:\\pipe\\x", "\\\\server\\pipe\\x", "\\\\.\\pipes\\x"})
    EXPECT_FALSE(IsNamedPipe(s)) << s;
}

}  // namespace
}  // namespace hp::windows
