// Launch (root): identity, capabilities, no_new_privs, fds, go hooks, mount namespace, errors
// reported with their step.
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <thread>

#include "common/temp_dir.h"
#include "core/base/strings.h"
#include "integration/job/fixture.h"

namespace hp::testing {
namespace {

using std::chrono::milliseconds;
using LaunchTest = JobFixture;

std::map<std::string, std::string> StatusFields(const std::string& text) {
  std::map<std::string, std::string> out;
  for (const std::string& line : Split(text, '\n')) {
    auto c = line.find(':');
    if (c != std::string::npos) out[line.substr(0, c)] = std::string(TrimSpace(line.substr(c + 1)));
  }
  return out;
}

std::string RunOutput(LaunchTest* t, launch::LaunchSpec spec, std::vector<std::string> argv,
                      job::Job* j, int* code = nullptr) {
  auto r = t->Start(std::move(argv), j, std::move(spec));
  auto out = sys::ReadFd(r.out.get());
  auto st = launch::Wait(r.proc);
  EXPECT_TRUE(st && *st);
  if (code && st && *st) *code = (*st)->exit_code;
  return out ? *out : "";
}

TEST_F(LaunchTest, NobodyWithoutCapabilitiesAndNoNewPrivs) {
  job::Job* j = NewJob("pod-id", "c");
  ASSERT_NE(j, nullptr);
  launch::LaunchSpec spec;
  spec.uid = 65534;
  spec.gid = 65534;
  spec.caps = launch::Capabilities::None();
  spec.no_new_privs = true;
  auto f = StatusFields(RunOutput(this, spec, {"/bin/cat", "/proc/self/status"}, j));
  EXPECT_EQ(f["Uid"], "65534\t65534\t65534\t65534");
  EXPECT_EQ(f["Gid"], "65534\t65534\t65534\t65534");
  EXPECT_EQ(f["Groups"], "");
  EXPECT_EQ(f["CapEff"], "0000000000000000");
  EXPECT_EQ(f["CapPrm"], "0000000000000000");
  EXPECT_EQ(f["CapBnd"], "0000000000000000");
  EXPECT_EQ(f["CapAmb"], "0000000000000000");
  EXPECT_EQ(f["NoNewPrivs"], "1");
}

TEST_F(LaunchTest, NobodyKeepsOnlyNetBindService) {
  launch::LaunchSpec spec;
  spec.uid = 65534;
  spec.gid = 65534;
  spec.groups = std::vector<gid_t>{65534};
  spec.caps = launch::Capabilities::Only(launch::CapBit(CAP_NET_BIND_SERVICE));
  spec.no_new_privs = true;
  auto f = StatusFields(RunOutput(this, spec, {"/bin/cat", "/proc/self/status"}, nullptr));
  EXPECT_EQ(f["Uid"], "65534\t65534\t65534\t65534");
  EXPECT_EQ(f["Groups"], "65534");
  EXPECT_EQ(f["CapEff"], "0000000000000400");
  EXPECT_EQ(f["CapPrm"], "0000000000000400");
  EXPECT_EQ(f["CapAmb"], "0000000000000400");
  EXPECT_EQ(f["CapBnd"], "0000000000000400");
}

TEST_F(LaunchTest, RootKeepsEverythingByDefault) {
  auto f = StatusFields(RunOutput(this, {}, {"/bin/cat", "/proc/self/status"}, nullptr));
  EXPECT_EQ(f["Uid"], "0\t0\t0\t0");
  EXPECT_NE(f["CapEff"], "0000000000000000");
  EXPECT_EQ(f["NoNewPrivs"], "0");
}

// Issue 21 item 1: the parent-death signal holds for another account too (the uid change
// cleared it when it was set before): a process of a killed `run` does not live on.
TEST_F(LaunchTest, ParentDeathSignalSurvivesTheIdentityChange) {
  for (uid_t uid : {uid_t{0}, uid_t{65534}}) {
    SCOPED_TRACE("uid " + std::to_string(uid));
    int p[2];
    ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
    pid_t parent = ::fork();
    ASSERT_GE(parent, 0);
    if (parent == 0) {  // the launcher: starts `sleep`, tells its pid, dies
      launch::LaunchSpec spec;
      spec.path = "/bin/sleep";
      spec.argv = {"/bin/sleep", "30"};
      spec.env = {"PATH=/usr/bin:/bin"};
      spec.uid = uid;
      spec.gid = uid;
      spec.parent_death_signal = SIGKILL;
      auto proc = launch::Launch(spec);
      pid_t pid = proc ? proc->pid : -1;
      (void)!::write(p[1], &pid, sizeof pid);
      ::_exit(0);
    }
    ::close(p[1]);
    pid_t child = -1;
    ASSERT_EQ(::read(p[0], &child, sizeof child), static_cast<ssize_t>(sizeof child));
    ::close(p[0]);
    ASSERT_GT(child, 0);
    int st = 0;
    ASSERT_EQ(::waitpid(parent, &st, 0), parent);
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i) {
      std::string stat = sys::ReadFile("/proc/" + std::to_string(child) + "/stat").value_or("");
      gone = stat.empty() || stat.find(") Z ") != std::string::npos;
      if (!gone) std::this_thread::sleep_for(milliseconds(20));
    }
    EXPECT_TRUE(gone) << "the launched process outlived its parent";
    if (!gone) ::kill(child, SIGKILL);
  }
}

TEST_F(LaunchTest, EnvCwdUmaskRlimitsArgv) {
  launch::LaunchSpec spec;
  spec.env = {"A=1", "B=two words"};
  spec.cwd = "/usr";
  spec.umask = 027;
  spec.rlimits.push_back({RLIMIT_NOFILE, 123, 456});
  std::string out =
      RunOutput(this, spec,
                {"/bin/sh", "-c", "echo \"$A|$B|$(pwd)|$(umask)|$(ulimit -n)|$(ulimit -Hn)|$0|$1\"",
                 "zero", "one arg"},
                nullptr);
  EXPECT_EQ(out, "1|two words|/usr|0027|123|456|zero|one arg\n");
}

TEST_F(LaunchTest, ExecErrorNamesStepAndPath) {
  job::Job* j = NewJob("pod-err", "c");
  ASSERT_NE(j, nullptr);
  launch::LaunchSpec spec;
  spec.path = "/nonexistent/prog";
  spec.job = j;
  auto r = launch::Launch(spec);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().ToString(), "exec \"/nonexistent/prog\": No such file or directory");
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  auto pids = j->Pids();
  ASSERT_TRUE(pids);
  EXPECT_TRUE(pids->empty());  // the failed child was reaped
}

