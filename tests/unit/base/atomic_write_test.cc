// sys::WriteFileAtomic's crash safety: the order of its steps (data durable before the name,
// the name durable before it returns) and, for a crash before any step, a file that holds the
// old or the new content, whole.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "core/sys/file.h"

namespace hp {
namespace {

std::vector<std::string> g_steps;
void Record(const char* step) { g_steps.emplace_back(step); }

int g_crash_at = -1;
void CrashAt(const char* /*step*/) {
  if (g_crash_at-- == 0) ::_exit(0);  // a kill -9 or power cut between two steps
}

class AtomicWrite : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    dir_ = tmp_.path();
  }
  void TearDown() override { sys::SetAtomicWriteHookForTesting(nullptr); }
  hp::testing::TempDir tmp_{"hp-atomic-"};
  std::string dir_;
};

TEST_F(AtomicWrite, DurableWriteSyncsTheDataBeforeTheRenameAndTheDirectoryAfter) {
  sys::SetAtomicWriteHookForTesting(Record);
  g_steps.clear();
  ASSERT_TRUE(sys::WriteFileAtomic(dir_ + "/f", "new", 0600, true));
  EXPECT_EQ(g_steps, (std::vector<std::string>{"write", "fsync", "rename", "fsync dir"}));
  g_steps.clear();
  ASSERT_TRUE(sys::WriteFileAtomic(dir_ + "/g", "new", 0600, false));
  EXPECT_EQ(g_steps, (std::vector<std::string>{"write", "rename"}));
  EXPECT_EQ(*sys::ReadFile(dir_ + "/f"), "new");
}

TEST_F(AtomicWrite, ACrashBetweenStepsLeavesTheOldOrTheNewContentWhole) {
  std::string old_content(100000, 'o'), new_content(200000, 'n');
  for (int step = 0; step < 5; step++) {
    SCOPED_TRACE("crash before step " + std::to_string(step));
    std::string path = dir_ + "/state.json";
    ASSERT_TRUE(sys::WriteFileAtomic(path, old_content, 0600, true));
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      g_crash_at = step;
      sys::SetAtomicWriteHookForTesting(CrashAt);
      (void)sys::WriteFileAtomic(path, new_content, 0600, true);
      ::_exit(1);  // step 4: no crash, the write completed
    }
    int st = 0;
    ASSERT_EQ(::waitpid(pid, &st, 0), pid);
    std::string got = *sys::ReadFile(path);
    EXPECT_EQ(got, step < 3 ? old_content : new_content);  // the rename is the commit point
    // A crashed writer's temp file is never mistaken for the file itself.
    auto names = sys::ListDir(dir_);
    ASSERT_TRUE(names);
    for (const auto& name : *names) {
      if (name != "state.json") {
        ASSERT_TRUE(sys::RemoveAll(dir_ + "/" + name));
      }
    }
  }
}

// A batch writes every file first (the disk writes then run together), then syncs and renames
// each in order, then syncs each directory once.
TEST_F(AtomicWrite, ABatchSyncsEachFileBeforeItsRenameAndEachDirectoryOnceAfterAll) {
  ASSERT_TRUE(sys::MkdirAll(dir_ + "/a") && sys::MkdirAll(dir_ + "/b"));
  sys::SetAtomicWriteHookForTesting(Record);
  g_steps.clear();
  ASSERT_TRUE(sys::WriteFilesAtomic(
      {{dir_ + "/a/1", "one"}, {dir_ + "/b/2", "two"}, {dir_ + "/a/3", "three"}}, 0600, true));
  EXPECT_EQ(g_steps,
            (std::vector<std::string>{"write", "write", "write", "fsync", "rename", "fsync",
                                      "rename", "fsync", "rename", "fsync dir", "fsync dir"}));
  EXPECT_EQ(*sys::ReadFile(dir_ + "/a/1"), "one");
  EXPECT_EQ(*sys::ReadFile(dir_ + "/b/2"), "two");
  EXPECT_EQ(*sys::ReadFile(dir_ + "/a/3"), "three");
  EXPECT_EQ(sys::ListDir(dir_ + "/a")->size(), 2u);  // no temp file left
}

// A file that cannot be written fails the batch before any rename: nothing is written and no
// temp file is left.
TEST_F(AtomicWrite, ABatchThatFailsBeforeItsRenamesWritesNothing) {
  auto st = sys::WriteFilesAtomic({{dir_ + "/first", "1"}, {dir_ + "/missing/second", "2"}});
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().ToString().find(dir_ + "/missing/second"), std::string::npos)
      << st.error().ToString();
  EXPECT_TRUE(sys::ListDir(dir_)->empty());
}

// Killed between any two steps of a batch: each file holds its old or its new content whole,
// and the files are renamed in order (a later file is never new while an earlier one is old).
TEST_F(AtomicWrite, ABatchCrashedBetweenStepsLeavesEachFileOldOrNewWholeInOrder) {
  std::string old_content(50000, 'o'), new_content(90000, 'n');
  std::vector<std::string> paths = {dir_ + "/x.json", dir_ + "/y.json"};
  for (int step = 0; step < 8; step++) {
    SCOPED_TRACE("crash before step " + std::to_string(step));
    for (const auto& p : paths) ASSERT_TRUE(sys::WriteFileAtomic(p, old_content, 0600, true));
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      g_crash_at = step;
      sys::SetAtomicWriteHookForTesting(CrashAt);
      (void)sys::WriteFilesAtomic({{paths[0], new_content}, {paths[1], new_content}}, 0600, true);
      ::_exit(1);  // step 7: no crash, the batch completed
    }
    int st = 0;
    ASSERT_EQ(::waitpid(pid, &st, 0), pid);
    std::string x = *sys::ReadFile(paths[0]), y = *sys::ReadFile(paths[1]);
    // Steps: write, write, fsync, rename (x), fsync, rename (y), fsync dir.
    EXPECT_EQ(x, step < 4 ? old_content : new_content);
    EXPECT_EQ(y, step < 6 ? old_content : new_content);
    auto names = sys::ListDir(dir_);
    ASSERT_TRUE(names);
    for (const auto& name : *names)
      if (name != "x.json" && name != "y.json") ASSERT_TRUE(sys::RemoveAll(dir_ + "/" + name));
  }
}

}  // namespace
}  // namespace hp
