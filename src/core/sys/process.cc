#include "core/sys/process.h"

#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hp::sys {

pid_t Clone3(uint64_t flags, int cgroup_fd, int* pidfd) {
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
  return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
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

Result<pid_t> WaitPid(pid_t pid, int* wstatus, int options) {
  while (true) {
    pid_t r = ::waitpid(pid, wstatus, options);
    if (r >= 0) return r;
    if (errno != EINTR) return SysErr("waitpid {}", pid);
  }
}

}  // namespace hp::sys
