#include "core/sys/process.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "core/sys/file.h"

namespace hp::sys {

namespace {

// clone3's arguments for a child that signals SIGCHLD at its end, into `cgroup_fd` when >= 0,
// with a pidfd in *pidfd when non-null.
struct clone_args CloneArgs(uint64_t flags, int cgroup_fd, int* pidfd) {
  struct clone_args args;
  std::memset(&args, 0, sizeof args);
  args.flags = flags;
  args.exit_signal = SIGCHLD;
  if (pidfd) {
    args.flags |= CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uint64_t>(pidfd);
  }
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
  }
  return args;
}

}  // namespace

pid_t Clone3(uint64_t flags, int cgroup_fd, int* pidfd) {
  struct clone_args args = CloneArgs(flags, cgroup_fd, pidfd);
  return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
}

#if defined(__x86_64__)
// hp_clone3_run(args, size, fn, arg): the clone3 system call, then, in the child, fn(arg) on the
// new stack with no caller frame and exit(2) with its result. In the child, clone3 returns with
// every register but rax, rcx and r11 as the parent had them, and rsp at the top of the stack:
// fn and arg are kept in r8 and r9 across the call (glibc's clone3.S does the same).
extern "C" long hp_clone3_run(struct clone_args* args, size_t size, int (*fn)(void*), void* arg);
asm(R"(
  .pushsection .text
  .p2align 4
  .type hp_clone3_run, @function
hp_clone3_run:
  movq %rdx, %r8
  movq %rcx, %r9
  movl $435, %eax
  syscall
  testq %rax, %rax
  jz 1f
  ret
1:
  xorl %ebp, %ebp
  movq %r9, %rdi
  callq *%r8
  movl %eax, %edi
  movl $60, %eax
  syscall
  hlt
  .size hp_clone3_run, .-hp_clone3_run
  .popsection
)");
static_assert(SYS_clone3 == 435 && SYS_exit == 60, "x86-64 system call numbers");
#endif

pid_t Clone3SharedMemory(int cgroup_fd, int* pidfd, void* stack, size_t stack_size,
                         int (*fn)(void*), void* arg) {
#if defined(__x86_64__)
  struct clone_args args = CloneArgs(CLONE_VM | CLONE_VFORK, cgroup_fd, pidfd);
  args.stack = reinterpret_cast<uint64_t>(stack);
  args.stack_size = stack_size;
  long r = hp_clone3_run(&args, sizeof args, fn, arg);
  if (r < 0) {
    errno = static_cast<int>(-r);
    return -1;
  }
  return static_cast<pid_t>(r);
#else
  (void)cgroup_fd, (void)pidfd, (void)stack, (void)stack_size, (void)fn, (void)arg;
  errno = ENOSYS;
  return -1;
#endif
}

Result<UniqueFd> PidfdOpen(pid_t pid) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return SysErr("pidfd_open {}", pid);
  return UniqueFd(fd);
}

Status PidfdSendSignal(int pidfd, int sig) {
  if (::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) < 0)
    return SysErr("pidfd_send_signal {}", sig);
  return Ok();
}

Result<std::string> SelfExe() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return SysErr("readlink \"/proc/self/exe\"");
  return std::string(buf, static_cast<size_t>(n));
}

Result<pid_t> WaitPid(pid_t pid, int* wstatus, int options) {
  while (true) {
    pid_t r = ::waitpid(pid, wstatus, options);
    if (r >= 0) return r;
    if (errno != EINTR) return SysErr("waitpid {}", pid);
  }
}

