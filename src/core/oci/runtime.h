// hp/oci: the container state machine behind `hostprocess-runtime` (runc's commands).
//
//   create  → "created": the init process exists, is in the job, has its identity, cwd and
//             stdio, and blocks opening <root>/<id>/exec.fifo for writing (runc's handshake).
//   start   → "running": opens the fifo for reading; init writes one byte and execs.
//   kill    → signal init (or every process of the job with --all).
//   pause / resume → freeze / thaw the job ("paused").
//   delete  → stopped (or --force: kill) → poststop hooks, unmount, remove the job and the state.
// The status is never stored: it is derived like runc does (exec.fifo present → created; init
// alive with the same start time → running or paused; else stopped).
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/job/cgroup.h"
#include "core/job/job.h"
#include "core/oci/spec.h"
#include "core/oci/state.h"

namespace hp::oci {

// Where the runtime's messages go (the CLI writes them to --log as runc does).
// level: "debug", "info", "warning", "error".
using LogFn = std::function<void(const std::string& level, const std::string& msg)>;

struct RuntimeOptions {
  std::string root = "/run/hostprocess-runtime";
  bool systemd_cgroup = false;
  LogFn log;  // may be empty
};

struct CreateOptions {
  std::string id;
  std::string bundle;  // default: the current directory
  std::string pid_file;
  std::string console_socket;
  int preserve_fds = 0;
};

struct ExecOptions {
  std::string id;
  Process process;
  std::string pid_file;
  std::string console_socket;
  bool detach = false;
  int preserve_fds = 0;
};

// What `state` prints (runc's JSON).
struct ContainerStatus {
  std::string id;
  pid_t pid = 0;       // 0 when stopped
  std::string status;  // created, running, paused, stopped
  std::string bundle;
  std::string rootfs;
  std::string created;
  std::string owner;
  std::map<std::string, std::string> annotations;
};
std::string EncodeStatus(const ContainerStatus& s);

class Runtime {
 public:
  explicit Runtime(RuntimeOptions options);

  Status Create(const CreateOptions& options);
  Status Start(const std::string& id);
  Result<ContainerStatus> State(const std::string& id);
  Result<std::vector<ContainerStatus>> List();
  Status Kill(const std::string& id, int sig, bool all);
  Status Delete(const std::string& id, bool force);
  // Returns the exit code of the process when not detached, else 0.
  Result<int> Exec(const ExecOptions& options);
  Result<std::vector<pid_t>> Pids(const std::string& id);
  Status Pause(const std::string& id);
  Status Resume(const std::string& id);
  Status Update(const std::string& id, const Resources& resources);
  Result<job::Stats> Stats(const std::string& id);

 private:
  void Log(const std::string& level, const std::string& msg) const;
  Result<std::unique_ptr<job::Job>> OpenJob(const ContainerState& s) const;
  Result<std::string> StatusOf(const ContainerState& s) const;
  // The hooks `start` and `delete` run: those kept at create; for a container of an older
  // runtime (no config in its state), the bundle's, or none when it cannot be read. (`exec`'s
  // filter has its own fallback: it needs the profile, not a flag.)
  CreatedConfig ConfigOf(const ContainerState& s) const;
  // state.json; when it is missing or unreadable, the intent log (what create did or was about
  // to do), so that kill and delete can still find the job, the mounts and init.
  Result<ContainerState> LoadForCleanup(const std::string& id);
  // Kills the job's processes, removes its cgroups (only those the runtime made: the marks) and
  // unmounts what create mounted.
  Status Teardown(const ContainerState& s, const std::string& status);
  // Cgroup directories this runtime made are marked (<root>/.cgroups/<hash>, holding the path)
  // before mkdir; a delete removes the marked ones on the container's path once they are empty.
  // A pod cgroup kubelet made has no mark and stays.
  void MarkCgroup(const std::string& dir) const;
  // Compiled seccomp programs (<root>/.seccomp, CompileSeccompCached): not a container's
  // directory, as it holds no state.json.
  std::string SeccompCacheDir() const { return options_.root + "/.seccomp"; }
  void RemoveUnusedCgroups(const std::string& cgroup_path) const;
  // The host's cgroup hierarchies, looked for once per runtime process (a kill or an exec opens
  // the job twice; each look is ~25 stats under /sys/fs/cgroup on a hybrid host).
  Result<job::CgroupFs> Cgroups() const;

  RuntimeOptions options_;
  StateStore store_;
  mutable std::optional<job::CgroupFs> cgroups_;
};

// "/a/b/c" → job root "/a", pod "b", container "c" ("/b/c" → root "/"; "/c" → root "/", no
// pod: pod "").
struct JobLocation {
  std::string root, pod, container;
};
Result<JobLocation> SplitCgroupPath(const std::string& cgroup_path);

// "SIGTERM", "TERM", "term", "15" → 15.
Result<int> ParseSignal(std::string_view s);
// "RLIMIT_NOFILE" → RLIMIT_NOFILE.
Result<int> ParseRlimit(std::string_view name);

}  // namespace hp::oci
