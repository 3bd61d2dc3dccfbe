// sys::DirWatch: woken by a change in a watched directory, not by the clock; a directory made
// or made again after the watch is watched from the next Wait.
#include "core/sys/dir_watch.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "common/temp_dir.h"
#include "core/sys/file.h"

namespace hp::sys {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class DirWatchTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tmp_.ok()); }
  std::string Path(const std::string& name) const { return tmp_.path() + "/" + name; }
  // Runs `change` on another thread after 100 ms; returns Wait(10 s)'s result and how long it took.
  template <typename F>
  std::pair<bool, milliseconds> WaitFor(DirWatch& w, F change) {
    std::thread t([&] {
      std::this_thread::sleep_for(milliseconds(100));
      change();
    });
    auto start = Clock::now();
    bool woken = w.Wait(milliseconds(10000));
    auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    t.join();
    return {woken, took};
  }
  hp::testing::TempDir tmp_{"dir-watch-"};
};

TEST_F(DirWatchTest, NothingChangedWaitsItsTime) {
  DirWatch w({tmp_.path()});
  auto start = Clock::now();
  EXPECT_FALSE(w.Wait(milliseconds(150)));
  EXPECT_GE(Clock::now() - start, milliseconds(150));
}

TEST_F(DirWatchTest, AFileRenamedInWakesTheWaiterAtOnce) {
  DirWatch w({tmp_.path()});
  ASSERT_TRUE(WriteFile(Path(".status.tmp"), "{}"));  // before: drained by the first Wait
  EXPECT_TRUE(w.Wait(milliseconds(0)));
  auto [woken, took] = WaitFor(
      w, [&] { ASSERT_EQ(::rename(Path(".status.tmp").c_str(), Path("status.json").c_str()), 0); });
  EXPECT_TRUE(woken);
  EXPECT_LT(took, milliseconds(5000));  // woken, not timed out (10 s)
}

TEST_F(DirWatchTest, ADirectoryMadeLaterIsWatchedThroughItsParent) {
  std::string pod = Path("pod");
  DirWatch w({tmp_.path(), pod});
  auto [made, took] = WaitFor(w, [&] { ASSERT_EQ(::mkdir(pod.c_str(), 0700), 0); });
  EXPECT_TRUE(made);
  EXPECT_LT(took, milliseconds(5000));
  // Watched from that Wait on: a file written in it wakes the next.
  auto [written, took2] = WaitFor(w, [&] { ASSERT_TRUE(WriteFile(pod + "/stop", "\n")); });
  EXPECT_TRUE(written);
  EXPECT_LT(took2, milliseconds(5000));
}

TEST_F(DirWatchTest, ADirectoryRemovedAndMadeAgainIsWatchedAgain) {
  std::string pod = Path("pod");
  ASSERT_EQ(::mkdir(pod.c_str(), 0700), 0);
  DirWatch w({pod});  // its parent is not watched: only the directory itself
  auto [removed, took] = WaitFor(w, [&] { ASSERT_EQ(::rmdir(pod.c_str()), 0); });
  EXPECT_TRUE(removed);
  EXPECT_LT(took, milliseconds(5000));
  ASSERT_EQ(::mkdir(pod.c_str(), 0700), 0);
  // The removal's events (the directory gone, then its watch ended) may come in two reads:
  // drained, and the directory made again is watched from the first Wait after the end.
  for (int i = 0; i < 10 && w.Wait(milliseconds(50)); i++) {
  }
  auto [written, took2] = WaitFor(w, [&] { ASSERT_TRUE(WriteFile(pod + "/status.json", "{}")); });
  EXPECT_TRUE(written);
  EXPECT_LT(took2, milliseconds(5000));
}

// Its end leaves this process no inotify instance: the instance goes to a grandchild that ends
// it (the kernel's teardown of the watches waits), which this process does not wait for. As a
// subreaper here, that grandchild comes back to this test once orphaned, and is reaped.
TEST_F(DirWatchTest, ItsEndIsLeftToAGrandchild) {
  auto instances = [] {
    int n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
      std::error_code rec;
      n += std::filesystem::read_symlink(e.path(), rec).string() == "anon_inode:inotify";
    }
    return n;
  };
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  int before = instances();
  {
    DirWatch w({tmp_.path()});
    ASSERT_TRUE(WriteFile(Path("a"), "x"));
    EXPECT_TRUE(w.Wait(milliseconds(1000)));
    EXPECT_EQ(instances(), before + 1);
  }
  EXPECT_EQ(instances(), before);
  int st = -1;
  pid_t grandchild = ::waitpid(-1, &st, 0);
  EXPECT_GT(grandchild, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  errno = 0;
  EXPECT_EQ(::waitpid(-1, &st, WNOHANG), -1);  // nothing else: the vfork'd child was reaped
  EXPECT_EQ(errno, ECHILD);
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
  // A watch made after works as before.
  DirWatch again({tmp_.path()});
  auto [woken, took] = WaitFor(again, [&] { ASSERT_TRUE(WriteFile(Path("b"), "y")); });
  EXPECT_TRUE(woken);
  EXPECT_LT(took, milliseconds(5000));
}

// The grandchild holds the instance until this process has closed its own reference: were it
// gone first, this process's close would be the last and would wait for the kernel's teardown
// (14.6 ms in one traced `wait`). Checked at the moment before that close: no child of this
// subreaper has exited, 50 ms after the grandchild was made.
bool g_grandchild_exited_before_close = false;
TEST_F(DirWatchTest, TheGrandchildOutlivesThisProcesssReference) {
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {  // another test's exited child, if any
  }
  g_grandchild_exited_before_close = true;
  SetDirWatchEndHookForTesting([] {
    std::this_thread::sleep_for(milliseconds(50));
    siginfo_t info = {};
    g_grandchild_exited_before_close =
        ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0;
  });
  {
    DirWatch w({tmp_.path()});
    ASSERT_TRUE(WriteFile(Path("a"), "x"));
    EXPECT_TRUE(w.Wait(milliseconds(1000)));
  }
  SetDirWatchEndHookForTesting(nullptr);
  EXPECT_FALSE(g_grandchild_exited_before_close);
  int st = -1;
  EXPECT_GT(::waitpid(-1, &st, 0), 0);  // it ends once this process's reference is gone
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
}

// A watch that never watched anything (its directory missing) ends here, with no child.
TEST_F(DirWatchTest, AWatchOfNothingEndsHere) {
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  { DirWatch w({Path("missing")}); }
  int st = 0;
  errno = 0;
  EXPECT_EQ(::waitpid(-1, &st, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
}

}  // namespace
}  // namespace hp::sys
