// hp/pod: ContainerRunner carries out one ContainerPlan: container volume (image files),
// account, volumes, job with limits, the process launched into the job with stdout/stderr piped
// to the CRI log (and optionally a terminal), wait, stop with a grace period, teardown.
//
// Everything created is undone in reverse order by Teardown() (also run by the destructor and
// on any error during Create), so no cgroup, mount, sandbox directory or ephemeral user is left
// behind. The log file is kept (kubelet keeps logs until the pod is deleted).
//
// Threads: Wait() may block in one thread while Stop() is called from another.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/base/result.h"
#include "core/job/job.h"
#include "core/launch/launch.h"
#include "core/plan/plan.h"
#include "core/pod/crilog.h"
#include "core/pod/providers.h"

namespace hp::pod {

// Receives each complete output line of a container (without the newline), e.g. to print
// `[name] line` on a terminal. Called from the runner's output thread.
using OutputSink =
    std::function<void(const std::string& container, LogStream stream, std::string_view line)>;

struct RunnerOptions {
  std::string root;  // state: <root>/sandboxes, <root>/containers, <root>/logs, <root>/pods
  job::JobManager* jobs = nullptr;
  RootfsProvider* rootfs = nullptr;
  AccountProvider* accounts = nullptr;
  VolumeProvider* volumes = nullptr;  // nullptr: a container with volume mounts fails
  plan::NodeInfo node;
  CriLogOptions log;
  // SIGKILL the first process when the runner's process dies (foreground `run`).
  bool kill_with_parent = true;
};

struct ContainerRequest {
  const k8s::Pod* pod = nullptr;  // metadata.uid must be set
  const k8s::Container* container = nullptr;
  bool init = false;
  int restart_count = 0;
  const PodObjects* objects = nullptr;
  OutputSink output;  // optional
  // The container id ([0-9a-f]{32}); "" = a random one. A supervisor picks it first so that it
  // can record the id before anything exists on the host (crash clean-up finds everything).
  std::string id;
};

// A fresh random container id (32 hex digits).
Result<std::string> NewContainerId();

// `<root>/logs/<namespace>_<pod>_<uid>/<container>/<restart>.log`
std::string ContainerLogPath(const std::string& root, const k8s::Pod& pod,
                             const std::string& container, int restart_count);
std::string PodLogDir(const std::string& root, const k8s::Pod& pod);
// The job parent of a pod: its uid.
std::string PodJobId(const k8s::Pod& pod);
// A pod's uid names its directory, log directory and job: it must be one path component of
// letters, digits, '-', '_' and '.', not starting with '.' (any uid the API server or NewUid
// gives). Checked before any of them is made or removed.
Status CheckPodUid(const k8s::Pod& pod);

class ContainerRunner {
 public:
  // Prepares everything short of starting the process; on error nothing is left behind.
  static Result<std::unique_ptr<ContainerRunner>> Create(const RunnerOptions& options,
                                                         const ContainerRequest& request);
  ~ContainerRunner();
  ContainerRunner(const ContainerRunner&) = delete;
  ContainerRunner& operator=(const ContainerRunner&) = delete;

  // Launches the first process inside the job.
  Status Start();
  // Waits for the first process to exit (timeout < 0: forever; nullopt on timeout). Then kills
  // whatever is left in the job (daemonised children), waits until the job is empty and the
  // output is drained.
  Result<std::optional<launch::ExitStatus>> Wait(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));
  // SIGTERM to every process of the job, `grace`, then SIGKILL; returns once the job is empty.
  Status Stop(std::chrono::milliseconds grace);
  // Kills what is left and undoes every creation step. Idempotent.
  Status Teardown();

  const std::string& id() const { return id_; }
  const std::string& name() const { return plan_.name; }
  const plan::ContainerPlan& plan() const { return plan_; }
  const Identity& identity() const { return identity_; }
  const std::string& cwd() const { return cwd_; }
  const std::string& log_path() const { return log_path_; }
  job::Job* job() const { return job_.get(); }
  pid_t pid() const { return process_.pid; }
  // Readable when the first process has exited (its pidfd; -1 when the kernel has none): a
  // caller waiting for several containers polls these instead of waking up on a timer.
  int exit_fd() const { return process_.pidfd.get(); }
  bool started() const { return started_; }
  std::optional<launch::ExitStatus> exit_status() const;
  // "pid (comm)" of the container's processes found alive outside its job once the job was empty
  // (they left it; they were killed then). Empty normally.
  const std::vector<std::string>& stragglers() const { return stragglers_; }

 private:
  ContainerRunner() = default;
  Status CreateSteps(const RunnerOptions& options, const ContainerRequest& request);
  void Pump(UniqueFd out, UniqueFd err);
  Status FinishAfterExit();
  void FindStragglers();

  RunnerOptions options_;
  std::string id_;
  std::string sandbox_;
  std::string scratch_;
  std::string cwd_;  // the working directory, resolved on the host
  std::string log_path_;
  plan::ContainerPlan plan_;
  Identity identity_;
  std::vector<launch::BindMount> binds_;
  std::vector<std::pair<std::string, Undo>> undo_;  // step name, undo; run in reverse
  std::unique_ptr<job::Job> job_;
  std::unique_ptr<CriLogWriter> log_;
  OutputSink output_;
  launch::Process process_;
  std::thread pump_;
  bool started_ = false;
  bool torn_down_ = false;
  std::mutex mu_;
  std::optional<launch::ExitStatus> exit_;
  uint64_t start_ticks_ = 0;  // the first process's start time (/proc/<pid>/stat)
  std::vector<std::string> stragglers_;
};

}  // namespace hp::pod
