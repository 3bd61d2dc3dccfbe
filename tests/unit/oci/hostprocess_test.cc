#include "core/oci/hostprocess.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/temp_dir.h"
#include "core/base/strings.h"
#include "core/oci/console.h"
#include "core/oci/hooks.h"
#include "core/oci/runtime.h"
#include "core/sys/file.h"

namespace hp::oci {
namespace {

Result<NsId> FakeResolver(const std::string& type, const std::string& path) {
  if (path.empty() || path == "/proc/1/ns/" + type) return NsId{1, 100};
  return NsId{1, 200};
}

TEST(Namespaces, HostOnesAcceptedNewOnesIgnoredUserAndTimeRefused) {
  auto w = CheckNamespaces({{"pid", ""}, {"network", "/proc/1/ns/network"}, {"ipc", "/other"}},
                           &FakeResolver);
  ASSERT_TRUE(w) << w.error().ToString();
  ASSERT_EQ(w->size(), 2u);  // new pid + other ipc; the host network path is silent
  EXPECT_NE((*w)[0].find("pid namespace"), std::string::npos);
  EXPECT_NE((*w)[1].find("\"/other\""), std::string::npos);
  auto user = CheckNamespaces({{"user", ""}}, &FakeResolver);
  ASSERT_FALSE(user);
  EXPECT_NE(user.error().message().find("user namespace"), std::string::npos);
  EXPECT_FALSE(CheckNamespaces({{"time", ""}}, &FakeResolver));
  EXPECT_TRUE(CheckNamespaces({{"user", "/proc/1/ns/user"}}, &FakeResolver));
  EXPECT_FALSE(CheckNamespaces({{"bogus", ""}}, &FakeResolver));
}

TEST(Annotations, HostProcessAnnotationMustBeTrue) {
  EXPECT_TRUE(CheckAnnotations({{"microsoft.com/hostprocess-container", "true"}}));
  EXPECT_FALSE(CheckAnnotations({{"microsoft.com/hostprocess-container", "false"}}));
  auto w = CheckAnnotations({{"hostprocess.io/mount-layout", "absolute"}});
  ASSERT_TRUE(w);
  EXPECT_EQ(w->size(), 1u);
}

TEST(Mounts, SystemMountsSkippedBindsAndTmpfsPlaced) {
  std::vector<Mount> in = {
      {"/proc", "proc", "proc", {}},
      {"/dev/pts", "devpts", "devpts", {}},
      {"/dev/termination-log", "bind", "/x", {"rbind"}},
      {"/sys/fs/cgroup", "cgroup", "cgroup", {"ro"}},
      {"/etc/hosts", "bind", "/var/lib/x/hosts", {"rbind", "rprivate", "ro"}},
      {"/data", "", "/srv/data", {"bind", "nosuid"}},
      {"/scratch", "tmpfs", "tmpfs", {"nosuid", "size=65536k", "mode=755"}},
      {"/mq", "mqueue", "mqueue", {}},
  };
  std::vector<std::string> warnings;
  auto plans = PlanMounts(in, &warnings);
  ASSERT_TRUE(plans) << plans.error().ToString();
  ASSERT_EQ(plans->size(), in.size());
  for (int i : {0, 1, 2, 3}) EXPECT_EQ((*plans)[i].action, MountAction::kSkipSystem) << i;
  EXPECT_EQ((*plans)[4].action, MountAction::kBind);
  EXPECT_TRUE((*plans)[4].read_only);
  EXPECT_TRUE((*plans)[4].recursive);
  EXPECT_EQ((*plans)[5].action, MountAction::kBind);
  EXPECT_FALSE((*plans)[5].recursive);
  EXPECT_EQ((*plans)[6].action, MountAction::kTmpfs);
  EXPECT_EQ((*plans)[6].data, "size=65536k,mode=755");
  EXPECT_EQ((*plans)[7].action, MountAction::kSkipUnsupported);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("mqueue"), std::string::npos);
  EXPECT_FALSE(PlanMounts({{"/a/../b", "bind", "/x", {}}}, nullptr));
  EXPECT_FALSE(PlanMounts({{"/a", "bind", "relative", {}}}, nullptr));
  EXPECT_TRUE(IsSystemMount("/dev"));
  EXPECT_FALSE(IsSystemMount("/devices"));
}

class ProcessPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    dir_ = tmp_.path();
    sandbox_ = dir_ + "/rootfs/";
    ASSERT_TRUE(sys::MkdirAll(sandbox_ + "bin"));
    ASSERT_TRUE(sys::WriteFileAtomic(sandbox_ + "bin/only-in-image", "#!/bin/sh\n", 0755));
  }
  // Planned and resolved, as `create` does once the working directory exists.
  Result<ProcessPlan> Resolved(const Process& p) {
    ASSIGN_OR_RETURN(ProcessPlan plan, PlanProcess(p, sandbox_));
    TRY(ResolveExecutable(plan));
    return plan;
  }
  hp::testing::TempDir tmp_{"hp-oci-plan-"};
  std::string dir_, sandbox_;
};

