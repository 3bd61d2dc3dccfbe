// A container that fills the file system its logs live on does not stop its logs at once: the
// CRI log writer keeps space allocated ahead of itself (issue 13 item 9).
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common/temp_dir.h"
#include "core/pod/crilog.h"
#include "core/sys/file.h"

namespace hp::pod {
namespace {

TEST(LogReserve, LinesAreWrittenAfterTheFileSystemIsFull) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (mounts a small tmpfs)";
  hp::testing::TempDir tmp("hp-log-reserve-");
  std::string fs = tmp.path() + "/fs";
  ASSERT_TRUE(sys::MkdirAll(fs));
  ASSERT_EQ(::mount("tmpfs", fs.c_str(), "tmpfs", 0, "size=8m"), 0);
  struct Unmount {
    std::string p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{fs};
  auto log = CriLogWriter::Open(fs + "/logs/c/0.log");
  ASSERT_TRUE(log) << log.error().ToString();
  ASSERT_TRUE((*log)->Write(LogStream::kStdout, "before\n"));
  // The container fills the rest of the file system.
  auto filler = sys::Open(fs + "/filler", O_WRONLY | O_CREAT, 0644);
  ASSERT_TRUE(filler);
  std::string block(64 * 1024, 'x');
  while (::write(filler->get(), block.data(), block.size()) > 0) {
  }
  ASSERT_EQ(errno, ENOSPC);
  // What it says next still reaches its log.
  for (int i = 0; i < 1000; ++i) {
    auto w =
        (*log)->Write(LogStream::kStderr, "line " + std::to_string(i) + " after the disk filled\n");
    ASSERT_TRUE(w) << "line " << i << ": " << w.error().ToString();
  }
  std::string text = sys::ReadFile(fs + "/logs/c/0.log").value_or("");
  EXPECT_NE(text.find(" stdout F before\n"), std::string::npos);
  EXPECT_NE(text.find(" stderr F line 999 after the disk filled\n"), std::string::npos);
}

}  // namespace
}  // namespace hp::pod
