// Launch's detach (new session, double fork: the pod supervisors) and RunCaptured (useradd,
// userdel, OCI hooks): every process started the one way gets the error pipe, the signal reset
// and the fd hygiene (issue 11 item 3).
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "core/base/strings.h"
#include "integration/job/fixture.h"

namespace hp::testing {
namespace {

using std::chrono::milliseconds;
using DetachTest = JobFixture;

// Field `n` (1-based, after the command) of /proc/<pid>/stat; "" when it is gone.
std::string StatField(pid_t pid, int n) {
  std::string stat = sys::ReadFile("/proc/" + std::to_string(pid) + "/stat").value_or("");
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return "";
  std::vector<std::string> f = Split(stat.substr(paren + 2), ' ');
  return n - 3 < static_cast<int>(f.size()) ? f[static_cast<size_t>(n - 3)] : "";
}

// Zombie children of this process (an intermediate child Launch did not reap).
int OurZombies() {
  int n = 0;
  auto procs = sys::ListDir("/proc");
  for (const auto& p : procs ? *procs : std::vector<std::string>{}) {
    if (p.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = std::stoi(p);
    if (StatField(pid, 4) == std::to_string(::getpid()) && StatField(pid, 3) == "Z") n++;
  }
  return n;
}

bool WaitGone(pid_t pid, int ms) {
  for (int i = 0; i < ms / 10; ++i) {
    std::string state = StatField(pid, 3);
    if (state.empty() || state == "Z") return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

TEST_F(DetachTest, DetachedProcessIsAdoptedInItsOwnSessionAndJob) {
  job::Job* j = NewJob("pod-detach", "c");
  ASSERT_NE(j, nullptr);
  launch::LaunchSpec spec;
  spec.path = "/bin/sleep";
  spec.argv = {"sleep", "30"};
  spec.detach = true;
  spec.job = j;
  auto p = launch::Launch(spec);
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_NE(StatField(p->pid, 4), std::to_string(::getpid())) << "still our child";
  std::string sid = StatField(p->pid, 6);
  EXPECT_NE(sid, std::to_string(::getsid(0))) << "not in a session of its own";
  EXPECT_NE(sid, std::to_string(p->pid)) << "a session leader can acquire a terminal";
  int st = 0;
  EXPECT_EQ(::waitpid(p->pid, &st, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
  EXPECT_EQ(OurZombies(), 0) << "the intermediate child was not reaped";
  auto pids = j->Pids();
  ASSERT_TRUE(pids);
  EXPECT_NE(std::find(pids->begin(), pids->end(), p->pid), pids->end()) << "not in its job";
  ASSERT_TRUE(j->Kill());
  EXPECT_TRUE(WaitGone(p->pid, 5000));
}

// Without a go hook neither the intermediate nor the grandchild is a copy of the caller: the
// caller's pages stay its own and writable, with no copy-on-write fault after the launch. A
// copying fork leaves every page of the buffer write-protected (one fault per page on the next
// write, even after the copy has exec'd).
TEST_F(DetachTest, DetachedLaunchCopiesNoneOfTheCallersMemory) {
  constexpr size_t kBytes = 16 << 20;
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  void* mem = ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  ::madvise(mem, kBytes, MADV_NOHUGEPAGE);  // one fault per small page, whatever THP says
  auto* bytes = static_cast<volatile char*>(mem);
  auto touch = [&](char v) {
    for (size_t i = 0; i < kBytes; i += page) bytes[i] = v;
  };
  auto minor_faults = [] {
    struct rusage ru = {};
    ::getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
  };
  touch(1);  // every page present and written
  launch::LaunchSpec spec;
  spec.path = "/bin/sleep";
  spec.argv = {"sleep", "30"};
  spec.detach = true;
  auto p = launch::Launch(spec);
  ASSERT_TRUE(p) << p.error().ToString();
  long before = minor_faults();
  touch(2);
  long faults = minor_faults() - before;
  EXPECT_LT(faults, static_cast<long>(kBytes / page / 8))
      << faults << " faults writing " << kBytes / page << " pages after a detached launch";
  EXPECT_EQ(OurZombies(), 0);
  ::kill(p->pid, SIGKILL);
  EXPECT_TRUE(WaitGone(p->pid, 5000));
  ::munmap(mem, kBytes);
}

TEST_F(DetachTest, DetachedExecFailureIsReportedAndNothingIsLeft) {
  launch::LaunchSpec spec;
  spec.path = "/nonexistent/supervisor";
  spec.detach = true;
  auto p = launch::Launch(spec);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().ToString(), "exec \"/nonexistent/supervisor\": No such file or directory");
  EXPECT_EQ(OurZombies(), 0);
  // The same after a go signal (the supervisor's way): the exec error comes from AwaitExec.
  int go[2];
  ASSERT_EQ(::pipe2(go, O_CLOEXEC), 0);
  UniqueFd go_r(go[0]), go_w(go[1]);
  spec.go_fd = go_r.get();
  auto held = launch::Launch(spec);
  ASSERT_TRUE(held) << held.error().ToString();
  go_r.reset();
  // Blocked on the go pipe ("S") once it gets there; under load it may still be running ("R")
  // on its way, but it never execs (the exec error below comes only after the go).
  bool waiting = false;
  for (int i = 0; i < 500 && !(waiting = StatField(held->pid, 3) == "S"); i++) ::usleep(10'000);
  EXPECT_TRUE(waiting) << "not waiting for the go signal: state " << StatField(held->pid, 3);
  ASSERT_EQ(::write(go_w.get(), "g", 1), 1);
  auto exec = launch::AwaitExec(*held, spec);
  ASSERT_FALSE(exec);
  EXPECT_EQ(exec.error().ToString(), "exec \"/nonexistent/supervisor\": No such file or directory");
  EXPECT_TRUE(WaitGone(held->pid, 5000));
  EXPECT_EQ(OurZombies(), 0);
}

TEST_F(DetachTest, DetachedProcessWaitsForGoAndIsCancelledByEof) {
  int go[2];
  ASSERT_EQ(::pipe2(go, O_CLOEXEC), 0);
  UniqueFd go_r(go[0]), go_w(go[1]);
  launch::LaunchSpec spec;
  spec.path = "/bin/sleep";
  spec.argv = {"sleep", "30"};
  spec.detach = true;
  spec.go_fd = go_r.get();
  auto p = launch::Launch(spec);
  ASSERT_TRUE(p) << p.error().ToString();
  go_r.reset();
  go_w.reset();  // cancelled: it exits without running the program
  EXPECT_TRUE(WaitGone(p->pid, 5000));
  spec.parent_death_signal = SIGKILL;  // no parent to die with
  auto refused = launch::Launch(spec);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().ToString().find("detached"), std::string::npos);
}

TEST(Capture, InputOutputAndAResetChild) {
  // What the caller has that a child must not inherit: a blocked and an ignored signal, an fd
  // without close-on-exec.
  sigset_t usr2, old;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &usr2, &old), 0);
  auto old_int = ::signal(SIGINT, SIG_IGN);
  int leaked = ::fcntl(0, F_DUPFD, 40);
  ASSERT_GE(leaked, 40);
  launch::LaunchSpec spec;
  spec.path = "/bin/sh";
  spec.argv = {"sh", "-c",
               "cat; echo err >&2; ls /proc/self/fd | tr '\\n' ' '; echo; "
               "grep -E '^(SigBlk|SigIgn)' /proc/self/status"};
  spec.env = {"PATH=/usr/bin:/bin"};
  launch::CaptureOptions options;
  options.input = "hello\n";
  auto r = launch::RunCaptured(spec, options);
  ::close(leaked);
  ::signal(SIGINT, old_int);
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->status.exit_code, 0);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->output,
            "hello\nerr\n0 1 2 3 \nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}

TEST(Capture, TimeoutKillsAndExecFailureIsAnError) {
  launch::LaunchSpec spec;
  spec.path = "/bin/sleep";
  spec.argv = {"sleep", "10"};
  launch::CaptureOptions options;
  options.timeout = milliseconds(200);
  auto start = std::chrono::steady_clock::now();
  auto r = launch::RunCaptured(spec, options);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->status.signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(3000));
  spec.path = "/nonexistent/tool";
  auto missing = launch::RunCaptured(spec);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().ToString(), "exec \"/nonexistent/tool\": No such file or directory");
  // A limit keeps the first bytes only.
  spec.path = "/bin/sh";
  spec.argv = {"sh", "-c", "echo 0123456789"};
  options = {};
  options.limit = 4;
  auto limited = launch::RunCaptured(spec, options);
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->output, "0123");
}

TEST(Capture, SearchPathFindsExecutablesOnly) {
  auto sh = launch::SearchPath("sh", "/nonexistent:/bin");
  ASSERT_TRUE(sh) << sh.error().ToString();
  EXPECT_EQ(*sh, "/bin/sh");
  EXPECT_EQ(*launch::SearchPath("/x/y"), "/x/y");
  auto none = launch::SearchPath("hp-no-such-tool", "/bin:/usr/bin");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace hp::testing
