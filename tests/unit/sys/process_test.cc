// hp/sys process helpers: FlockHolder reads /proc/locks and names the holder of a flock(2),
// for a file and for a directory, and nothing once it is released.
#include "core/sys/process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/temp_dir.h"
#include "core/sys/file.h"

namespace hp::sys {
namespace {

TEST(FlockHolder, NamesTheProcessHoldingTheLock) {
  testing::TempDir dir;
  std::string file = dir.path() + "/lock";
  ASSERT_TRUE(WriteFile(file, ""));
  EXPECT_FALSE(FlockHolder(file));
  EXPECT_FALSE(FlockHolder(dir.path() + "/missing"));
  for (const std::string& path : {file, dir.path()}) {
    SCOPED_TRACE(path);
    int go[2], held[2];
    ASSERT_EQ(::pipe(go), 0);
    ASSERT_EQ(::pipe(held), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      char c = (fd >= 0 && ::flock(fd, LOCK_EX) == 0) ? 'y' : 'n';
      (void)!::write(held[1], &c, 1);
      (void)!::read(go[0], &c, 1);  // hold until the parent has looked
      ::_exit(0);
    }
    char c = 0;
    ASSERT_EQ(::read(held[0], &c, 1), 1);
    ASSERT_EQ(c, 'y');
    auto holder = FlockHolder(path);
    ASSERT_TRUE(holder);
    EXPECT_EQ(*holder, child);
    // Another file on the same file system is not reported.
    std::string other = dir.path() + "/other";
    ASSERT_TRUE(WriteFile(other, ""));
    EXPECT_FALSE(FlockHolder(other));
    ASSERT_EQ(::write(go[1], "g", 1), 1);
    int st = 0;
    ASSERT_EQ(::waitpid(child, &st, 0), child);
    EXPECT_FALSE(FlockHolder(path));
    for (int fd : {go[0], go[1], held[0], held[1]}) ::close(fd);
  }
}

}  // namespace
}  // namespace hp::sys