std::optional<ProcStat> ReadProcStat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  // One read: the kernel makes the whole line (under a page) for a read that can take it,
  // where ReadFile's loop would make a second call to see the end (issue 16: `get pods` reads one
  // per pod, the straggler scan one per process of a session).
  auto fd = Open("/proc/" + std::to_string(pid) + "/stat", O_RDONLY);
  if (!fd) return std::nullopt;
  char buf[4096];
  ssize_t n;
  do {
    n = ::read(fd->get(), buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  if (n <= 0 || static_cast<size_t>(n) == sizeof buf) return std::nullopt;
  std::string_view text(buf, static_cast<size_t>(n));
  // "pid (comm) state ppid pgrp session ... starttime(22)": comm may hold spaces and ')'.
  size_t open = text.find('('), close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  ProcStat st;
  st.comm = std::string(text.substr(open + 1, close - open - 1));
  // Fields from 3 (state) on, split at single spaces without copying them: session is field 6,
  // starttime field 22.
  std::string_view rest = close + 2 <= text.size() ? text.substr(close + 2) : std::string_view();
  std::string_view fields[20];
  size_t count = 0;
  while (count < 20 && !rest.empty()) {
    size_t sp = rest.find(' ');
    fields[count++] = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  }
  if (count < 20) return std::nullopt;
  st.state = fields[0].empty() ? '?' : fields[0][0];
  auto number = [](std::string_view f, auto& out) {
    auto [ptr, ec] = std::from_chars(f.data(), f.data() + f.size(), out);
    return ec == std::errc() && ptr == f.data() + f.size();
  };
  if (!number(fields[3], st.session) || !number(fields[19], st.start_ticks)) return std::nullopt;
  return st;
}

std::optional<uint64_t> LiveStartTicks(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  auto st = ReadProcStat(pid);
  if (!st || st->state == 'Z' || st->state == 'X' || st->state == 'x') return std::nullopt;
  return st->start_ticks;
}

bool ProcessAlive(pid_t pid, uint64_t start_ticks) {
  auto now = LiveStartTicks(pid);
  return now && (start_ticks == 0 || *now == start_ticks);
}

std::optional<pid_t> FlockHolder(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; a waiter's line reads "1: -> FLOCK ...".
  // The device is printed in hex (major:minor), the inode in decimal.
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    std::istringstream in(line);
    std::string id, kind, mode, access, dev;
    long pid = 0;
    unsigned long long ino = 0;
    in >> id >> kind;
    if (kind != "FLOCK") continue;  // another kind, or a waiter ("->")
    in >> mode >> access >> pid;
    std::getline(in >> std::ws, dev, ':');
    unsigned maj = 0, min = 0;
    std::string minor_part;
    std::getline(in, minor_part, ':');
    in >> ino;
    if (!in || pid <= 0) continue;
    maj = static_cast<unsigned>(std::strtoul(dev.c_str(), nullptr, 16));
    min = static_cast<unsigned>(std::strtoul(minor_part.c_str(), nullptr, 16));
    if (maj == major(st.st_dev) && min == minor(st.st_dev) && ino == st.st_ino) {
      return static_cast<pid_t>(pid);
    }
  }
  return std::nullopt;
}

std::vector<std::string> SessionStragglers(pid_t sid, uint64_t since_ticks, bool kill) {
  std::vector<std::string> out;
  if (sid <= 0) return out;
  auto names = ListDir("/proc");
  if (!names) return out;
  for (const std::string& n : *names) {
    if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::strtol(n.c_str(), nullptr, 10));
    // getsid(2) first: one system call with no file, where reading the stat file is three and
    // a formatted page. On a node with hundreds of processes this scan was most of a `run`'s
    // system calls (issue 16); only the session's own processes are read in full.
    pid_t session = ::getsid(pid);
    if (session == -1 && errno == ESRCH) continue;  // gone
    if (session != -1 && session != sid) continue;
    auto st = ReadProcStat(pid);
    if (!st || st->session != sid || st->start_ticks < since_ticks) continue;
    if (st->state == 'Z' || st->state == 'X') continue;  // exited: only not reaped yet
    out.push_back(std::to_string(pid) + " (" + st->comm + ")");
    if (!kill) continue;
    auto fd = PidfdOpen(pid);
    if (!fd) continue;
    auto again = ReadProcStat(pid);  // the pidfd pins this process: same one as checked?
    if (again && again->session == sid && again->start_ticks == st->start_ticks)
      (void)PidfdSendSignal(fd->get(), SIGKILL);
  }
  return out;
}

}  // namespace hp::sys
