#include "core/pod/crilog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "common/temp_dir.h"
#include "core/base/strings.h"
#include "core/sys/file.h"

namespace hp::pod {
namespace {

constexpr int64_t kT0 = 1795341600LL * 1000000000;  // 2026-11-22T10:00:00Z

class CriLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    dir_ = tmp_.path();
    path_ = dir_ + "/logs/ns_pod_uid/c/0.log";
  }
  std::string Read(const std::string& p) {
    auto r = sys::ReadFile(p);
    return r ? *r : "<missing>";
  }
  std::vector<LogLine> ReadAll(LogReadOptions o = {}) {
    std::vector<LogLine> lines;
    auto s = ReadCriLog(path_, o, [&](const LogLine& l) {
      lines.push_back(l);
      return Ok();
    });
    EXPECT_TRUE(s) << s.error().ToString();
    return lines;
  }
  hp::testing::TempDir tmp_{"hp-crilog-"};
  std::string dir_, path_;
};

TEST(CriTimestamp, FormatAndParse) {
  EXPECT_EQ(Rfc3339Nano(kT0), "2026-11-22T10:00:00.000000000Z");
  EXPECT_EQ(Rfc3339Nano(kT0 + 123456789), "2026-11-22T10:00:00.123456789Z");
  EXPECT_EQ(*ParseCriTimestamp("2026-11-22T10:00:00.000000000Z"), kT0);
  EXPECT_EQ(*ParseCriTimestamp("2026-11-22T10:00:00.5Z"), kT0 + 500000000);
  EXPECT_EQ(*ParseCriTimestamp("2026-11-22T10:00:00Z"), kT0);
  EXPECT_EQ(*ParseCriTimestamp("2026-11-22T12:00:00+02:00"), kT0);
  EXPECT_FALSE(ParseCriTimestamp("2026-11-22 10:00:00Z"));
  EXPECT_FALSE(ParseCriTimestamp("2026-11-22T10:00:00"));
  EXPECT_FALSE(ParseCriTimestamp("2026-11-22T10:00:00.Z"));
  // Days before 1970, leap days, and the ends of the year, as Go's time.Parse reads them.
  EXPECT_EQ(*ParseCriTimestamp("1969-12-31T23:59:59Z"), -1'000'000'000);
  EXPECT_EQ(*ParseCriTimestamp("2024-02-29T00:00:00Z"), int64_t{1709164800} * 1'000'000'000);
  EXPECT_EQ(*ParseCriTimestamp("2026-12-31T23:59:59-01:00"),
            int64_t{1798761599 + 3600} * 1'000'000'000);
  // Out of range: Go's time.Parse refuses them (timegm would have moved them to another day).
  for (const char* bad : {"2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-02-29T00:00:00Z",
                          "2026-04-31T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T10:60:00Z",
                          "2026-11-22T10:00:60Z"})
    EXPECT_FALSE(ParseCriTimestamp(bad)) << bad;
}

TEST_F(CriLogTest, WritesFullAndPartialRecords) {
  auto w = CriLogWriter::Open(path_, {.max_size = 0, .max_files = 1, .max_line = 8});
  ASSERT_TRUE(w) << w.error().ToString();
  ASSERT_TRUE((*w)->Write(LogStream::kStdout, "hel", kT0));
  ASSERT_TRUE((*w)->Write(LogStream::kStderr, "oops\n", kT0));
  ASSERT_TRUE((*w)->Write(LogStream::kStdout, "lo\n\nworld", kT0));
  ASSERT_TRUE((*w)->Write(LogStream::kStdout, " 0123456789\nend", kT0));
  ASSERT_TRUE((*w)->Close(LogStream::kStdout, kT0));
  ASSERT_TRUE((*w)->Close(LogStream::kStderr, kT0));
  const std::string ts = "2026-11-22T10:00:00.000000000Z ";
  EXPECT_EQ(Read(path_), ts + "stderr F oops\n" + ts + "stdout F hello\n" + ts + "stdout F \n" +
                             ts + "stdout P world 01\n" + ts + "stdout F 23456789\n" + ts +
                             "stdout F end\n");
  auto lines = ReadAll();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0].stream, LogStream::kStderr);
  EXPECT_EQ(lines[0].text, "oops");
  EXPECT_EQ(lines[1].text, "hello");
  EXPECT_EQ(lines[2].text, "");
  EXPECT_EQ(lines[3].text, "world 0123456789");  // P + F joined
  EXPECT_EQ(lines[4].text, "end");
  EXPECT_EQ(RenderLogLine(lines[1], true), "2026-11-22T10:00:00.000000000Z hello\n");
  EXPECT_EQ(RenderLogLine(lines[1], false), "hello\n");
}

TEST_F(CriLogTest, RotatesBySizeKeepingNFiles) {
  CriLogOptions o{.max_size = 200, .max_files = 3, .max_line = 1024};
  auto w = CriLogWriter::Open(path_, o);
  ASSERT_TRUE(w);
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE((*w)->Write(LogStream::kStdout, "line " + std::to_string(i) + "\n", kT0 + i));
  }
  EXPECT_TRUE(sys::Exists(path_ + ".1"));
  EXPECT_TRUE(sys::Exists(path_ + ".2"));
  EXPECT_FALSE(sys::Exists(path_ + ".3"));
  for (const std::string& p : {path_, path_ + ".1", path_ + ".2"}) {
    EXPECT_LE(Read(p).size(), 200u) << p;
  }
  auto lines = ReadAll();
  ASSERT_FALSE(lines.empty());
  EXPECT_LT(lines.size(), 40u);  // the oldest were dropped
  EXPECT_EQ(lines.back().text, "line 39");
  for (size_t i = 1; i < lines.size(); ++i) EXPECT_LT(lines[i - 1].unix_ns, lines[i].unix_ns);
  // The rotated files are contiguous: every line from the first kept one on is present.
  int first = std::stoi(lines.front().text.substr(5));
  EXPECT_EQ(static_cast<int>(lines.size()), 40 - first);
}

