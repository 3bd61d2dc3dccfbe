// hp/agent/grace.h: the stop file a delete writes and what its supervisor reads of it.
#include "core/agent/grace.h"

#include <gtest/gtest.h>

namespace hp::agent {
namespace {

TEST(StopFile, TheGracePeriodOfADeleteGoesThroughItsStopFile) {
  EXPECT_EQ(StopFileText(std::nullopt), "\n");
  EXPECT_EQ(StopFileText(0), "gracePeriodSeconds=0\n");
  EXPECT_EQ(StopFileText(45), "gracePeriodSeconds=45\n");
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{30}, kMaxGraceSeconds})
    EXPECT_EQ(StopFileGrace(StopFileText(v)), v);
  EXPECT_EQ(StopFileGrace("\n"), std::nullopt);  // a plain delete: the pod's own
  EXPECT_EQ(StopFileGrace(""), std::nullopt);
  EXPECT_EQ(StopFileGrace("gracePeriodSeconds=\n"), std::nullopt);
  EXPECT_EQ(StopFileGrace("gracePeriodSeconds=-1\n"), std::nullopt);
  EXPECT_EQ(StopFileGrace("gracePeriodSeconds=5x\n"), std::nullopt);
  EXPECT_EQ(StopFileGrace("gracePeriodSeconds=5"), 5);  // a write cut before its newline
  EXPECT_EQ(StopFileGrace("gracePeriodSeconds=9999999999999\n"), std::nullopt);  // 13 digits
}

}  // namespace
}  // namespace hp::agent
