// job.h's interface on Windows: a Job is a container's Job Object (job_object.h). Job Objects
// are flat here (nested jobs fail under Wine, and hcsshim's job containers use one per
// container): the pod id is a label, and what needs a pod level or an enumeration of jobs is
// kUnsupported, said by name; the Windows node keeps its own records of pods and containers.
#include <windows.h>

#include <algorithm>
#include <thread>

#include "core/job/job.h"
#include "core/job/windows/job_object.h"
#include "core/sys/windows/wide.h"
#include "core/windows/job_limits.h"

namespace hp::job {
namespace {

constexpr std::chrono::seconds kKillWait{10};
// How long Signal(kStop) waits for its CtrlRoutine threads to be taken (JobObject's note).
constexpr std::chrono::seconds kSendWait{2};

windows::JobObjectLimits ToWindows(const Limits& l) {
  windows::JobObjectLimits out = windows::ToJobObjectLimits(
      {l.memory_bytes, l.cpu_limit_millis, l.cpu_request_millis, l.pids_max},
      std::max(1u, std::thread::hardware_concurrency()));
  out.io_max_iops = l.io_total_iops;
  out.io_max_bandwidth = l.io_total_bytes_per_second;
  return out;
}

Status RefusePerDeviceIo(const Limits& l) {
  if (l.io.empty()) return Ok();
  return Err(ErrorCode::kUnsupported,
             "per-device I/O throttles are Linux's (cgroups): a Job Object has one I/O rate for "
             "all volumes (the io.microsoft.container.storage.qos annotations)");
}

class JobObjectJob : public Job {
 public:
  JobObjectJob(JobObject obj, std::string pod, std::string id, bool owned)
      : obj_(std::move(obj)), pod_(std::move(pod)), id_(std::move(id)), owned_(owned) {}
  ~JobObjectJob() override {
    if (owned_) (void)Destroy();
  }

  JobObject& object() { return obj_; }

  const std::string& pod_id() const override { return pod_; }
  const std::string& container_id() const override { return id_; }
  std::string Describe() const override { return obj_.name(); }

