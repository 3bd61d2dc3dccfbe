// The child side of Launch: only async-signal-safe system calls on data the parent prepared.
#include "core/launch/child.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>

#include "core/sys/mount.h"
#include "core/sys/process.h"

namespace hp::launch::internal {
namespace {

[[noreturn]] void Fail(const ChildPlan& plan, Step step, int err, int index = 0) {
  Report r{step, err, index};
  ssize_t n;
  do {
    n = ::write(plan.err_fd, &r, sizeof r);
  } while (n < 0 && errno == EINTR);
  ::_exit(127);
}

// Moves `fd` to a number >= `floor` (keeping it out of the way of the dup2 targets).
bool Lift(int& fd, int floor) {
  if (fd < 0 || fd >= floor) return true;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, floor);
  if (moved < 0) return false;
  fd = moved;
  return true;
}

bool WriteZero(int fd) {
  ssize_t n;
  do {
    n = ::write(fd, "0", 1);
  } while (n < 0 && errno == EINTR);
  return n == 1;
}

// Closes every fd >= `from` except `a` and `b` (either may be -1).
void CloseAllBut(int from, int a, int b) {
  if (a > b) {
    int t = a;
    a = b;
    b = t;
  }
  unsigned lo = static_cast<unsigned>(from);
  for (int keep : {a, b}) {
    if (keep < from) continue;
    if (static_cast<unsigned>(keep) > lo) ::syscall(SYS_close_range, lo, keep - 1, 0);
    lo = static_cast<unsigned>(keep) + 1;
  }
  ::syscall(SYS_close_range, lo, ~0U, 0);
}

void SetupFds(ChildPlan& plan) {
  const int floor = plan.n_targets;
  // The error pipe first: every later failure needs it.
  if (plan.err_fd < floor) {
    int moved = ::fcntl(plan.err_fd, F_DUPFD_CLOEXEC, floor);
    if (moved < 0) ::_exit(127);
    plan.err_fd = moved;
  }
  bool ok =
      Lift(plan.go_fd, floor) && Lift(plan.tty_fd, floor) && Lift(plan.cgroup_procs_fd, floor);
  for (int i = 0; ok && i < plan.n_v1_procs; ++i) ok = Lift(plan.v1_procs[i], floor);
  for (int i = 0; ok && i < plan.n_targets; ++i) ok = Lift(plan.targets[i], floor);
  if (!ok) Fail(plan, Step::kFds, errno);
  for (int i = 0; i < plan.n_targets; ++i) {
    if (plan.targets[i] < 0) continue;
    if (::dup2(plan.targets[i], i) < 0) Fail(plan, Step::kFds, errno, i);
  }
  // Everything else closes at exec.
  if (::syscall(SYS_close_range, plan.n_targets, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
    for (int fd = plan.n_targets; fd < 65536; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
}

void SetupCaps(const ChildPlan& plan, int phase) {
  if (phase == 0) {
    for (int cap = 0; cap <= plan.cap_last && cap < 64; ++cap) {
      if (plan.bounding & (uint64_t{1} << cap)) continue;
      if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
        Fail(plan, Step::kBoundingSet, errno, cap);
    }
    return;
  }
  auto header = plan.cap_header;
  struct __user_cap_data_struct data[2] = {plan.cap_data[0], plan.cap_data[1]};
  if (::syscall(SYS_capset, &header, data) < 0) Fail(plan, Step::kCapset, errno);
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    Fail(plan, Step::kAmbient, errno);
  for (int cap = 0; cap <= plan.cap_last && cap < 64; ++cap) {
    if (!(plan.ambient & (uint64_t{1} << cap))) continue;
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
      Fail(plan, Step::kAmbient, errno, cap);
  }
}

void LoadSeccomp(const ChildPlan& plan) {
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, plan.seccomp_flags, &plan.seccomp) != 0)
    Fail(plan, Step::kSeccomp, errno);
}

// The steps after the session is made (and, detached, in the grandchild), up to the exec.
[[noreturn]] void RunAfterSession(ChildPlan& plan);
[[noreturn]] void RunGrandchild(ChildPlan& plan);
int RunGrandchildEntry(void* plan);

}  // namespace

void RunChild(ChildPlan& plan) {
  // Signal handlers and ignores are the parent's: reset them, then unblock (the parent blocked
  // everything around the clone so no handler runs here).
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    ::sigaction(sig, &dfl, nullptr);
  }
  sigset_t none;
  ::sigemptyset(&none);
  if (::sigprocmask(SIG_SETMASK, &none, nullptr) < 0) Fail(plan, Step::kSignals, errno);

