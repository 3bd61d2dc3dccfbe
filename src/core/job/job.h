// hp/job: the container's job — the kernel object that holds every process the container
// starts, applies its resource limits, accounts its usage and is killed as one.
//
// This header is platform-neutral: on Linux a Job is a cgroup (v1, v2 or hybrid, see
// cgroup.h); on Windows a Job Object (windows/job_object.h: flat, one per container, named
// JobContainer_<container id>; what Job Objects cannot do is kUnsupported, said there).
//
// Layout: <root>/<pod_id>/<container_id>. A JobManager owns the root and creates, opens and
// removes per-pod parents and per-container leaves.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace hp::job {

// ---- Limits ------------------------------------------------------------------------------

// One device's I/O throttle (Linux io.max / blkio.throttle.*). 0 means "no limit".
struct IoDeviceLimit {
  uint32_t major = 0;
  uint32_t minor = 0;
  uint64_t rbps = 0;
  uint64_t wbps = 0;
  uint64_t riops = 0;
  uint64_t wiops = 0;
  bool operator==(const IoDeviceLimit&) const = default;
};

// Parses io.max-style entries, several separated by ',', ';' or newlines:
//   "8:0 rbps=1048576 wbps=max, 259:0 riops=100"
// Keys: rbps, wbps, riops, wiops; values are integers or "max" (= no limit). The same device
// named twice is merged (later keys win). Suits the `hostprocess.io/io-bps-max` and
// `hostprocess.io/io-iops-max` annotations (parse both and Merge).
Result<std::vector<IoDeviceLimit>> ParseIoLimits(std::string_view text);
// Merges `more` into `into` per device (non-zero fields of `more` win).
void MergeIoLimits(std::vector<IoDeviceLimit>& into, const std::vector<IoDeviceLimit>& more);

// Resource limits of one job. Unset fields are left as they are (on Create: the default,
// unlimited; on Update: unchanged).
struct Limits {
  std::optional<int64_t> memory_bytes;        // resources.limits.memory
  std::optional<int64_t> cpu_limit_millis;    // resources.limits.cpu  → CPU quota
  std::optional<int64_t> cpu_request_millis;  // resources.requests.cpu → shares / weight
  std::optional<int64_t> pids_max;            // maximum number of tasks
  std::vector<IoDeviceLimit> io;              // per-device throttles
  // The whole job's I/O rate over all volumes: Windows Job Objects' I/O rate control (from
  // hcsshim's storage QoS annotations). Linux throttles per device (`io`) and refuses these.
  std::optional<int64_t> io_total_iops;
  std::optional<int64_t> io_total_bytes_per_second;
};

// Kubernetes' conversions (pkg/kubelet/cm/helpers_linux.go) and the OCI runtimes' shares →
// weight mapping, exposed for tests and for the Windows backend's equivalents.
inline constexpr int64_t kCpuPeriodUs = 100000;  // CFS period used with quotas
inline constexpr int64_t kMinQuotaUs = 1000;     // kubelet's MinQuotaPeriod
inline constexpr uint64_t kMinShares = 2;
inline constexpr uint64_t kMaxShares = 262144;
uint64_t MilliCpuToShares(int64_t milli_cpu);  // kubelet MilliCPUToShares
int64_t MilliCpuToQuota(int64_t milli_cpu, int64_t period_us = kCpuPeriodUs);  // 0 → no quota
uint64_t SharesToWeight(uint64_t shares);  // cgroup v2 cpu.weight

// ---- Stats -------------------------------------------------------------------------------

struct Stats {
  uint64_t cpu_user_ns = 0;
  uint64_t cpu_system_ns = 0;
  uint64_t memory_current_bytes = 0;
  uint64_t memory_peak_bytes = 0;  // 0 when the kernel does not record a peak
  uint64_t pids_current = 0;
  uint64_t io_read_bytes = 0;
  uint64_t io_write_bytes = 0;
  uint64_t oom_kills = 0;  // processes killed because the job hit its memory limit
};

// ---- Attaching a new process (used by hp/launch) -----------------------------------------

// Whatever a launcher needs to put a new process into the job before its first instruction,
// prepared in the parent so that a Linux child only does async-signal-safe writes. Opaque
// here: each platform's backend derives its own token and only that platform's launcher reads
// it (Linux: CgroupAttach in cgroup.h, the cgroup fds; Windows: the Job Object handle).
class JobAttach {
 public:
  virtual ~JobAttach() = default;
};

// What a job's processes are asked to do, in platform terms neither Linux nor Windows owns.
enum class JobSignal {
  kStop,  // end cleanly within the grace period: Linux SIGTERM (+ SIGCONT), Windows
          // CTRL_SHUTDOWN_EVENT to the job's console processes
  kKill,  // end now: Linux SIGKILL to every process (Kill()), Windows TerminateJobObject
};
// "stop", "kill" (for messages).
inline std::string_view JobSignalName(JobSignal signal) {
  return signal == JobSignal::kKill ? "kill" : "stop";
}

// ---- Job ---------------------------------------------------------------------------------

