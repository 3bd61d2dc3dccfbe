// hp/sys: process system calls that glibc does not wrap (clone3, pidfds) and waitpid with EINTR
// retry.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/base/unique_fd.h"

namespace hp::sys {

// clone3(2) without a new stack: returns like fork(2) (0 in the child, the pid in the parent,
// -1 with errno set on failure). With `cgroup_fd` >= 0 the child starts in that cgroup v2
// directory (CLONE_INTO_CGROUP); with `pidfd` non-null a pidfd is returned there
// (CLONE_PIDFD). The child must only make async-signal-safe calls.
pid_t Clone3(uint64_t flags, int cgroup_fd, int* pidfd);

// clone3(2) with CLONE_VM | CLONE_VFORK, as posix_spawn clones: the child runs `fn(arg)` on
// `stack` (its lowest address; `stack_size` bytes) in this process's memory while the calling
// thread sleeps until the child execs or exits; the child exits with fn's return value.
// `cgroup_fd` and `pidfd` as for Clone3. Returns the pid, or -1 with errno set (ENOSYS where the
// architecture has no implementation here: x86-64 only). `fn` must make only
// async-signal-safe calls, and must not return into anything of the caller's stack.
pid_t Clone3SharedMemory(int cgroup_fd, int* pidfd, void* stack, size_t stack_size,
                         int (*fn)(void*), void* arg);

Result<UniqueFd> PidfdOpen(pid_t pid);
Status PidfdSendSignal(int pidfd, int sig);
// waitpid(2) retried on EINTR. Returns the pid, or 0 with WNOHANG when nothing changed.
Result<pid_t> WaitPid(pid_t pid, int* wstatus, int options);

// The running program's path (/proc/self/exe).
Result<std::string> SelfExe();

// What /proc/<pid>/stat says of a process that matters here.
struct ProcStat {
  std::string comm;
  char state = '?';  // R, S, D, Z (zombie: exited, not reaped) ...
  pid_t session = 0;
  uint64_t start_ticks = 0;  // field 22: start time since boot, in clock ticks
};
std::optional<ProcStat> ReadProcStat(pid_t pid);
// The start time (ticks since boot) of `pid` while it is alive: it exists and is not a zombie.
std::optional<uint64_t> LiveStartTicks(pid_t pid);
// True when `pid` is alive and is the process that started at `start_ticks` (not a reused
// pid); 0 matches any start time.
bool ProcessAlive(pid_t pid, uint64_t start_ticks);

// The pid of the process holding a flock(2) on `path` (as /proc/locks names it: the process
// that took the lock), or nothing when no process holds one. Only reads: never takes the lock,
// so it cannot make the holder's own flock fail.
std::optional<pid_t> FlockHolder(const std::string& path);

// The processes of session `sid` started at or after `since_ticks`: a container's processes
// that are alive outside its job (a root process can move itself to another cgroup; it keeps its
// session unless it calls setsid). Each is SIGKILLed through a pidfd after its session is checked
// again, when `kill` is set. Returns "pid (comm)" of each.
std::vector<std::string> SessionStragglers(pid_t sid, uint64_t since_ticks, bool kill);

}  // namespace hp::sys
