// hostprocess-runtime driven by Debian's containerd 1.6 through `ctr run --runc-binary`, as the
// runc shim (io.containerd.runc.v2) drives runc.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "core/base/strings.h"
#include "core/sys/file.h"
#include "e2e/runtime/harness.h"

namespace hp::e2e {
namespace {

class RuntimeE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) {
      skip_ = "needs root";
      return;
    }
    if (!sys::Exists("/usr/bin/containerd") || e2e::Run({"ctr", "--version"}).exit_code != 0) {
      skip_ = "containerd/ctr are not installed";
      return;
    }
    if (!sys::Exists("/bin/busybox")) {
      skip_ = "busybox-static is not installed";
      return;
    }
    ctrd_ = new Containerd();
    std::string err = ctrd_->Start();
    if (!err.empty()) {
      failure_ = err;
      return;
    }
    image_ = ctrd_->ImportBusybox(&failure_);
  }
  static void TearDownTestSuite() {
    delete ctrd_;
    ctrd_ = nullptr;
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(failure_.empty()) << failure_;
    ASSERT_FALSE(image_.empty());
  }
  // `ctr run` with our runtime in place of runc.
  std::vector<std::string> RunArgs(std::vector<std::string> flags, const std::string& id,
                                   std::vector<std::string> cmd) {
    std::vector<std::string> a = {"run", "--runc-binary", HP_RUNTIME_BINARY};
    a.insert(a.end(), flags.begin(), flags.end());
    a.push_back(image_);
    a.push_back(id);
    a.insert(a.end(), cmd.begin(), cmd.end());
    return a;
  }
  std::string TaskStatus(const std::string& id) {
    auto ls = ctrd_->Ctr({"task", "ls"});
    for (const std::string& line : Split(ls.output, '\n')) {
      std::vector<std::string> cols;
      for (const std::string& w : Split(line, ' '))
        if (!w.empty()) cols.push_back(w);
      if (cols.size() >= 3 && cols[0] == id) return cols[2];
    }
    return "";
  }
  void ExpectNothingLeft() {
    EXPECT_TRUE(ctrd_->CgroupsLeft().empty()) << Join(ctrd_->CgroupsLeft(), " ");
    EXPECT_TRUE(ctrd_->ProcessesLeft().empty());
    for (const std::string& m : ctrd_->MountsBelowDir()) ADD_FAILURE() << "mount left: " << m;
  }

  static inline Containerd* ctrd_ = nullptr;
  static inline std::string skip_, failure_, image_;
};

