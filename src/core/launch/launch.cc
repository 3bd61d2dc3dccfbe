// The parent side of Launch: prepares the ChildPlan, clones, reads the child's report.
#include "core/launch/launch.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "core/base/scope_exit.h"
#include "core/base/strings.h"
#include "core/job/cgroup.h"
#include "core/launch/child.h"
#include "core/sys/file.h"
#include "core/sys/process.h"

namespace hp::launch {

using internal::Report;
using internal::Step;

namespace {

int LastCap() {
  static int last = [] {
    auto r = sys::ReadFile("/proc/sys/kernel/cap_last_cap");
    if (!r) return CAP_LAST_CAP;
    return std::atoi(r->c_str());
  }();
  return last;
}

// Owns the memory a ChildPlan points into.
struct Storage {
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::vector<std::string> argv_strings;
  std::vector<int> targets;
  std::vector<int> v1_procs;
  std::vector<internal::ChildBind> binds;
  std::vector<struct rlimit> rlimits;
  std::vector<int> rlimit_resources;
  std::vector<gid_t> groups;
  std::unique_ptr<job::JobAttach> attach_token;  // owns the fds below
  job::CgroupAttach* attach = nullptr;
};

Status Prepare(const LaunchSpec& spec, Storage& st, internal::ChildPlan& plan) {
  if (spec.path.empty()) return Err(ErrorCode::kInvalidArgument, "launch: no executable path");
  plan.path = spec.path.c_str();
  if (spec.argv.empty()) st.argv_strings.push_back(spec.path);
  for (const std::string& a : spec.argv) st.argv.push_back(const_cast<char*>(a.c_str()));
  for (std::string& a : st.argv_strings) st.argv.push_back(a.data());
  st.argv.push_back(nullptr);
  for (const std::string& e : spec.env) st.envp.push_back(const_cast<char*>(e.c_str()));
  st.envp.push_back(nullptr);
  plan.argv = st.argv.data();
  plan.envp = st.envp.data();
  plan.cwd = spec.cwd.empty() ? nullptr : spec.cwd.c_str();
  plan.parent_pid = ::getpid();

  st.targets = {spec.stdin_fd, spec.stdout_fd, spec.stderr_fd};
  for (int fd : spec.extra_fds) st.targets.push_back(fd);
  for (size_t i = 3; i < st.targets.size(); ++i)
    if (st.targets[i] < 0)
      return Err(ErrorCode::kInvalidArgument, "launch \"{}\": extra fd {} is not open", spec.path,
                 i);
  plan.n_targets = static_cast<int>(st.targets.size());
  plan.targets = st.targets.data();
  plan.go_fd = spec.go_fd;
  plan.tty_fd = spec.controlling_tty;
  plan.new_session = spec.new_session || spec.controlling_tty >= 0;
  plan.parent_death_signal = spec.parent_death_signal;
  plan.detach = spec.detach;
  if (spec.detach && (spec.parent_death_signal || spec.controlling_tty >= 0)) {
    return Err(ErrorCode::kInvalidArgument,
               "launch \"{}\": a detached process has no parent-death signal or terminal",
               spec.path);
  }

  if (spec.job) {
    ASSIGN_OR_RETURN_CTX(st.attach_token, spec.job->PrepareAttach(),
                         "launch \"{}\": join job \"{}\"", spec.path, spec.job->Describe());
    st.attach = dynamic_cast<job::CgroupAttach*>(st.attach_token.get());
    if (!st.attach)
      return Err(ErrorCode::kInternal, "launch \"{}\": job \"{}\" is not a cgroup job", spec.path,
                 spec.job->Describe());
    plan.cgroup_procs_fd = st.attach->cgroup_procs.get();
    for (const UniqueFd& fd : st.attach->v1_tasks) st.v1_procs.push_back(fd.get());
    plan.v1_procs = st.v1_procs.data();
    plan.n_v1_procs = static_cast<int>(st.v1_procs.size());
  }

  plan.new_mount_ns = spec.new_mount_ns;
  for (const BindMount& b : spec.binds) {
    if (!spec.new_mount_ns)
      return Err(ErrorCode::kInvalidArgument, "launch \"{}\": bind mounts need new_mount_ns",
                 spec.path);
    st.binds.push_back({b.source.c_str(), b.target.c_str(),
                        static_cast<unsigned long>(MS_BIND | (b.recursive ? MS_REC : 0)),
                        b.read_only});
  }
  plan.binds = st.binds.data();
  plan.n_binds = static_cast<int>(st.binds.size());

  for (const Rlimit& r : spec.rlimits) {
    st.rlimits.push_back({r.soft, r.hard});
    st.rlimit_resources.push_back(r.resource);
  }
  plan.rlimits = st.rlimits.data();
  plan.rlimit_resources = st.rlimit_resources.data();
  plan.n_rlimits = static_cast<int>(st.rlimits.size());
  plan.has_umask = spec.umask.has_value();
  plan.umask = spec.umask.value_or(0);

  if (spec.uid || spec.gid || spec.groups) {
    plan.set_ids = true;
    plan.uid = spec.uid.value_or(::geteuid());
    plan.gid = spec.gid.value_or(::getegid());
    plan.set_groups = true;
    if (spec.groups) st.groups = *spec.groups;
    plan.groups = st.groups.data();
    plan.n_groups = static_cast<int>(st.groups.size());
  }
  if (spec.caps) {
    const Capabilities& c = *spec.caps;
    plan.set_caps = true;
    plan.cap_last = LastCap();
    plan.bounding = c.bounding;
    plan.ambient = c.ambient;
    plan.cap_header = {_LINUX_CAPABILITY_VERSION_3, 0};
    for (int i = 0; i < 2; ++i) {
      plan.cap_data[i].effective = static_cast<uint32_t>(c.effective >> (32 * i));
      plan.cap_data[i].permitted = static_cast<uint32_t>(c.permitted >> (32 * i));
      plan.cap_data[i].inheritable = static_cast<uint32_t>(c.inheritable >> (32 * i));
    }
  }
  plan.no_new_privs = spec.no_new_privs;
  if (!spec.seccomp_filter.empty()) {
    plan.seccomp.len = static_cast<unsigned short>(spec.seccomp_filter.size());
    plan.seccomp.filter = const_cast<struct sock_filter*>(spec.seccomp_filter.data());
    plan.seccomp_flags = spec.seccomp_flags;
    // Without no_new_privs the kernel requires CAP_SYS_ADMIN to install a filter.
    const bool sys_admin_after = spec.caps ? (spec.caps->effective & CapBit(CAP_SYS_ADMIN)) != 0
                                           : (!spec.uid || *spec.uid == 0) && ::geteuid() == 0;
    plan.seccomp_early = !spec.no_new_privs && !sys_admin_after;
  }
  plan.go_fifo = spec.go_fifo_path.empty() ? nullptr : spec.go_fifo_path.c_str();
  return Ok();
}

std::string StepWhat(const LaunchSpec& spec, const Report& r) {
  switch (r.step) {
    case Step::kExec:
      return fmt::format("exec \"{}\"", spec.path);
    case Step::kChdir:
      return fmt::format("chdir \"{}\"", spec.cwd);
    case Step::kSetuid:
      return fmt::format("setuid {}", spec.uid ? static_cast<int64_t>(*spec.uid) : -1);
    case Step::kSetgid:
      return fmt::format("setgid {}", spec.gid ? static_cast<int64_t>(*spec.gid) : -1);
    case Step::kSetgroups:
      return "setgroups";
    case Step::kKeepCaps:
      return "keep capabilities across setuid";
    case Step::kBoundingSet:
      return fmt::format("drop capability {} from the bounding set", r.index);
    case Step::kCapset:
      return "set capabilities";
    case Step::kAmbient:
      return fmt::format("raise ambient capability {}", r.index);
    case Step::kNoNewPrivs:
      return "set no_new_privs";
    case Step::kSeccomp:
      return fmt::format("load the seccomp filter ({} instructions)", spec.seccomp_filter.size());
    case Step::kJoinJob:
      return fmt::format("join job \"{}\"", spec.job ? spec.job->Describe() : "");
    case Step::kBind:
    case Step::kRemountReadOnly: {
      size_t i = static_cast<size_t>(r.index);
      std::string src = i < spec.binds.size() ? spec.binds[i].source : "?";
      std::string dst = i < spec.binds.size() ? spec.binds[i].target : "?";
      return fmt::format("{} \"{}\" on \"{}\"",
                         r.step == Step::kBind ? "bind mount" : "remount read-only", src, dst);
    }
    case Step::kUnshareMounts:
      return "unshare mount namespace";
    case Step::kMakeSlave:
      return "make \"/\" a slave mount";
    case Step::kRlimit:
      return fmt::format("setrlimit {}", static_cast<size_t>(r.index) < spec.rlimits.size()
                                             ? spec.rlimits[static_cast<size_t>(r.index)].resource
                                             : -1);
    case Step::kFds:
      return fmt::format("set up fd {}", r.index);
    case Step::kSetsid:
      return "setsid";
    case Step::kControllingTty:
      return "set controlling terminal";
    case Step::kParentDeath:
      return "set parent-death signal";
    case Step::kSignals:
      return "reset signal mask";
    case Step::kGoFd:
      return "wait for the start signal";
    case Step::kGoFifo:
      return fmt::format("open \"{}\"", spec.go_fifo_path);
    case Step::kFork:
      return "fork the detached process";
    case Step::kReady:
    case Step::kDetached:
      break;
  }
  return "start process";
}

// Reads one report: nullopt on EOF (the child exec'd, or died).
Result<std::optional<Report>> ReadReport(int fd) {
  Report r;
  size_t got = 0;
  while (got < sizeof r) {
    ssize_t n = ::read(fd, reinterpret_cast<char*>(&r) + got, sizeof r - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysErr("read launch status");
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got == 0) return std::optional<Report>();
  if (got != sizeof r) return Err(ErrorCode::kInternal, "short launch status ({} bytes)", got);
  return std::optional<Report>(r);
}

// The report could not be read: the child's state is unknown, so it is killed and reaped
// rather than left running (or a zombie) behind an error.
tl::unexpected<Error> ReportUnreadable(const LaunchSpec& spec, pid_t pid, Error e) {
  ::kill(pid, SIGKILL);
  int st = 0;
  (void)sys::WaitPid(pid, &st, 0);  // it was just killed: the error is the report's
  return tl::unexpected(std::move(e).Context(fmt::format("launch \"{}\"", spec.path)));
}

// `pid` is the caller's child that failed (reaped), or -1 when the failing process is a
// detached grandchild (init reaps it).
tl::unexpected<Error> ChildFailed(const LaunchSpec& spec, pid_t pid, const Report& r) {
  int st = 0;
  if (pid > 0) (void)sys::WaitPid(pid, &st, 0);
  return tl::unexpected(Error::Sys(r.err, StepWhat(spec, r)));
}

}  // namespace

Capabilities Capabilities::All() {
  uint64_t mask = 0;
  for (int c = 0; c <= LastCap() && c < 64; ++c) mask |= CapBit(c);
  return {mask, mask, mask, mask, 0};
}

Capabilities Capabilities::Only(uint64_t mask) { return {mask, mask, mask, mask, mask}; }

Result<uint64_t> ParseCapabilities(const std::vector<std::string>& names) {
  uint64_t mask = 0;
  for (const std::string& n : names) {
    std::string lower = ToLower(n);
    cap_value_t v;
    if (cap_from_name(lower.c_str(), &v) != 0)
      return Err(ErrorCode::kInvalidArgument, "unknown capability \"{}\"", n);
    mask |= CapBit(v);
  }
  return mask;
}

namespace {

// A clone that shares this process's memory (sys::Clone3SharedMemory) on a stack of its own,
// unmapped once the child has exec'd or exited; into `cgroup_fd` when valid (CLONE_INTO_CGROUP:
// a write of cgroup.procs would take the kernel's global threadgroup lock, milliseconds). A
// detached child that waits for no go signal gets a second stack, below a guard page, for its
// grandchild (ChildPlan::grandchild_stack). Returns the pid (the pidfd in *pidfd), or -1 with
// errno set.
pid_t SharedMemoryClone(internal::ChildPlan& plan, int cgroup_fd, int* pidfd) {
  // Enough for RunChild's frames and the libc wrappers it calls.
  constexpr size_t kStack = 256 * 1024;
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const bool grandchild = plan.detach && plan.go_fd < 0 && !plan.go_fifo;
  const size_t total = grandchild ? 2 * kStack + page : kStack;
  void* region = ::mmap(nullptr, total, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
  if (region == MAP_FAILED) return -1;
  char* stack = static_cast<char*>(region);
  if (grandchild) {
    // [grandchild's stack][guard][child's stack]: an overflow of the child's faults.
    if (::mprotect(stack + kStack, page, PROT_NONE) == 0) {
      plan.grandchild_stack = stack;
      plan.grandchild_stack_size = kStack;
    }
    stack += kStack + page;
  }
  plan.cloned_into_cgroup = cgroup_fd >= 0;
  pid_t pid =
      sys::Clone3SharedMemory(cgroup_fd, pidfd, stack, kStack, internal::RunChildEntry, &plan);
  if (pid < 0 && cgroup_fd >= 0 && errno != ENOSYS) {  // the child joins by writing instead
    plan.cloned_into_cgroup = false;
    pid = sys::Clone3SharedMemory(-1, pidfd, stack, kStack, internal::RunChildEntry, &plan);
  }
  int err = errno;
  ::munmap(region, total);
  // The copying clone that may follow must not use them.
  plan.grandchild_stack = nullptr;
  plan.grandchild_stack_size = 0;
  errno = err;
  return pid;
}

}  // namespace

Result<Process> Launch(const LaunchSpec& spec) {
  Storage st;
  internal::ChildPlan plan;
  TRY(Prepare(spec, st, plan));

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) < 0) return SysErr("launch \"{}\": pipe", spec.path);
  UniqueFd err_r(pipe_fds[0]), err_w(pipe_fds[1]);
  plan.err_fd = err_w.get();