TEST_F(LaunchTest, ChdirAndSetuidErrors) {
  launch::LaunchSpec spec;
  spec.path = "/bin/true";
  spec.cwd = "/no/such/dir";
  auto r = launch::Launch(spec);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().ToString(), "chdir \"/no/such/dir\": No such file or directory");

  // nobody cannot enter a root-only directory.
  hp::testing::TempDir dir("hp-launch-");
  ASSERT_TRUE(dir.ok());
  ::chmod(dir.path().c_str(), 0700);
  spec.cwd = dir.path();
  spec.uid = 65534;
  spec.gid = 65534;
  r = launch::Launch(spec);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().ToString(), fmt::format("chdir \"{}\": Permission denied", dir.path()));
}

TEST_F(LaunchTest, StdioAndExtraFdsOthersClosed) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd r(p[0]), w(p[1]);
  // An fd that is not close-on-exec in the parent must still not leak.
  int leak = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(leak, 0);
  UniqueFd leak_owner(leak);
  launch::LaunchSpec spec;
  spec.path = "/bin/sh";
  spec.argv = {"/bin/sh", "-c",
               "ls /proc/self/fd | sort -n | tr '\\n' ' '; echo err >&2; echo x >&3"};
  spec.stdout_fd = w.get();
  spec.stderr_fd = w.get();
  spec.extra_fds = {w.get()};
  auto proc = launch::Launch(spec);
  ASSERT_TRUE(proc) << proc.error().ToString();
  w.reset();
  auto out = sys::ReadFd(r.get());
  ASSERT_TRUE(launch::Wait(*proc));
  ASSERT_TRUE(out);
  // ls itself opens one fd for /proc/self/fd (3 is taken, so 4).
  EXPECT_EQ(*out, "0 1 2 3 4 err\nx\n");
}