  SetupFds(plan);

  if (plan.detach) {
    // A new session, then a grandchild that the session's leader leaves behind: adopted by init
    // (or the nearest subreaper), never able to acquire a controlling terminal. It tells the
    // parent its pid and goes on; the intermediate exits once it has (the parent reaps it).
    if (::setsid() < 0) Fail(plan, Step::kSetsid, errno);
    pid_t g = -1;
    errno = ENOSYS;
    if (plan.grandchild_stack) {
      // Sharing the memory: the intermediate sleeps until the grandchild execs or fails.
      g = sys::Clone3SharedMemory(-1, nullptr, plan.grandchild_stack, plan.grandchild_stack_size,
                                  RunGrandchildEntry, &plan);
    }
    if (g < 0 && errno == ENOSYS) g = sys::Clone3(0, -1, nullptr);
    if (g < 0 && errno == ENOSYS) g = ::fork();
    if (g < 0) Fail(plan, Step::kFork, errno);
    if (g > 0) ::_exit(0);
    RunGrandchild(plan);
  }
  if (!plan.detach && (plan.new_session || plan.tty_fd >= 0)) {
    if (::setsid() < 0) Fail(plan, Step::kSetsid, errno);
  }
  RunAfterSession(plan);
}

namespace {

[[noreturn]] void RunGrandchild(ChildPlan& plan) {
  Report detached{Step::kDetached, 0, static_cast<int32_t>(::syscall(SYS_getpid))};
  if (::write(plan.err_fd, &detached, sizeof detached) != sizeof detached) ::_exit(127);
  RunAfterSession(plan);
}

int RunGrandchildEntry(void* plan) { RunGrandchild(*static_cast<ChildPlan*>(plan)); }

void RunAfterSession(ChildPlan& plan) {
  if (plan.tty_fd >= 0 && ::ioctl(plan.tty_fd, TIOCSCTTY, 0) < 0)
    Fail(plan, Step::kControllingTty, errno);

  // Into the job before a single instruction of the program runs.
  if (!plan.cloned_into_cgroup && plan.cgroup_procs_fd >= 0 && !WriteZero(plan.cgroup_procs_fd))
    Fail(plan, Step::kJoinJob, errno, -1);
  for (int i = 0; i < plan.n_v1_procs; ++i)
    if (!WriteZero(plan.v1_procs[i])) Fail(plan, Step::kJoinJob, errno, i);

  if (plan.new_mount_ns) {
    if (::unshare(CLONE_NEWNS) < 0) Fail(plan, Step::kUnshareMounts, errno);
    if (::mount("none", "/", nullptr, MS_REC | MS_SLAVE, nullptr) < 0)
      Fail(plan, Step::kMakeSlave, errno);
    for (int i = 0; i < plan.n_binds; ++i) {
      const ChildBind& b = plan.binds[i];
      if (::mount(b.source, b.target, nullptr, b.flags, nullptr) < 0)
        Fail(plan, Step::kBind, errno, i);
      // Read-only with the flags the bind took from its source (nosuid, nodev, noexec).
      struct statfs sfs;
      if (b.read_only &&
          (::statfs(b.target, &sfs) < 0 ||
           ::mount(nullptr, b.target, nullptr,
                   MS_BIND | MS_REMOUNT | MS_RDONLY | sys::KeptMountFlags(sfs.f_flags),
                   nullptr) < 0))
        Fail(plan, Step::kRemountReadOnly, errno, i);
    }
  }

  for (int i = 0; i < plan.n_rlimits; ++i)
    if (::setrlimit(static_cast<__rlimit_resource>(plan.rlimit_resources[i]), &plan.rlimits[i]) < 0)
      Fail(plan, Step::kRlimit, errno, i);

  if (plan.has_umask) ::umask(plan.umask);

  if (plan.seccomp_early) LoadSeccomp(plan);
  if (plan.set_caps) SetupCaps(plan, 0);
  if (plan.set_ids) {
    if (plan.set_caps && ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
      Fail(plan, Step::kKeepCaps, errno);
    // Raw system calls: glibc's set*id wrappers broadcast to every thread glibc believes the
    // process has (__nptl_setxid), which in a clone3 child of a multi-threaded parent can wait
    // forever on a futex. The child has one thread, so the per-thread syscalls are exact.
    if (plan.set_groups &&
        ::syscall(SYS_setgroups, static_cast<size_t>(plan.n_groups), plan.groups) < 0)
      Fail(plan, Step::kSetgroups, errno);
    if (::syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) < 0)
      Fail(plan, Step::kSetgid, errno);
    if (::syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) < 0)
      Fail(plan, Step::kSetuid, errno);
    if (plan.set_caps && ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
      Fail(plan, Step::kKeepCaps, errno);
  }
  if (plan.set_caps) SetupCaps(plan, 1);
  // After the identity change: changing the uid or gid clears the parent-death signal.
  if (plan.parent_death_signal) {
    if (::prctl(PR_SET_PDEATHSIG, plan.parent_death_signal, 0, 0, 0) < 0)
      Fail(plan, Step::kParentDeath, errno);
    if (::getppid() != plan.parent_pid) ::_exit(127);  // the parent is already gone
  }
  if (plan.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    Fail(plan, Step::kNoNewPrivs, errno);

  if (plan.cwd && ::chdir(plan.cwd) < 0) Fail(plan, Step::kChdir, errno);
  if (plan.seccomp.len > 0 && !plan.seccomp_early) LoadSeccomp(plan);

  if (plan.go_fd >= 0 || plan.go_fifo) {
    // While blocked, hold nothing but the error pipe and the go fd: our copies of the caller's
    // other fds (e.g. the write end of the go pipe itself) must not keep them open.
    CloseAllBut(plan.n_targets, plan.err_fd, plan.go_fd);
    Report ready{Step::kReady, 0, 0};
    if (::write(plan.err_fd, &ready, sizeof ready) != sizeof ready) ::_exit(127);
    if (plan.go_fd >= 0) {
      char c;
      ssize_t n;
      do {
        n = ::read(plan.go_fd, &c, 1);
      } while (n < 0 && errno == EINTR);
      if (n < 0) Fail(plan, Step::kGoFd, errno);
      if (n == 0) ::_exit(127);  // cancelled
      ::close(plan.go_fd);
    }
    if (plan.go_fifo) {
      int fd;
      do {
        fd = ::open(plan.go_fifo, O_WRONLY | O_CLOEXEC);
      } while (fd < 0 && errno == EINTR);
      if (fd < 0) Fail(plan, Step::kGoFifo, errno);
      if (!WriteZero(fd)) Fail(plan, Step::kGoFifo, errno);
      ::close(fd);
    }
  }

  ::execve(plan.path, plan.argv, plan.envp);
  Fail(plan, Step::kExec, errno);
}

}  // namespace

int RunChildEntry(void* plan) { RunChild(*static_cast<ChildPlan*>(plan)); }

}  // namespace hp::launch::internal
