#include "core/windows/job_accounting.h"

#include <gtest/gtest.h>

namespace hp::windows {
namespace {

TEST(WindowsJobAccounting, BytesInTheLargestWholeBinaryUnit) {
  EXPECT_EQ(BinaryBytes(0), "0");
  EXPECT_EQ(BinaryBytes(1023), "1023");
  EXPECT_EQ(BinaryBytes(1024), "1Ki");
  EXPECT_EQ(BinaryBytes(1024 * 1024 - 1), "1023Ki");  // rounded down, never up to 1Mi
  EXPECT_EQ(BinaryBytes(12 * 1024 * 1024 + 5), "12Mi");
  EXPECT_EQ(BinaryBytes(3ull << 30), "3Gi");
  EXPECT_EQ(BinaryBytes(5ull << 40), "5Ti");
  EXPECT_EQ(BinaryBytes(UINT64_MAX), "15Ei");
}

TEST(WindowsJobAccounting, SecondsFrom100nsUnits) {
  EXPECT_EQ(Seconds100ns(0), "0.000s");
  EXPECT_EQ(Seconds100ns(9999), "0.000s");  // below a millisecond
  EXPECT_EQ(Seconds100ns(1250000), "0.125s");
  EXPECT_EQ(Seconds100ns(120000000), "12.000s");
  EXPECT_EQ(Seconds100ns(36000000000ull), "3600.000s");
}

TEST(WindowsJobAccounting, TheBlockNamesEachFigure) {
  JobAccounting a;
  a.active_processes = 2;
  a.total_processes = 3;
  a.user_100ns = 1250000;
  a.kernel_100ns = 310000;
  a.peak_job_memory = 12 * 1024 * 1024;
  a.io_reported = true;
  a.read_ops = 10;
  a.write_ops = 3;
  a.other_ops = 40;
  a.read_bytes = 4096;
  a.write_bytes = 1024;
  a.other_bytes = 2048;
  auto lines = JobAccountingLines(a);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], (std::pair<std::string, std::string>{"Processes", "2 active, 3 total"}));
  EXPECT_EQ(lines[1],
            (std::pair<std::string, std::string>{"CPU Time", "0.125s user, 0.031s kernel"}));
  EXPECT_EQ(lines[2], (std::pair<std::string, std::string>{"Peak Memory", "12Mi"}));
  EXPECT_EQ(lines[3], (std::pair<std::string, std::string>{
                          "I/O", "10 reads (4Ki), 3 writes (1Ki), 40 other (2Ki)"}));
  a.io_reported = false;  // Wine 8: the I/O query is not implemented
  EXPECT_EQ(JobAccountingLines(a)[3],
            (std::pair<std::string, std::string>{"I/O", "not reported by this system"}));
}

}  // namespace
}  // namespace hp::windows
