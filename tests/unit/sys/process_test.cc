// hp/sys process helpers: FlockHolder reads /proc/locks and names the holder of a flock(2),
// for a file and for a directory, and nothing once it is released; SessionStragglers finds and
// kills a session's live processes.
#include "core/sys/process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

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

// The stat line's comm may hold spaces and ')': the fields after it are still found.
TEST(ReadProcStat, CommWithSpacesAndParenthesis) {
  int ready[2], go[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(go), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::setsid();
    ::prctl(PR_SET_NAME, "a) b (c", 0, 0, 0);
    char c = 'r';
    (void)!::write(ready[1], &c, 1);
    (void)!::read(go[0], &c, 1);
    ::_exit(0);
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  auto st = ReadProcStat(child);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->comm, "a) b (c");
  EXPECT_EQ(st->session, child);  // it called setsid: field 6 is its own pid
  EXPECT_NE(st->state, '?');
  EXPECT_GT(st->start_ticks, 0u);
  EXPECT_EQ(LiveStartTicks(child), st->start_ticks);
  ASSERT_EQ(::write(go[1], "g", 1), 1);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  EXPECT_FALSE(ReadProcStat(child));  // reaped: no entry
  for (int fd : {ready[0], ready[1], go[0], go[1]}) ::close(fd);
}

// A session leader and its child, both alive outside any job: SessionStragglers lists the
// session's processes started at or after `since` (and no other process), and with `kill`
// kills them. The filter on getsid(2) must not hide a member of the session.
TEST(SessionStragglers, ListsAndKillsTheSessionsLiveProcesses) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t leader = ::fork();
  ASSERT_GE(leader, 0);
  if (leader == 0) {
    ::close(ready[0]);
    if (::setsid() < 0) ::_exit(1);
    ::usleep(50'000);  // a later clock tick for the child than for the leader
    pid_t child = ::fork();
    if (child == 0) {
      for (;;) ::pause();
    }
    (void)!::write(ready[1], &child, sizeof child);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  pid_t child = 0;
  ASSERT_EQ(::read(ready[0], &child, sizeof child), static_cast<ssize_t>(sizeof child));
  ::close(ready[0]);
  struct Reap {  // whatever an early failure leaves is killed
    pid_t leader, child;
    ~Reap() {
      if (child > 0) ::kill(child, SIGKILL);
      if (leader > 0 && ::kill(leader, SIGKILL) == 0) ::waitpid(leader, nullptr, 0);
    }
  } reap{leader, child};
  uint64_t leader_ticks = LiveStartTicks(leader).value_or(0);
  uint64_t child_ticks = LiveStartTicks(child).value_or(0);
  ASSERT_GT(leader_ticks, 0u);
  ASSERT_GT(child_ticks, leader_ticks) << "the child started in a later tick";

  auto found = SessionStragglers(leader, leader_ticks, false);
  std::sort(found.begin(), found.end());
  std::vector<std::string> both = {std::to_string(leader) + " (sys_below_test)",
                                   std::to_string(child) + " (sys_below_test)"};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(found, both);
  // Only what started at or after `since`.
  EXPECT_EQ(SessionStragglers(leader, child_ticks, false),
            std::vector<std::string>{std::to_string(child) + " (sys_below_test)"});
  // Our own session is another one: none of its processes are listed for the leader's.
  for (const std::string& s : found) EXPECT_NE(s.rfind(std::to_string(::getpid()) + " ", 0), 0u);

  // Kill: both die (the leader is our child; the child is reparented and reaped by init).
  EXPECT_EQ(SessionStragglers(leader, leader_ticks, true).size(), 2u);
  int st = 0;
  pid_t waited = 0;
  for (int i = 0; i < 200 && waited == 0; i++) {  // bounded: a kill that missed fails, not hangs
    waited = ::waitpid(leader, &st, WNOHANG);
    if (waited == 0) ::usleep(10'000);
  }
  ASSERT_EQ(waited, leader) << "the session leader survived";
  reap.leader = 0;  // reaped: its pid may be reused
  EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  bool child_gone = false;
  for (int i = 0; i < 200 && !child_gone; i++) {
    auto s = ReadProcStat(child);
    child_gone = !s || s->state == 'Z' || s->state == 'X';
    if (!child_gone) ::usleep(10'000);
  }
  EXPECT_TRUE(child_gone) << "the session's child survived SIGKILL";
  if (child_gone) reap.child = 0;
  EXPECT_TRUE(SessionStragglers(leader, leader_ticks, false).empty());
}

}  // namespace
}  // namespace hp::sys
