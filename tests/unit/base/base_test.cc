#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/base/result.h"
#include "core/base/scope_exit.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/base/unique_fd.h"
#include "core/sys/file.h"

namespace hp {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Err(ErrorCode::kInvalidArgument, "{} is odd", x);
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN_CTX(int h, Half(x), "quarter of {}", x);
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  TRY_CTX(Half(x), "check {}", x);
  return Ok();
}

TEST(Result, PropagatesValuesAndErrorsWithContext) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().ToString(), "3 is odd");
  auto r2 = Quarter(5);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().ToString(), "quarter of 5: 5 is odd");
  EXPECT_EQ(r2.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(CheckEven(4));
  EXPECT_EQ(CheckEven(3).error().ToString(), "check 3: 3 is odd");
}

TEST(Result, SysErrorNamesPathAndErrno) {
  auto r = sys::ReadFile("/nonexistent/hp-test");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().ToString(), "open \"/nonexistent/hp-test\": No such file or directory");
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(r.error().sys_errno(), ENOENT);
}

TEST(UniqueFd, ClosesOnDestructionAndReleases) {
  int raw;
  {
    UniqueFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    raw = fd.get();
    ASSERT_GE(raw, 0);
  }
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);
  UniqueFd a(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  UniqueFd b(std::move(a));
  EXPECT_FALSE(a.valid());
  int kept = b.release();
  EXPECT_GE(::fcntl(kept, F_GETFD), 0);
  ::close(kept);
}

TEST(ScopeExit, RunsUnlessDismissed) {
  int n = 0;
  {
    ScopeExit s([&] { ++n; });
  }
  {
    ScopeExit s([&] { ++n; });
    s.Dismiss();
  }
  EXPECT_EQ(n, 1);
}

TEST(Strings, SplitJoinQuote) {
  EXPECT_EQ(Split("a,b,,c", ','), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(Join({"a", "b"}, ", "), "a, b");
  EXPECT_EQ(Quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_TRUE(EqualsIgnoreCase("NT AUTHORITY\\System", "nt authority\\SYSTEM"));
  EXPECT_EQ(TrimSpace("  x y \n"), "x y");
}

TEST(Strings, Base64RoundTripsAndRejectsWhatIsNotBase64) {
  // RFC 4648's test vectors.
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(Base64Decode(encoded), plain);
  }
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  EXPECT_EQ(Base64Encode(bytes).size(), 344u);
  EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes);
  EXPECT_EQ(Base64Decode(Base64Encode(bytes.substr(0, 255))), bytes.substr(0, 255));
  EXPECT_EQ(Base64Decode("dXNlcjpwYXNz"), "user:pass");  // what docker login writes
  EXPECT_EQ(Base64Decode("Zm8"), "fo");                  // unpadded
  EXPECT_EQ(Base64Decode("Zg"), "f");
  EXPECT_EQ(Base64Decode("Z"), std::nullopt);         // no byte has one character
  EXPECT_EQ(Base64Decode("Zm9v!"), std::nullopt);     // not in the alphabet
  EXPECT_EQ(Base64Decode("Zg==Zg=="), std::nullopt);  // padding inside
  EXPECT_EQ(Base64Decode("Zm9v\n"), std::nullopt);
  EXPECT_EQ(Base64Decode(std::string("Zm\0v", 4)), std::nullopt);
  EXPECT_EQ(Base64Decode("Zg==="), std::nullopt);
}

TEST(SysFile, AtomicWriteMkdirRemoveAll) {
  auto dir = sys::MakeTempDir("hp-base-test-");
  ASSERT_TRUE(dir) << dir.error().ToString();
  std::string nested = *dir + "/a/b/c";
  ASSERT_TRUE(sys::MkdirAll(nested));
  ASSERT_TRUE(sys::WriteFileAtomic(nested + "/f", "hello", 0600));
  EXPECT_EQ(*sys::ReadFile(nested + "/f"), "hello");
  struct stat st;
  ASSERT_EQ(::stat((nested + "/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::symlink("/etc", (nested + "/link").c_str()), 0);
  ASSERT_TRUE(sys::RemoveAll(*dir));
  EXPECT_FALSE(sys::Exists(*dir));
  EXPECT_TRUE(sys::Exists("/etc/hostname") || sys::Exists("/etc/passwd"));  // link not followed
}

TEST(Time, Rfc3339Forms) {
  EXPECT_EQ(Rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Rfc3339(1795341600), "2026-11-22T10:00:00Z");
  const int64_t t0 = int64_t{1795341600} * 1000000000;
  EXPECT_EQ(Rfc3339Nano(t0), "2026-11-22T10:00:00.000000000Z");
  EXPECT_EQ(Rfc3339Nano(t0 + 123456789), "2026-11-22T10:00:00.123456789Z");
  EXPECT_EQ(Rfc3339Nano(-1), "1969-12-31T23:59:59.999999999Z");
  const int64_t now = NowUnixSeconds();
  EXPECT_GT(now, 1795341600 - 86400 * 365);
  EXPECT_LE(now - NowUnixNanos() / 1000000000, 0);
  EXPECT_EQ(Rfc3339(now).size(), 20u);
}

}  // namespace
}  // namespace hp
