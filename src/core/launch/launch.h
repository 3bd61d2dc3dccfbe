// hp/launch: starts one process from a fully prepared LaunchSpec (fork/clone3 + exec).
//
// The parent prepares everything (char* arrays, capability masks, fds); the child only makes
// async-signal-safe system calls, in this order:
//   reset signals → fds (dup2, everything else close-on-exec) → detach (setsid, fork: the
//   grandchild goes on) → setsid/controlling tty → join the job → mount namespace + binds →
//   rlimits → umask → bounding set → groups/gid/uid (keeping wanted caps) → capabilities →
//   parent-death signal (after the identity change, which clears it) → no_new_privs → chdir →
//   seccomp filter → wait for the go signal → execve (child.cc, RunChild).
// Every process that hostprocess starts goes through here (containers, exec, probes, the pod
// supervisors, OCI hooks, useradd/userdel): each gets the error pipe, the signal reset and the
// fd hygiene. RunCaptured (below) runs a tool to its end with its output captured.
// A failure in the child is sent back through a close-on-exec pipe (step + errno) and becomes
// an error in the parent naming the step and its object: `exec "/x/y": No such file or
// directory`.
#pragma once

#include <linux/filter.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/base/unique_fd.h"

namespace hp::job {
class Job;
}

namespace hp::launch {

// Capability sets as bit masks of CAP_* numbers (bit n = capability n).
struct Capabilities {
  uint64_t bounding = 0;
  uint64_t effective = 0;
  uint64_t permitted = 0;
  uint64_t inheritable = 0;
  uint64_t ambient = 0;
  // Every set = `mask` (what root gets when it keeps everything).
  static Capabilities All();
  // Only `mask` in every set incl. ambient (e.g. CAP_NET_BIND_SERVICE for NetworkService).
  static Capabilities Only(uint64_t mask);
  static Capabilities None() { return {}; }
};
inline constexpr uint64_t CapBit(int cap) { return uint64_t{1} << cap; }
// Parses "CAP_NET_BIND_SERVICE" / "net_bind_service" (libcap names) into a bit mask.
Result<uint64_t> ParseCapabilities(const std::vector<std::string>& names);

struct Rlimit {
  int resource = 0;  // RLIMIT_*
  rlim_t soft = RLIM_INFINITY;
  rlim_t hard = RLIM_INFINITY;
};

struct BindMount {
  std::string source;  // host path
  std::string target;  // absolute path inside the new mount namespace (must exist)
  bool read_only = false;
  bool recursive = true;
};

struct LaunchSpec {
  std::string path;               // executable, already resolved (no PATH search here)
  std::vector<std::string> argv;  // argv[0] included; empty → {path}
  std::vector<std::string> env;   // "K=V" entries, exactly the child's environment
  std::string cwd;                // empty → inherit

  std::optional<uid_t> uid;  // unset → keep the caller's identity
  std::optional<gid_t> gid;
  std::optional<std::vector<gid_t>> groups;  // supplementary groups (set when uid/gid change
                                             // and this is unset: cleared)
  std::optional<Capabilities> caps;          // unset → the kernel's rules for setuid apply
  bool no_new_privs = false;
  // A compiled seccomp filter (classic BPF) and its SECCOMP_FILTER_FLAG_* flags; empty → none.
  // Installed as late as the kernel allows: after the identity and capability changes and
  // no_new_privs, just before the go signal; before the identity change when the process will
  // hold neither no_new_privs nor CAP_SYS_ADMIN (runc's order).
  std::vector<struct sock_filter> seccomp_filter;
  unsigned seccomp_flags = 0;
  std::vector<Rlimit> rlimits;
  std::optional<mode_t> umask;

  // Fds of the caller dup2'ed to 0/1/2 in the child; -1 → inherited as is.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  // Caller fds passed as 3, 4, ... (OCI --preserve-fds, socket activation).
  std::vector<int> extra_fds;
  // Every other fd is closed at exec.

  bool new_session = false;  // setsid()
  int controlling_tty = -1;  // caller fd of a tty made the controlling terminal (implies
                             // new_session); usually also the stdio fds

  job::Job* job = nullptr;  // the job the process is in before exec (optional)

  // A private mount namespace, slave to the host ('mount --make-rslave /'), with `binds`
  // performed inside it in order (the `absolute` mount layout).
  bool new_mount_ns = false;
  std::vector<BindMount> binds;

  int parent_death_signal = 0;  // prctl(PR_SET_PDEATHSIG); 0 = none

  // Detached (a daemon, e.g. a pod's supervisor): the child starts a new session and forks; the
  // grandchild, adopted by init (or the nearest subreaper), is the process. Launch reaps the
  // intermediate child and returns the grandchild's pid: it is not the caller's child (it cannot
  // be waited for). Excludes parent_death_signal and controlling_tty. Without a go hook both
  // clones share the caller's memory (nothing of it is copied) and Launch returns once the
  // grandchild has exec'd; a program that must wait for the caller can be given a pipe in
  // `extra_fds` and read it itself (the pod supervisor does).
  bool detach = false;

  // "Go" hooks, checked last before exec: the child blocks until then.
  int go_fd = -1;            // caller fd: read one byte (EOF = cancelled: child exits)
  std::string go_fifo_path;  // open for writing (blocks until a reader opens) + write "0"
                             // (runc's exec.fifo handshake)
};

struct Process {
  pid_t pid = -1;
  UniqueFd pidfd;  // invalid when the kernel has no pidfds
  // With a go hook: the error pipe, still open, to learn whether exec succeeded (AwaitExec).
  UniqueFd exec_status;
};

// Starts the process. Without go hook, returns once the child has exec'd (or with its error:
// the child is then reaped). With a go hook, returns once the child is waiting for the go
// signal; call AwaitExec after giving it.
Result<Process> Launch(const LaunchSpec& spec);
// Waits until a launched child has exec'd; an error in the late steps (exec itself) is
// reported here as by Launch (and the child reaped). No-op when exec_status is closed.
Status AwaitExec(Process& process, const LaunchSpec& spec);

// A reaped process's outcome; exit_code is 128+signal for signalled processes.
struct ExitStatus {
  int exit_code = 0;
  int signal = 0;  // non-zero if killed by a signal
  bool core_dumped = false;
};
ExitStatus DecodeWaitStatus(int wstatus);

// Runs a tool to its end (useradd/userdel, OCI hooks): `input` on its stdin (then closed; empty:
// /dev/null), its stdout and stderr captured together (the first `limit` bytes kept). The
// spec's stdio fds are this function's. After `timeout` (< 0: none) the process is killed
// (SIGKILL) and `timed_out` set. A failure to start it (exec, identity, ...) is an error.
struct CaptureOptions {
  std::string input;
  std::chrono::milliseconds timeout{-1};
  size_t limit = 65536;
};
struct Captured {
  ExitStatus status;
  std::string output;
  bool timed_out = false;
};
Result<Captured> RunCaptured(LaunchSpec spec, const CaptureOptions& options = {});

// execvp's search for a host tool: `name` with a '/' as is, else the first executable regular
// file `<dir>/<name>` of `path` (":"-separated; "" = the caller's PATH, else the default
// /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin).
Result<std::string> SearchPath(const std::string& name, const std::string& path = "");
// The caller's environment, as LaunchSpec::env takes it.
std::vector<std::string> CurrentEnvironment();
// Waits for (and reaps) a child. timeout < 0 → forever; returns nullopt on timeout.
Result<std::optional<ExitStatus>> Wait(
    pid_t pid, std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));
Result<std::optional<ExitStatus>> Wait(
    Process& process, std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));

}  // namespace hp::launch
