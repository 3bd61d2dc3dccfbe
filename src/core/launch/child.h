// Internal to hp/launch: the plan a child executes after fork, prepared entirely by the
// parent (no allocation, no locks in the child), and the error report it sends back.
#pragma once

#include <linux/capability.h>
#include <linux/filter.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace hp::launch::internal {

enum class Step : int32_t {
  kReady = 1,  // not an error: setup done, now waiting for the go signal
  kSignals,
  kFds,
  kSetsid,
  kControllingTty,
  kJoinJob,
  kParentDeath,
  kUnshareMounts,
  kMakeSlave,
  kBind,
  kRemountReadOnly,
  kRlimit,
  kBoundingSet,
  kKeepCaps,
  kSetgroups,
  kSetgid,
  kSetuid,
  kCapset,
  kAmbient,
  kNoNewPrivs,
  kSeccomp,
  kChdir,
  kGoFd,
  kGoFifo,
  kExec,
  kFork,      // detach: the fork of the grandchild
  kDetached,  // not an error: the detached grandchild's pid (in `index`)
};

struct Report {
  Step step;
  int32_t err;
  int32_t index;  // which bind / rlimit / capability / fd
};

struct ChildBind {
  const char* source;
  const char* target;
  unsigned long flags;  // MS_BIND [| MS_REC]
  bool read_only;
};

struct ChildPlan {
  const char* path = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const char* cwd = nullptr;  // null → inherit
  pid_t parent_pid = 0;

  // fds: `targets[i]` (-1 = leave) is dup2'ed to i; `internal` are fds the child itself
  // uses (error pipe, go fd, tty, cgroup.procs): moved above the targets first.
  int n_targets = 3;
  int* targets = nullptr;
  int err_fd = -1;
  int go_fd = -1;
  int tty_fd = -1;
  int cgroup_procs_fd = -1;  // written only when not cloned into the cgroup
  bool cloned_into_cgroup = false;
  int* v1_procs = nullptr;
  int n_v1_procs = 0;

  bool new_session = false;
  bool detach = false;
  // A detached child that waits for no go signal clones its grandchild sharing this memory
  // too, on this stack (lowest address, size): no copy of the caller's memory at any step.
  // Null: the grandchild is a copy (fork).
  void* grandchild_stack = nullptr;
  size_t grandchild_stack_size = 0;
  int parent_death_signal = 0;

  bool new_mount_ns = false;
  const ChildBind* binds = nullptr;
  int n_binds = 0;

  const struct rlimit* rlimits = nullptr;
  const int* rlimit_resources = nullptr;
  int n_rlimits = 0;

  bool has_umask = false;
  mode_t umask = 0;

  bool set_ids = false;
  uid_t uid = 0;
  gid_t gid = 0;
  const gid_t* groups = nullptr;
  int n_groups = 0;
  bool set_groups = false;

  bool set_caps = false;
  int cap_last = 40;
  uint64_t bounding = 0;
  uint64_t ambient = 0;
  struct __user_cap_header_struct cap_header;
  struct __user_cap_data_struct cap_data[2];

  bool no_new_privs = false;
  // A seccomp filter (already compiled), loaded with seccomp(SECCOMP_SET_MODE_FILTER, flags):
  // early (before the identity change, while CAP_SYS_ADMIN is held) when the process gets
  // neither no_new_privs nor CAP_SYS_ADMIN, else last before waiting for the go signal.
  struct sock_fprog seccomp = {0, nullptr};
  unsigned seccomp_flags = 0;
  bool seccomp_early = false;
  const char* go_fifo = nullptr;
};

// Runs in the child: never returns.
[[noreturn]] void RunChild(ChildPlan& plan);
// RunChild as clone(2)'s entry point (`plan` is the ChildPlan).
int RunChildEntry(void* plan);

}  // namespace hp::launch::internal