TEST_F(LaunchTest, GoFdHoldsExecUntilSignalled) {
  job::Job* j = NewJob("pod-go", "c");
  ASSERT_NE(j, nullptr);
  int go[2];
  ASSERT_EQ(::pipe2(go, O_CLOEXEC), 0);
  UniqueFd go_r(go[0]), go_w(go[1]);
  launch::LaunchSpec spec;
  spec.go_fd = go_r.get();
  auto r = Start({"/bin/echo", "started"}, j, spec);
  ASSERT_TRUE(r.proc.exec_status.valid());
  // Not exec'd yet: still our copy, blocked before exec, already in the job.
  std::this_thread::sleep_for(milliseconds(50));
  auto pids = j->Pids();
  ASSERT_TRUE(pids);
  EXPECT_EQ(*pids, std::vector<pid_t>{r.proc.pid});
  auto none = launch::Wait(r.proc, milliseconds(0));
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  ASSERT_EQ(::write(go_w.get(), "1", 1), 1);
  ASSERT_TRUE(launch::AwaitExec(r.proc, spec));
  EXPECT_EQ(ReadLine(r.out.get()), "started");
  auto st = launch::Wait(r.proc);
  ASSERT_TRUE(st && *st);
  EXPECT_EQ((*st)->exit_code, 0);
}

TEST_F(LaunchTest, GoFifoLikeRuncExecFifo) {
  hp::testing::TempDir dir("hp-fifo-");
  ASSERT_TRUE(dir.ok());
  std::string fifo = dir.path() + "/exec.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  launch::LaunchSpec spec;
  spec.go_fifo_path = fifo;
  spec.path = "/bin/nonexistent";
  auto r = Start({"/bin/nonexistent"}, nullptr, spec);
  ASSERT_TRUE(r.proc.exec_status.valid());
  // `start`: open the fifo for reading and read the byte.
  auto rd = sys::Open(fifo, O_RDONLY);
  ASSERT_TRUE(rd);
  char c = 0;
  ASSERT_EQ(::read(rd->get(), &c, 1), 1);
  EXPECT_EQ(c, '0');
  spec.path = "/bin/nonexistent";
  auto st = launch::AwaitExec(r.proc, spec);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().ToString(), "exec \"/bin/nonexistent\": No such file or directory");
}

TEST_F(LaunchTest, PrivateMountNamespaceWithBinds) {
  hp::testing::TempDir src("hp-bind-src-");
  hp::testing::TempDir dst("hp-bind-dst-");
  ASSERT_TRUE(src.ok() && dst.ok());
  ASSERT_TRUE(sys::WriteFile(src.path() + "/marker", "hello"));
  launch::LaunchSpec spec;
  spec.new_mount_ns = true;
  spec.binds.push_back({src.path(), dst.path(), /*read_only=*/true});
  int code = -1;
  std::string out = RunOutput(
      this, spec,
      {"/bin/sh", "-c",
       "cat " + dst.path() + "/marker; touch " + dst.path() + "/x 2>/dev/null || echo ro"},
      nullptr, &code);
  EXPECT_EQ(out, "helloro\n");
  // Not visible on the host.
  EXPECT_FALSE(sys::Exists(dst.path() + "/marker"));
  launch::LaunchSpec bad;
  bad.path = "/bin/true";
  bad.new_mount_ns = true;
  bad.binds.push_back({"/no/such/src", dst.path()});
  auto r = launch::Launch(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(
      r.error().ToString(),
      fmt::format("bind mount \"/no/such/src\" on \"{}\": No such file or directory", dst.path()));
  ASSERT_TRUE(sys::RemoveAll(src.path()));
  ASSERT_TRUE(sys::RemoveAll(dst.path()));
}

TEST_F(LaunchTest, SignalledExitCodeAndPidfd) {
  auto r = Start({"/bin/sleep", "100"}, nullptr);
  ASSERT_TRUE(r.proc.pidfd.valid());
  auto none = launch::Wait(r.proc, milliseconds(10));
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  ASSERT_EQ(::kill(r.proc.pid, SIGTERM), 0);
  auto st = launch::Wait(r.proc, milliseconds(5000));
  ASSERT_TRUE(st && *st);
  EXPECT_EQ((*st)->signal, SIGTERM);
  EXPECT_EQ((*st)->exit_code, 143);
}

}  // namespace
}  // namespace hp::testing