TEST_F(ProcessPlanTest, SandboxVariableLastAndExpanded) {
  Process p;
  p.args = {"$CONTAINER_SANDBOX_MOUNT_POINT/bin/only-in-image",
            "${CONTAINER_SANDBOX_MOUNT_POINT}x"};
  p.env = {"CONTAINER_SANDBOX_MOUNT_POINT=/evil", "PATH=/bin", "A=1"};
  p.cwd = "/";
  auto plan = Resolved(p);
  ASSERT_TRUE(plan) << plan.error().ToString();
  EXPECT_EQ(plan->env.back(), "CONTAINER_SANDBOX_MOUNT_POINT=" + sandbox_);
  EXPECT_EQ(std::count_if(plan->env.begin(), plan->env.end(),
                          [](const std::string& e) { return StartsWith(e, "CONTAINER_SANDBOX"); }),
            1);
  EXPECT_EQ(plan->argv[0], sandbox_ + "/bin/only-in-image");
  EXPECT_EQ(plan->argv[1], sandbox_ + "x");
  EXPECT_EQ(plan->cwd, dir_ + "/rootfs");
  EXPECT_EQ(plan->path, dir_ + "/rootfs/bin/only-in-image");
}

TEST_F(ProcessPlanTest, PathSearchImageFirstThenHost) {
  Process p;
  p.args = {"sh"};
  p.env = {"PATH=/usr/bin:/bin"};
  auto host = Resolved(p);
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->path == "/usr/bin/sh" || host->path == "/bin/sh") << host->path;
  EXPECT_NE(std::find(host->env.begin(), host->env.end(),
                      "PATH=/usr/bin:/bin:" + dir_ + "/rootfs/usr/bin:" + dir_ + "/rootfs/bin"),
            host->env.end());
  p.args = {"only-in-image"};
  auto image = Resolved(p);
  ASSERT_TRUE(image);
  EXPECT_EQ(image->path, dir_ + "/rootfs/bin/only-in-image");
  p.args = {"/bin/only-in-image"};  // not on the host: the image's file
  auto abs = Resolved(p);
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->path, dir_ + "/rootfs/bin/only-in-image");
  p.args = {"no-such-command-anywhere"};
  auto missing = Resolved(p);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("executable file not found in $PATH"),
            std::string::npos);
  EXPECT_NE(missing.error().message().find(dir_ + "/rootfs/bin"), std::string::npos);
}

TEST_F(ProcessPlanTest, WorkingDirectory) {
  Process p;
  p.args = {"./bin/only-in-image"};
  p.cwd = "/tmp";  // exists on the host: the host's
  auto host = PlanProcess(p, sandbox_);
  ASSERT_TRUE(host);
  EXPECT_EQ(host->cwd, "/tmp");
  p.cwd = "/no/such/dir/on/host";
  auto in = PlanProcess(p, sandbox_);
  ASSERT_TRUE(in);
  EXPECT_EQ(in->cwd, dir_ + "/rootfs/no/such/dir/on/host");
  EXPECT_TRUE(in->create_cwd);
  p.cwd = "";
  auto def = Resolved(p);
  ASSERT_TRUE(def) << def.error().ToString();
  EXPECT_EQ(def->path, dir_ + "/rootfs/bin/only-in-image");
  EXPECT_FALSE(PlanProcess(Process{}, sandbox_));
}

TEST(Sandbox, PathIsAbsoluteWithTrailingSlash) {
  EXPECT_EQ(SandboxPath("/b", "rootfs"), "/b/rootfs/");
  EXPECT_EQ(SandboxPath("/b", "/abs/r/"), "/abs/r/");
  EXPECT_EQ(SandboxPath("/b/x", "../r"), "/b/r/");
  EXPECT_EQ(SandboxPath("/b", ""), "/b/rootfs/");
}

TEST(Runtime, CgroupPathSplitsIntoJobRootPodContainer) {
  auto a = SplitCgroupPath("/kubepods/besteffort/pod1/c1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->root, "/kubepods/besteffort");
  EXPECT_EQ(a->pod, "pod1");
  EXPECT_EQ(a->container, "c1");
  auto b = SplitCgroupPath("/default/c1");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->root, "/");
  EXPECT_EQ(b->pod, "default");
  // A one-level path (the runtime's default "/<id>" when the bundle has no cgroupsPath): the
  // container sits directly under the root, without a pod parent (issue 15 item 1).
  auto c = SplitCgroupPath("/c1");
  ASSERT_TRUE(c) << c.error().ToString();
  EXPECT_EQ(c->root, "/");
  EXPECT_EQ(c->pod, "");
  EXPECT_EQ(c->container, "c1");
  EXPECT_FALSE(SplitCgroupPath("/"));
}