TEST_F(CriLogTest, TailAndSince) {
  auto w = CriLogWriter::Open(path_);
  ASSERT_TRUE(w);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE((*w)->Write(LogStream::kStdout, "l" + std::to_string(i) + "\n",
                            kT0 + int64_t{i} * 1000000000));
  }
  auto lines = ReadAll({.tail = 3});
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, "l7");
  lines = ReadAll({.since_ns = kT0 + 8000000000});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "l8");
  lines = ReadAll({.tail = 0});
  EXPECT_TRUE(lines.empty());
}

TEST_F(CriLogTest, SkipsMalformedLinesAndMissingFileIsEmpty) {
  EXPECT_TRUE(ReadAll().empty());
  ASSERT_TRUE(sys::MkdirAll(path_.substr(0, path_.rfind('/'))));
  ASSERT_TRUE(sys::WriteFile(path_,
                             "garbage\n2026-11-22T10:00:00Z stdout F ok\n"
                             "2026-11-22T10:00:00Z other F no\n"
                             "2026-11-22T10:00:01Z stderr legacy text\n"));
  auto lines = ReadAll();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "ok");
  EXPECT_EQ(lines[1].text, "legacy text");
}

TEST_F(CriLogTest, FollowSeesNewLinesAndRotation) {
  auto w = CriLogWriter::Open(path_, {.max_size = 1000, .max_files = 2, .max_line = 1024});
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->Write(LogStream::kStdout, "before\n"));
  std::atomic<bool> done{false};
  std::mutex mu;
  std::vector<std::string> seen;
  auto count = [&] {
    std::lock_guard l(mu);
    return seen.size();
  };
  std::thread reader([&] {
    LogReadOptions o{.follow = true, .stop = [&] { return done.load(); }, .poll_interval_ms = 5};
    auto s = ReadCriLog(path_, o, [&](const LogLine& l) {
      std::lock_guard lock(mu);
      seen.push_back(l.text);
      return Ok();
    });
    EXPECT_TRUE(s);
  });
  // Each line is written only once the follower has the previous one, so the writes cross
  // the rotation while the reader is following (not before it has opened the file).
  auto wait_for = [&](size_t n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (count() < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return count() >= n;
  };
  ASSERT_TRUE(wait_for(1)) << "the follower never read the first line";
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE((*w)->Write(LogStream::kStdout, "after " + std::to_string(i) + "\n"));
    if (!wait_for(i + 2)) break;
  }
  done = true;
  reader.join();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), "before");
  EXPECT_EQ(seen.back(), "after 29");
  EXPECT_EQ(seen.size(), 31u) << Join(seen, "|");
  std::vector<std::string> rotated;
  for (const auto& e : std::filesystem::directory_iterator(path_.substr(0, path_.rfind('/'))))
    rotated.push_back(e.path().filename());
  EXPECT_GE(rotated.size(), 2u) << "no rotation happened: " << Join(rotated, " ");
}

}  // namespace
}  // namespace hp::pod