namespace hp::testing {
namespace {

// Wraps a job but offers no cgroup v2 dir: the launcher must take the clone-then-join path
// (the child writes itself into the v2 cgroup.procs too).
class NoCloneIntoCgroup final : public job::Job {
 public:
  explicit NoCloneIntoCgroup(job::Job* inner) : inner_(inner) {}
  const std::string& pod_id() const override { return inner_->pod_id(); }
  const std::string& container_id() const override { return inner_->container_id(); }
  std::string Describe() const override { return inner_->Describe(); }
  Status AddProcess(pid_t pid) override { return inner_->AddProcess(pid); }
  Result<std::unique_ptr<job::JobAttach>> PrepareAttach() override {
    ASSIGN_OR_RETURN(std::unique_ptr<job::JobAttach> a, inner_->PrepareAttach());
    auto* cgroup = dynamic_cast<job::CgroupAttach*>(a.get());
    if (!cgroup) return Err(ErrorCode::kInternal, "not a cgroup job");
    cgroup->cgroup_dir.reset();
    return a;
  }
  Result<std::vector<pid_t>> Pids() override { return inner_->Pids(); }
  Status Signal(job::JobSignal s) override { return inner_->Signal(s); }
  Status Kill() override { return inner_->Kill(); }
  Result<bool> WaitEmpty(std::chrono::milliseconds t) override { return inner_->WaitEmpty(t); }
  Status Terminate(std::chrono::milliseconds g) override { return inner_->Terminate(g); }
  Status Freeze() override { return inner_->Freeze(); }
  Status Thaw() override { return inner_->Thaw(); }
  Result<bool> IsFrozen() override { return inner_->IsFrozen(); }
  Status Update(const job::Limits& l) override { return inner_->Update(l); }
  Result<job::Stats> GetStats() override { return inner_->GetStats(); }
  Status Destroy() override { return inner_->Destroy(); }
  void Release() override {}

 private:
  job::Job* inner_;
};

TEST_F(LaunchTest, JoinBeforeExecWithoutCloneIntoCgroup) {
  job::Job* j = NewJob("pod-join", "c");
  ASSERT_NE(j, nullptr);
  NoCloneIntoCgroup wrapped(j);
  auto out = RunOutput(this, {}, {"/bin/cat", "/proc/self/cgroup"}, &wrapped);
  auto seen = job::ParseProcCgroup(out);
  if (!fs_.unified.empty()) {
    EXPECT_EQ(seen[""], Rel("") + "/pod-join/c") << out;
  }
  if (fs_.kind != job::CgroupKind::kV2) {
    EXPECT_EQ(seen["memory"], Rel("memory") + "/pod-join/c") << out;
    EXPECT_EQ(seen["pids"], Rel("pids") + "/pod-join/c") << out;
  }
}

TEST_F(LaunchTest, PtyBecomesTheControllingTerminal) {
  int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(master, 0);
  UniqueFd m(master);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  std::string slave_name = ::ptsname(master);
  auto slave = sys::Open(slave_name, O_RDWR | O_NOCTTY);
  ASSERT_TRUE(slave);
  launch::LaunchSpec spec;
  spec.path = "/bin/sh";
  spec.argv = {"/bin/sh", "-c", "exec 3</dev/tty && echo ctty-ok; tty"};
  spec.stdin_fd = spec.stdout_fd = spec.stderr_fd = slave->get();
  spec.controlling_tty = slave->get();
  auto p = launch::Launch(spec);
  ASSERT_TRUE(p) << p.error().ToString();
  slave->reset();
  auto st = launch::Wait(*p);
  ASSERT_TRUE(st && *st);
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(master, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  EXPECT_NE(out.find("ctty-ok"), std::string::npos) << out;
  EXPECT_NE(out.find(slave_name), std::string::npos) << out;
}

}  // namespace
}  // namespace hp::testing
