// The image module (core/image/plugin.h): the node CLI starts without libcurl, libarchive and
// OpenSSL, and a missing module is an error that names where it was looked for.
#include "core/image/plugin.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "core/sys/file.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string BinaryDir() { return std::string(HP_BINARY_DIR) + "/src/cli/hostprocess"; }

// The output of a shell command; `ok` when it exited 0.
std::string Output(const std::string& cmd, bool* ok) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  *ok = p != nullptr;
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  *ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
  return out;
}

TEST(ImagePlugin, TheCliLoadsNoneOfTheImageLibraries) {
  std::string bin = BinaryDir() + "/hostprocess";
  if (!hp::sys::Exists(bin)) GTEST_SKIP() << bin << " not built";
  bool ok = false;
  // What the dynamic loader maps for it (ldd's list).
  std::string libs = Output("LD_TRACE_LOADED_OBJECTS=1 '" + bin + "'", &ok);
  ASSERT_TRUE(ok) << libs;
  EXPECT_THAT(libs, HasSubstr("libc.so"));
  for (const char* lib : {"libcurl", "libarchive", "libcrypto", "libssl", "libxml2", "libicu"}) {
    EXPECT_THAT(libs, Not(HasSubstr(lib))) << "hostprocess maps " << lib << " at start-up";
  }
}

TEST(ImagePlugin, TheModuleLinksTheImageLibraries) {
  std::string module = BinaryDir() + "/" + hp::image::kImagePluginFile;
  if (!hp::sys::Exists(module)) GTEST_SKIP() << module << " not built";
  bool ok = false;
  std::string out = Output("ldd '" + module + "'", &ok);
  ASSERT_TRUE(ok) << out;
  EXPECT_THAT(out, HasSubstr("libcurl"));
  EXPECT_THAT(out, HasSubstr("libarchive"));
}

TEST(ImagePlugin, AMissingModuleIsAnErrorNamingThePathsTried) {
  // This test binary has no module next to it, nor in ../lib/hostprocess.
  char exe[4096];
  ssize_t len = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  ASSERT_GT(len, 0);
  std::string dir(exe, static_cast<size_t>(len));
  dir = dir.substr(0, dir.rfind('/'));
  ASSERT_FALSE(hp::sys::Exists(dir + "/" + hp::image::kImagePluginFile));
  auto r = hp::image::LoadImagePlugin();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), hp::ErrorCode::kNotFound);
  std::string msg = r.error().ToString();
  EXPECT_THAT(msg, HasSubstr("\"" + dir + "/libhostprocess-image.so\""));
  EXPECT_THAT(msg, HasSubstr("\"" + dir + "/../lib/hostprocess/libhostprocess-image.so\""));
  EXPECT_THAT(msg, HasSubstr("reinstall hostprocess"));
}

}  // namespace
