// Reading the mount table: escapes and which mount points lie under a directory.
#include "core/sys/mount.h"

#include <gtest/gtest.h>

namespace hp::sys {
namespace {

TEST(MountTable, UnescapesAndSelectsBelowADirectoryDeepestFirst) {
  EXPECT_EQ(UnescapeMountPath("/a\\040b\\011c\\134d"), "/a b\tc\\d");
  EXPECT_EQ(UnescapeMountPath("/trailing\\04"), "/trailing\\04");
  std::string info =
      "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
      "30 22 0:40 / /r/sandboxes/x rw - overlay overlay rw\n"
      "31 30 8:1 /data /r/sandboxes/x/var/run/secrets\\040dir rw - ext4 /dev/sda1 rw\n"
      "32 22 0:41 / /r/sandboxes/xy rw - tmpfs tmpfs rw\n"
      "33 22 0:42 / /r/sandboxes rw - tmpfs tmpfs rw\n";
  EXPECT_EQ(MountPointsUnder(info, "/r/sandboxes/x"),
            (std::vector<std::string>{"/r/sandboxes/x/var/run/secrets dir", "/r/sandboxes/x"}));
  EXPECT_EQ(MountPointsUnder(info, "/r/sandboxes/x/").size(), 2u);
  EXPECT_EQ(MountPointsUnder(info, "/r/sandboxes").size(), 4u);
  EXPECT_TRUE(MountPointsUnder(info, "/nope").empty());
}

}  // namespace
}  // namespace hp::sys