  // No signal handler may run in the child before it resets them.
  sigset_t all, old;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);

  int pidfd = -1;
  pid_t pid = -1;
  int cgroup_fd = st.attach ? st.attach->cgroup_dir.get() : -1;
  // A child that waits for a go signal must not hold this thread: it gets a copy of the memory.
  bool waits_for_parent = !plan.detach && (plan.go_fd >= 0 || plan.go_fifo);
  if (!waits_for_parent) {
    // Nothing to wait for between setup and exec (or a detached child, whose intermediate
    // exits once its grandchild has exec'd, or at once when that one waits for a go signal):
    // the child borrows this process's memory, as posix_spawn's does, and this thread sleeps
    // until it execs or exits. No page-table copy, no copy-on-write fault, and `st` stays
    // valid for as long as the child reads it.
    pid = SharedMemoryClone(plan, cgroup_fd, &pidfd);
    if (pid < 0 && errno == ENOSYS) waits_for_parent = true;  // no clone3 or not x86-64
  }
  if (waits_for_parent) {
    pid = -1;
    if (cgroup_fd >= 0) {
      pid = sys::Clone3(0, cgroup_fd, &pidfd);
      if (pid == 0) {
        plan.cloned_into_cgroup = true;
        internal::RunChild(plan);
      }
    }
    if (pid < 0) {
      pidfd = -1;
      plan.cloned_into_cgroup = false;
      pid = sys::Clone3(0, -1, &pidfd);
      if (pid < 0 && errno == ENOSYS) pid = ::fork();
      if (pid == 0) internal::RunChild(plan);
    }
  }
  int clone_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return SysErrN(clone_errno, "launch \"{}\": clone", spec.path);

