#include "core/agent/format.h"

#include <gtest/gtest.h>

namespace hp::agent {
namespace {

TEST(FormatTest, HumanDurationMatchesKubectl) {
  struct Case {
    int64_t s;
    const char* want;
  } cases[] = {
      {-2, "<invalid>"},
      {-1, "0s"},
      {0, "0s"},
      {59, "59s"},
      {119, "119s"},
      {120, "2m"},
      {133, "2m13s"},
      {599, "9m59s"},
      {600, "10m"},
      {10799, "179m"},
      {10800, "3h"},
      {3 * 3600 + 60, "3h1m"},
      {8 * 3600, "8h"},
      {47 * 3600, "47h"},
      {48 * 3600, "2d"},
      {49 * 3600, "2d1h"},
      {8 * 86400, "8d"},
      {729 * 86400, "729d"},
      {730 * 86400, "2y"},
      {731 * 86400, "2y1d"},
      {8 * 365 * 86400, "8y"},
  };
  for (const auto& c : cases) EXPECT_EQ(HumanDuration(c.s), c.want) << c.s;
}

TEST(FormatTest, TableLikeKubectl) {
  Table t({"NAME", "READY", "STATUS", "RESTARTS", "AGE"});
  t.AddRow({"privileged-daemonset-x7k2p", "1/1", "Running", "0", "2m13s"});
  t.AddRow({"a", "0/1", "CrashLoopBackOff", "12", "5h"});
  EXPECT_EQ(t.Render(),
            "NAME                         READY   STATUS             RESTARTS   AGE\n"
            "privileged-daemonset-x7k2p   1/1     Running            0          2m13s\n"
            "a                            0/1     CrashLoopBackOff   12         5h\n");
  EXPECT_EQ(t.rows(), 2u);
}

TEST(FormatTest, TableMinimumWidthAndNoHeaders) {
  Table t({"A", "B"});
  t.AddRow({"x", "y"});
  EXPECT_EQ(t.Render(), "A     B\nx     y\n");
  EXPECT_EQ(t.Render(true), "x     y\n");
}

TEST(FormatTest, Timestamps) {
  EXPECT_EQ(Rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Rfc3339(1795341600), "2026-11-22T10:00:00Z");
  EXPECT_EQ(Rfc1123(1795341600), "Sun, 22 Nov 2026 10:00:00 +0000");
}

}  // namespace
}  // namespace hp::agent
