// hp/launch without root: status decoding, capability names, plain launches, child errors.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/wait.h>

#include "common/temp_dir.h"
#include "core/launch/launch.h"
#include "core/sys/file.h"

namespace hp::testing {
namespace {

using std::chrono::milliseconds;

TEST(LaunchUnit, DecodeWaitStatus) {
  auto e = launch::DecodeWaitStatus(3 << 8);
  EXPECT_EQ(e.exit_code, 3);
  EXPECT_EQ(e.signal, 0);
  auto s = launch::DecodeWaitStatus(SIGKILL);
  EXPECT_EQ(s.exit_code, 137);
  EXPECT_EQ(s.signal, SIGKILL);
}

TEST(LaunchUnit, Capabilities) {
  auto m = launch::ParseCapabilities({"CAP_NET_BIND_SERVICE", "cap_chown"});
  ASSERT_TRUE(m) << m.error().ToString();
  EXPECT_EQ(*m, launch::CapBit(CAP_NET_BIND_SERVICE) | launch::CapBit(CAP_CHOWN));
  auto bad = launch::ParseCapabilities({"CAP_FLY"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "unknown capability \"CAP_FLY\"");
  auto all = launch::Capabilities::All();
  EXPECT_EQ(all.bounding & launch::CapBit(CAP_SYS_ADMIN), launch::CapBit(CAP_SYS_ADMIN));
  EXPECT_EQ(all.ambient, 0u);
  auto only = launch::Capabilities::Only(launch::CapBit(CAP_NET_BIND_SERVICE));
  EXPECT_EQ(only.ambient, launch::CapBit(CAP_NET_BIND_SERVICE));
}

TEST(LaunchUnit, RunsAndReportsExitCodes) {
  launch::LaunchSpec spec;
  spec.path = "/bin/sh";
  spec.argv = {"sh", "-c", "exit 7"};
  auto p = launch::Launch(spec);
  ASSERT_TRUE(p) << p.error().ToString();
  auto st = launch::Wait(*p, milliseconds(10000));
  ASSERT_TRUE(st && *st);
  EXPECT_EQ((*st)->exit_code, 7);
  spec.argv = {"sh", "-c", "kill -KILL $$"};
  p = launch::Launch(spec);
  ASSERT_TRUE(p);
  st = launch::Wait(p->pid);
  ASSERT_TRUE(st && *st);
  EXPECT_EQ((*st)->exit_code, 137);
}

TEST(LaunchUnit, ChildErrorsNameTheStep) {
  launch::LaunchSpec spec;
  spec.path = "/no/such/binary";
  auto p = launch::Launch(spec);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().ToString(), "exec \"/no/such/binary\": No such file or directory");
  hp::testing::TempDir dir("hp-launch-unit-");
  ASSERT_TRUE(dir.ok());
  std::string plain = dir.path() + "/not-executable";
  ASSERT_TRUE(sys::WriteFileAtomic(plain, "#!/bin/sh\n", 0644));
  spec.path = plain;
  p = launch::Launch(spec);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().ToString(), fmt::format("exec \"{}\": Permission denied", plain));
  spec.path = "/bin/true";
  spec.cwd = "/no/such/dir";
  p = launch::Launch(spec);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().ToString(), "chdir \"/no/such/dir\": No such file or directory");
  // Nothing is left to reap.
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
}

TEST(LaunchUnit, OutputThroughFdsAndGoFd) {
  int out[2], go[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(go, O_CLOEXEC), 0);
  UniqueFd out_r(out[0]), out_w(out[1]), go_r(go[0]), go_w(go[1]);
  launch::LaunchSpec spec;
  spec.path = "/bin/sh";
  spec.argv = {"sh", "-c", "echo \"$X\""};
  spec.env = {"X=hello world"};
  spec.stdout_fd = out_w.get();
  spec.go_fd = go_r.get();
  auto p = launch::Launch(spec);
  ASSERT_TRUE(p) << p.error().ToString();
  out_w.reset();
  go_r.reset();
  ASSERT_EQ(::write(go_w.get(), "x", 1), 1);
  ASSERT_TRUE(launch::AwaitExec(*p, spec));
  auto text = sys::ReadFd(out_r.get());
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "hello world\n");
  auto st = launch::Wait(*p);
  ASSERT_TRUE(st && *st);
  EXPECT_EQ((*st)->exit_code, 0);
}

TEST(LaunchUnit, ClosingGoFdCancels) {
  int go[2];
  ASSERT_EQ(::pipe2(go, O_CLOEXEC), 0);
  UniqueFd go_r(go[0]), go_w(go[1]);
  launch::LaunchSpec spec;
  spec.path = "/bin/true";
  spec.go_fd = go_r.get();
  auto p = launch::Launch(spec);
  ASSERT_TRUE(p);
  go_w.reset();
  auto st = launch::Wait(*p, milliseconds(10000));
  if (!st || !*st) {
    ::kill(p->pid, SIGKILL);
    (void)launch::Wait(*p);
  }
  ASSERT_TRUE(st && *st);
  EXPECT_EQ((*st)->exit_code, 127);
}

}  // namespace
}  // namespace hp::testing