  Process proc;
  proc.pid = pid;
  proc.pidfd.reset(pidfd);
  err_w.reset();
  st.attach = nullptr;
  st.attach_token.reset();  // closes the job's fds in the parent

  pid_t child = pid;  // our child, until a detached grandchild takes over
  // A detached process's intermediate child, which exits once its grandchild is made: reaped on
  // the way out, after the grandchild's exec report (its exit, measured up to 1.3 ms, overlaps
  // that exec rather than delaying it).
  pid_t intermediate = -1;
  ScopeExit reap_intermediate([&intermediate] {
    int st = 0;
    if (intermediate > 0) (void)sys::WaitPid(intermediate, &st, 0);
  });
  while (true) {
    auto read = ReadReport(err_r.get());
    if (!read) return ReportUnreadable(spec, proc.pid, std::move(read).error());
    std::optional<Report>& report = *read;
    if (report && report->step == Step::kDetached) {
      // The grandchild is the process from here.
      intermediate = child;
      child = -1;
      proc.pid = report->index;
      auto fd = sys::PidfdOpen(proc.pid);
      proc.pidfd = fd ? std::move(*fd) : UniqueFd();
      continue;
    }
    if (!report) {  // exec'd (a detached process: or its intermediate died before the fork)
      if (spec.detach && child > 0) {
        int st = 0;
        (void)sys::WaitPid(child, &st, 0);
        return Err(ErrorCode::kInternal, "launch \"{}\": the detached process was not started",
                   spec.path);
      }
      return proc;
    }
    if (report->step != Step::kReady) return ChildFailed(spec, child, *report);
    proc.exec_status = std::move(err_r);
    return proc;
  }
}

