#include "core/windows/job_limits.h"

#include <gtest/gtest.h>

namespace hp::windows {
namespace {

TEST(WindowsJobLimits, CpuRateIsTheShareOfTheMachineIn10000ths) {
  EXPECT_EQ(CpuRate(1000, 4), 2500u);  // one CPU of four: 25%
  EXPECT_EQ(CpuRate(500, 2), 2500u);
  EXPECT_EQ(CpuRate(250, 8), 312u);     // truncated
  EXPECT_EQ(CpuRate(8000, 4), 10000u);  // more than the machine: all of it
  EXPECT_EQ(CpuRate(1, 64), 1u);        // never 0 (0 would mean no cap)
  EXPECT_EQ(CpuRate(1000, 0), 10000u);  // unknown CPU count counts as one
}

TEST(WindowsJobLimits, CpuWeightFromARequest) {
  EXPECT_EQ(CpuWeight(1, 4), 1u);
  EXPECT_EQ(CpuWeight(2000, 4), 5u);  // half the machine: the middle weight
  EXPECT_EQ(CpuWeight(4000, 4), 9u);
  EXPECT_EQ(CpuWeight(100000, 4), 9u);
}

TEST(WindowsJobLimits, ResourcesBecomeJobObjectLimits) {
  JobObjectLimits l = ToJobObjectLimits({268435456, 500, 250, 32}, 2);
  EXPECT_EQ(l.cpu_rate, 2500u);
  EXPECT_FALSE(l.cpu_weight);  // a hard cap and a weight exclude each other
  EXPECT_EQ(l.job_memory, 268435456u);
  EXPECT_EQ(l.active_processes, 32u);
  JobObjectLimits w = ToJobObjectLimits({std::nullopt, std::nullopt, 1000, std::nullopt}, 2);
  EXPECT_FALSE(w.cpu_rate);
  EXPECT_EQ(w.cpu_weight, 5u);
  EXPECT_FALSE(w.job_memory);
  EXPECT_FALSE(w.active_processes);
  JobObjectLimits none = ToJobObjectLimits({0, 0, 0, 0}, 2);
  EXPECT_FALSE(none.cpu_rate || none.cpu_weight || none.job_memory || none.active_processes);
}

TEST(WindowsJobLimits, StorageQosAnnotationsSetTheIoRate) {
  std::vector<std::string> warnings;
  IoRate l = IoRateFromAnnotations({{std::string(kIopsMaximumAnnotation), "500"},
                                    {std::string(kBandwidthMaximumAnnotation), "1048576"},
                                    {"unrelated", "7"}},
                                   &warnings);
  EXPECT_EQ(l.iops, 500);
  EXPECT_EQ(l.bytes_per_second, 1048576);
  EXPECT_TRUE(warnings.empty());
  // 0 is hcsshim's "none"; an absent annotation sets nothing.
  IoRate none = IoRateFromAnnotations({{std::string(kIopsMaximumAnnotation), "0"}}, &warnings);
  EXPECT_FALSE(none.iops);
  EXPECT_FALSE(none.bytes_per_second);
  EXPECT_TRUE(warnings.empty());
}

TEST(WindowsJobLimits, AnIoAnnotationThatIsNoNumberIsIgnoredByName) {
  for (const char* bad : {"", "-1", "1e6", "10MB", " 5", "2147483648", "99999999999999999999"}) {
    std::vector<std::string> warnings;
    IoRate l = IoRateFromAnnotations({{std::string(kBandwidthMaximumAnnotation), bad},
                                      {std::string(kIopsMaximumAnnotation), "100"}},
                                     &warnings);
    EXPECT_FALSE(l.bytes_per_second) << bad;
    EXPECT_EQ(l.iops, 100) << bad;  // the other one still counts
    ASSERT_EQ(warnings.size(), 1u) << bad;
    EXPECT_NE(warnings[0].find(kBandwidthMaximumAnnotation), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find(std::string("\"") + bad + "\""), std::string::npos) << warnings[0];
  }
  std::vector<std::string> warnings;
  IoRate max =
      IoRateFromAnnotations({{std::string(kIopsMaximumAnnotation), "2147483647"}}, &warnings);
  EXPECT_EQ(max.iops, 2147483647);
  EXPECT_TRUE(warnings.empty());
}

}  // namespace
}  // namespace hp::windows