TEST_F(RuntimeE2E, RunsToCompletionWithExitCodeAndOutput) {
  auto r = ctrd_->Ctr(RunArgs({"--rm"}, "done",
                              {"sh", "-c",
                               "echo sandbox=$CONTAINER_SANDBOX_MOUNT_POINT; "
                               "$CONTAINER_SANDBOX_MOUNT_POINT/bin/busybox echo from-image; "
                               "exit 7"}));
  EXPECT_EQ(r.exit_code, 7) << r.output;
  EXPECT_NE(r.output.find("sandbox=" + ctrd_->dir() + "/state/io.containerd.runtime.v2.task/" +
                          ctrd_->ns() + "/done/rootfs/\n"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("from-image\n"), std::string::npos) << r.output;
  ExpectNothingLeft();
}

TEST_F(RuntimeE2E, LongRunningTaskExecPsPauseResumeMetricsKill) {
  auto r = ctrd_->Ctr(RunArgs({"-d"}, "long", {"sleep", "1000"}));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(TaskStatus("long"), "RUNNING");

  auto ps = ctrd_->Ctr({"task", "ps", "long"});
  EXPECT_EQ(ps.exit_code, 0) << ps.output;
  EXPECT_EQ(Split(TrimSpace(ps.output), '\n').size(), 2u) << ps.output;  // header + sleep

  auto ex =
      ctrd_->Ctr({"task", "exec", "--exec-id", "e1", "long", "sh", "-c", "echo exec-ok; exit 4"});
  EXPECT_EQ(ex.exit_code, 4) << ex.output;
  EXPECT_NE(ex.output.find("exec-ok"), std::string::npos) << ex.output;

  EXPECT_EQ(ctrd_->Ctr({"task", "pause", "long"}).exit_code, 0);
  EXPECT_EQ(TaskStatus("long"), "PAUSED");
  EXPECT_EQ(ctrd_->Ctr({"task", "resume", "long"}).exit_code, 0);
  EXPECT_EQ(TaskStatus("long"), "RUNNING");

  auto m = ctrd_->Ctr({"task", "metrics", "long"});
  EXPECT_EQ(m.exit_code, 0) << m.output;
  EXPECT_NE(m.output.find("memory.usage_in_bytes"), std::string::npos) << m.output;
  EXPECT_NE(m.output.find("pids.current             1"), std::string::npos) << m.output;

  EXPECT_EQ(ctrd_->Ctr({"task", "kill", "long"}).exit_code, 0);
  std::string status;
  for (int i = 0; i < 100 && (status = TaskStatus("long")) != "STOPPED"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(status, "STOPPED");
  EXPECT_EQ(ctrd_->Ctr({"task", "delete", "long"}).exit_code, 0);
  EXPECT_EQ(ctrd_->Ctr({"container", "rm", "long"}).exit_code, 0);
  ExpectNothingLeft();
}

TEST_F(RuntimeE2E, MemoryLimitIsTheJobs) {
  auto r = ctrd_->Ctr(RunArgs(
      {"--rm", "--memory-limit", "33554432"}, "mem",
      {"sh", "-c", "cat /sys/fs/cgroup/memory/" + ctrd_->ns() + "/mem/memory.limit_in_bytes"}));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("33554432"), std::string::npos) << r.output;
  ExpectNothingLeft();
}

TEST_F(RuntimeE2E, Terminal) {
  auto r = RunOnPty(ctrd_->CtrArgv(RunArgs({"--rm", "-t"}, "tty",
                                           {"sh", "-c", "tty; read x; echo got-$x; exit 5"})),
                    "hello\r", 1500);
  EXPECT_EQ(r.exit_code, 5) << r.output;
  EXPECT_NE(r.output.find("/dev/pts/"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("got-hello"), std::string::npos) << r.output;
  ExpectNothingLeft();
}

// A real Debian image (scripts/build-debian-test-image.sh) in containerd's own snapshot, which
// the runtime does not modify: the image's command, its absolute-link chain, its loader and
// libraries, and a script whose interpreter only the image has.
TEST_F(RuntimeE2E, RealDebianImageProgramsRunWithTheImagesLoader) {
  const char* tar = std::getenv("HP_DEBIAN_IMAGE");
  if (!tar || !*tar) GTEST_SKIP() << "HP_DEBIAN_IMAGE is not set (scripts/test.sh sets it)";
  std::string error;
  static std::string debian;
  if (debian.empty()) debian = ctrd_->ImportLayer(tar, "hp-e2e/debian:lua", "debian", &error);
  ASSERT_FALSE(debian.empty()) << error;
  auto run = [&](const std::string& id, std::vector<std::string> cmd) {
    std::vector<std::string> a = {"run", "--runc-binary", HP_RUNTIME_BINARY, "--rm", debian, id};
    a.insert(a.end(), cmd.begin(), cmd.end());
    return ctrd_->Ctr(a, 120);
  };
  auto r = run("lua", {"lua", "-e", "print(_VERSION)"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Lua 5.4"), std::string::npos) << r.output;
  r = run("abs", {"/usr/bin/lua", "-e", "print(3*3)"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("9"), std::string::npos) << r.output;
  r = run("script", {"hello.lua", "ctr"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("hello from Lua 5.4 ctr"), std::string::npos) << r.output;
  ExpectNothingLeft();
}

// CRI readonly_rootfs / OCI root.readonly: the container volume is read-only, its mounts (here
// containerd's /etc/hosts-like binds and a tmpfs) keep their own modes, and nothing is left.
TEST_F(RuntimeE2E, ReadOnlyRootfs) {
  auto r = ctrd_->Ctr(RunArgs(
      {"--rm", "--read-only", "--mount", "type=tmpfs,src=tmpfs,dst=/scratch,options=rw"}, "ro",
      {"sh", "-c",
       "touch x 2>/dev/null && echo root-writable || echo root-ro; "
       "touch scratch/y && echo scratch-writable"}));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("root-ro"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("scratch-writable"), std::string::npos) << r.output;
  // Without --read-only the same volume is writable.
  r = ctrd_->Ctr(RunArgs({"--rm"}, "rw", {"sh", "-c", "touch x && echo root-writable"}));
  EXPECT_NE(r.output.find("root-writable"), std::string::npos) << r.output;
  ExpectNothingLeft();
}

TEST_F(RuntimeE2E, ErrorsReachTheUserInRuncWording) {
  auto r = ctrd_->Ctr(RunArgs({"--rm"}, "bad", {"no-such-command-xyz"}));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("executable file not found in $PATH"), std::string::npos) << r.output;
  ctrd_->Ctr({"container", "rm", "bad"});
  ExpectNothingLeft();
}

}  // namespace
}  // namespace hp::e2e