  Status AddProcess(pid_t pid) override {
    HANDLE h = OpenProcess(PROCESS_SET_QUOTA | PROCESS_TERMINATE, FALSE, static_cast<DWORD>(pid));
    if (!h) return Err(sys::Win32Error(fmt::format("open process {}", pid)));
    BOOL ok = AssignProcessToJobObject(obj_.handle(), h);
    Error e =
        ok ? Error() : sys::Win32Error(fmt::format("put process {} in \"{}\"", pid, obj_.name()));
    CloseHandle(h);
    if (!ok) return Err(std::move(e));
    return Ok();
  }
  Result<std::unique_ptr<JobAttach>> PrepareAttach() override {
    return std::unique_ptr<JobAttach>(std::make_unique<JobObjectAttach>(obj_.handle()));
  }
  Result<std::vector<pid_t>> Pids() override {
    ASSIGN_OR_RETURN(std::vector<uint32_t> pids, obj_.Pids());
    std::vector<pid_t> out(pids.begin(), pids.end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  Status Signal(JobSignal signal) override {
    if (signal == JobSignal::kKill) return Kill();
    ASSIGN_OR_RETURN(int sent, obj_.SendCtrlShutdown(kSendWait));
    (void)sent;
    return Ok();
  }
  Status Kill() override { return obj_.Terminate(1); }
  Result<bool> WaitEmpty(std::chrono::milliseconds timeout) override {
    return obj_.WaitEmpty(timeout);
  }
  Status Terminate(std::chrono::milliseconds grace) override {
    if (grace.count() > 0) {
      (void)Signal(JobSignal::kStop);
      ASSIGN_OR_RETURN(bool empty, WaitEmpty(grace));
      if (empty) return Ok();
    }
    TRY(Kill());
    ASSIGN_OR_RETURN(bool empty, WaitEmpty(kKillWait));
    if (!empty)
      return Err(ErrorCode::kInternal,
                 "job object \"{}\" still has processes {} s after it was "
                 "terminated",
                 obj_.name(), kKillWait.count());
    return Ok();
  }
  Status Freeze() override { return Paused(); }
  Status Thaw() override { return Paused(); }
  Result<bool> IsFrozen() override { return false; }
  Status Update(const Limits& limits) override {
    TRY(RefusePerDeviceIo(limits));
    return obj_.SetLimits(ToWindows(limits));
  }
  Result<Stats> GetStats() override { return obj_.GetStats(); }
  Status Destroy() override {
    if (!obj_.handle()) return Ok();
    Status killed = Kill();
    auto empty = obj_.WaitEmpty(kKillWait);
    // The handles close: with kill-on-job-close whatever is left dies with the last of them.
    obj_ = JobObject();
    if (!killed) return killed;
    if (!empty) return Err(empty.error());
    if (!*empty)
      return Err(ErrorCode::kInternal,
                 "job object \"JobContainer_{}\" still had processes {} s after it was "
                 "terminated; they die with the last handle (kill-on-job-close)",
                 id_, kKillWait.count());
    return Ok();
  }
  // No Destroy when dropped; but a Job Object lives only while a handle is open, and with
  // kill-on-job-close its processes die with the last one: the holder keeps this object (the
  // Windows supervisor holds its containers' jobs for as long as they run).
  void Release() override { owned_ = false; }

 private:
  Status Paused() const {
    return Err(ErrorCode::kUnsupported,
               "job object \"{}\": a job container cannot be paused (Job Objects have no freezer; "
               "hcsshim's job containers have no pause either)",
               obj_.name());
  }

  JobObject obj_;
  std::string pod_, id_;
  bool owned_;
};

class JobObjectManager : public JobManager {
 public:
  Result<std::unique_ptr<Job>> Create(const std::string& pod_id, const std::string& container_id,
                                      const Limits& limits) override {
    if (!pod_id.empty()) TRY(ValidateJobName("pod", pod_id));
    TRY(ValidateJobName("container", container_id));
    TRY(RefusePerDeviceIo(limits));
    ASSIGN_OR_RETURN(JobObject obj, JobObject::Create(container_id, ToWindows(limits)));
    return std::unique_ptr<Job>(
        std::make_unique<JobObjectJob>(std::move(obj), pod_id, container_id, true));
  }
  Result<std::unique_ptr<Job>> Open(const std::string& pod_id,
                                    const std::string& container_id) override {
    TRY(ValidateJobName("container", container_id));
    auto obj = JobObject::Open(container_id, /*terminate=*/true);
    if (!obj) {
      if (obj.error().code() == ErrorCode::kNotFound)
        return Err(ErrorCode::kNotFound, "no job object \"JobContainer_{}\"", container_id);
      return Err(obj.error());
    }
    return std::unique_ptr<Job>(
        std::make_unique<JobObjectJob>(std::move(*obj), pod_id, container_id, false));
  }
  Result<Stats> PodStats(const std::string&) override { return Err(Flat("a pod's usage")); }
  Result<std::vector<std::string>> ListPods() override { return Err(Flat("the list of pods")); }
  Result<std::vector<std::string>> ListContainers(const std::string&) override {
    return Err(Flat("the list of a pod's containers"));
  }
  Status DestroyPod(const std::string&) override { return Err(Flat("destroying a pod")); }
  Status RemoveRoot() override { return Ok(); }
  std::string Describe() const override { return "Job Objects (JobContainer_<container id>)"; }

 private:
  static Error Flat(std::string_view what) {
    return Error(fmt::format("{} needs a pod level, and Windows jobs are flat (one Job Object per "
                             "container, named after it): the node's own records list a pod's "
                             "containers",
                             what),
                 ErrorCode::kUnsupported);
  }
};

}  // namespace

JobObject* JobObjectOf(Job& job) {
  auto* j = dynamic_cast<JobObjectJob*>(&job);
  return j ? &j->object() : nullptr;
}

Result<std::unique_ptr<JobManager>> NewJobManager(const JobOptions&) {
  return std::unique_ptr<JobManager>(std::make_unique<JobObjectManager>());
}

}  // namespace hp::job