class Job {
 public:
  virtual ~Job() = default;

  virtual const std::string& pod_id() const = 0;
  virtual const std::string& container_id() const = 0;
  // Human-readable location, for messages ("/sys/fs/cgroup/unified/hostprocess/p/c").
  virtual std::string Describe() const = 0;

  // Puts an existing process (and, on v2, all its threads) into the job.
  virtual Status AddProcess(pid_t pid) = 0;
  // The platform's token for a launcher to put a new process into the job before it runs.
  virtual Result<std::unique_ptr<JobAttach>> PrepareAttach() = 0;
  // Every process currently in the job (sorted, no duplicates).
  virtual Result<std::vector<pid_t>> Pids() = 0;

  // Asks every process of the job to stop (kStop) or kills them all (kKill, = Kill()).
  virtual Status Signal(JobSignal signal) = 0;
  // SIGKILLs every process, including ones forked while killing (cgroup.kill where present,
  // else freeze + kill + thaw until empty). Does not wait for the job to be empty.
  virtual Status Kill() = 0;
  // Waits until no process is left. Returns false on timeout.
  virtual Result<bool> WaitEmpty(std::chrono::milliseconds timeout) = 0;
  // Signal(kStop), wait up to `grace`, then Kill and wait until empty.
  virtual Status Terminate(std::chrono::milliseconds grace) = 0;

  // Pause / resume every process (OCI pause/resume).
  virtual Status Freeze() = 0;
  virtual Status Thaw() = 0;
  virtual Result<bool> IsFrozen() = 0;

  // Changes limits later (OCI `update`): only the set fields are written.
  virtual Status Update(const Limits& limits) = 0;
  virtual Result<Stats> GetStats() = 0;

  // Kills what is left, removes the container's leaf and then its pod parent if that is now
  // empty (unless KeepPodParent). Idempotent.
  virtual Status Destroy() = 0;
  // Destroy() leaves the pod parent in place: it belongs to someone else (an OCI runtime's
  // caller, e.g. kubelet's pod cgroup), who removes it.
  virtual void KeepPodParent() {}
  // The platform's names of the containers of jobs that Create made for this job besides the
  // leaf: the pod parent and root levels that did not exist before, parents first. Empty for
  // a job from Open. (Linux: cgroup directories in every hierarchy.)
  virtual std::vector<std::string> CreatedParents() const { return {}; }
  // By default a Job returned by JobManager::Create destroys itself (Kill + Destroy) when
  // dropped; Release() hands it over to long-lived state (kept after this object is gone).
  // Jobs returned by JobManager::Open are never destroyed implicitly.
  virtual void Release() = 0;
};

struct JobOptions {
  // Root of all jobs. Linux: an absolute path ("/hostprocess") is taken from each cgroup
  // hierarchy's root; a relative one ("hostprocess-test-1234") is placed under the calling
  // process's own cgroup in each hierarchy (so tests stay inside their own subtree).
  std::string root = "/hostprocess";
};

class JobManager {
 public:
  virtual ~JobManager() = default;

  // Creates <root>/<pod_id>/<container_id> with `limits`. Ids must be single path components
  // ([A-Za-z0-9._-], not starting with '.'). An empty `pod_id` puts the container directly
  // under the root (no pod parent: an OCI bundle's one-level cgroupsPath "/<id>"). Fails with
  // kAlreadyExists if the leaf exists. A failure midway leaves nothing behind.
  virtual Result<std::unique_ptr<Job>> Create(const std::string& pod_id,
                                              const std::string& container_id,
                                              const Limits& limits) = 0;
  // Opens an existing job (another process created it; `pod_id` may be empty as for Create).
  // kNotFound if it does not exist.
  virtual Result<std::unique_ptr<Job>> Open(const std::string& pod_id,
                                            const std::string& container_id) = 0;
  // Aggregated usage of every container of the pod (the pod parent).
  virtual Result<Stats> PodStats(const std::string& pod_id) = 0;
  // Pods and containers that exist (for recovery after a crash).
  virtual Result<std::vector<std::string>> ListPods() = 0;
  virtual Result<std::vector<std::string>> ListContainers(const std::string& pod_id) = 0;
  // Kills and removes every container of the pod, then the pod parent.
  virtual Status DestroyPod(const std::string& pod_id) = 0;
  // Removes the root itself (it must hold no pods any more; tests use it in TearDown).
  virtual Status RemoveRoot() = 0;
  // Removes the directories of the root (and of its ancestors) that this manager created, when
  // they hold no jobs: a command that made `--cgroup-root` leaves nothing of it behind, and
  // never removes what existed before it.
  virtual Status RemoveCreatedRoot() { return Ok(); }
  virtual std::string Describe() const = 0;
};

// The platform's job manager (Linux: cgroups detected under /sys/fs/cgroup; Windows: Job
// Objects).
Result<std::unique_ptr<JobManager>> NewJobManager(const JobOptions& options);

// Validates a pod or container id for use as a job name.
Status ValidateJobName(std::string_view kind, std::string_view name);

}  // namespace hp::job