Status AwaitExec(Process& process, const LaunchSpec& spec) {
  if (!process.exec_status) return Ok();
  UniqueFd fd = std::move(process.exec_status);
  auto report = ReadReport(fd.get());
  if (!report) return ReportUnreadable(spec, process.pid, std::move(report).error());
  if (!*report) return Ok();
  return ChildFailed(spec, spec.detach ? -1 : process.pid, **report);
}

ExitStatus DecodeWaitStatus(int wstatus) {
  ExitStatus s;
  if (WIFEXITED(wstatus)) {
    s.exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    s.signal = WTERMSIG(wstatus);
    s.exit_code = 128 + s.signal;
    s.core_dumped = WCOREDUMP(wstatus);
  }
  return s;
}

namespace {

Result<std::optional<ExitStatus>> WaitImpl(pid_t pid, int pidfd,
                                           std::chrono::milliseconds timeout) {
  int wstatus = 0;
  if (timeout.count() < 0) {
    TRY(sys::WaitPid(pid, &wstatus, 0));
    return std::optional<ExitStatus>(DecodeWaitStatus(wstatus));
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    ASSIGN_OR_RETURN(pid_t r, sys::WaitPid(pid, &wstatus, WNOHANG));
    if (r == pid) return std::optional<ExitStatus>(DecodeWaitStatus(wstatus));
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::optional<ExitStatus>();
    if (pidfd >= 0) {
      struct pollfd p = {pidfd, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(left.count()));
    } else {
      std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(2)));
    }
  }
}

}  // namespace

Result<std::optional<ExitStatus>> Wait(pid_t pid, std::chrono::milliseconds timeout) {
  UniqueFd pidfd;
  if (timeout.count() >= 0) {
    auto r = sys::PidfdOpen(pid);
    if (r) pidfd = std::move(*r);
  }
  return WaitImpl(pid, pidfd.get(), timeout);
}

Result<std::optional<ExitStatus>> Wait(Process& process, std::chrono::milliseconds timeout) {
  return WaitImpl(process.pid, process.pidfd.get(), timeout);
}

}  // namespace hp::launch