// Issue 21 item 9 (runtime): nested mounts listed child-first are mounted parent-first.
TEST(Mounts, NestedMountsInDepthOrder) {
  auto plans = PlanMounts({{"/m/sub/x", "bind", "/a", {}},
                           {"/m/sub", "bind", "/b", {}},
                           {"/m", "bind", "/c", {}},
                           {"/n", "tmpfs", "tmpfs", {}}},
                          nullptr);
  ASSERT_TRUE(plans);
  auto ordered = InMountOrder(*plans);
  ASSERT_EQ(ordered.size(), 4u);
  EXPECT_EQ(ordered[0].destination, "/m");
  EXPECT_EQ(ordered[1].destination, "/n");
  EXPECT_EQ(ordered[2].destination, "/m/sub");
  EXPECT_EQ(ordered[3].destination, "/m/sub/x");
}

TEST(Runtime, SignalsByNameAndNumber) {
  EXPECT_EQ(*ParseSignal("SIGTERM"), SIGTERM);
  EXPECT_EQ(*ParseSignal("KILL"), SIGKILL);
  EXPECT_EQ(*ParseSignal("hup"), SIGHUP);
  EXPECT_EQ(*ParseSignal("9"), 9);
  EXPECT_FALSE(ParseSignal("SIGNOPE"));
  EXPECT_EQ(*ParseSignal("0"), 0);  // runc's liveness check
  EXPECT_FALSE(ParseSignal("-1"));
  EXPECT_FALSE(ParseSignal("65"));
  EXPECT_EQ(*ParseRlimit("RLIMIT_NOFILE"), RLIMIT_NOFILE);
  EXPECT_FALSE(ParseRlimit("RLIMIT_BOGUS"));
}

TEST(Runtime, StateJsonHasRuncFields) {
  ContainerStatus s;
  s.id = "c1";
  s.pid = 5;
  s.status = "running";
  s.bundle = "/b";
  s.rootfs = "/b/rootfs";
  s.created = "t";
  std::string j = EncodeStatus(s);
  for (const char* key :
       {"\"ociVersion\"", "\"id\": \"c1\"", "\"pid\": 5", "\"status\": \"running\"", "\"bundle\"",
        "\"rootfs\"", "\"created\"", "\"owner\""})
    EXPECT_NE(j.find(key), std::string::npos) << key << " in " << j;
}

TEST(Hooks, StateOnStdinEnvAndFailureOutput) {
  hp::testing::TempDir d("hp-oci-hook-");
  ASSERT_TRUE(d.ok());
  Hook ok{"/bin/sh",
          {"sh", "-c", "cat > " + d.path() + "/state; echo $X > " + d.path() + "/env"},
          {"X=y"},
          5};
  ASSERT_TRUE(RunHook(ok, HookState("1.0.2", "c1", "created", 9, "/b", {})));
  EXPECT_NE(sys::ReadFile(d.path() + "/state")->find("\"status\":\"created\""), std::string::npos);
  EXPECT_EQ(*sys::ReadFile(d.path() + "/env"), "y\n");
  Hook bad{"/bin/sh", {"sh", "-c", "echo broken >&2; exit 3"}, {}, std::nullopt};
  auto st = RunHooks({ok, bad}, "prestart", "{}");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().ToString().find("prestart hook #1"), std::string::npos);
  EXPECT_NE(st.error().ToString().find("broken"), std::string::npos);
  Hook slow{"/bin/sh", {"sh", "-c", "sleep 5"}, {}, 1};
  auto t = RunHook(slow, "{}");
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message().find("timed out"), std::string::npos);
}

TEST(Console, MasterIsSentOverTheSocket) {
  hp::testing::TempDir d("hp-oci-console-");
  ASSERT_TRUE(d.ok());
  std::string path = d.path() + "/sock";
  int l = ::socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, path.c_str());
  ASSERT_EQ(::bind(l, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(l, 1), 0);
  auto pty = OpenPty(ConsoleSize{24, 80});
  ASSERT_TRUE(pty) << pty.error().ToString();
  ASSERT_TRUE(SendFd(path, pty->master.get(), pty->slave_name));
  int c = ::accept(l, nullptr, nullptr);
  ASSERT_GE(c, 0);
  char name[4096];
  struct iovec iov = {name, sizeof name};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(c, &msg, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(name, static_cast<size_t>(n)), pty->slave_name);
  struct cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  ASSERT_NE(cm, nullptr);
  int fd;
  std::memcpy(&fd, CMSG_DATA(cm), sizeof fd);
  // What the slave writes comes out of the received master.
  ASSERT_EQ(::write(pty->slave.get(), "hi\n", 3), 3);
  char buf[16];
  ssize_t r = ::read(fd, buf, sizeof buf);
  ASSERT_GT(r, 0);
  EXPECT_EQ(std::string(buf, 2), "hi");
  ::close(fd);
  ::close(c);
  ::close(l);
}

}  // namespace
}  // namespace hp::oci
