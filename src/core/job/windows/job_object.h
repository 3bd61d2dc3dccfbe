// hp/job on Windows: a container's job is a Job Object (SPEC §7). Kill-on-job-close (the last
// handle closing kills every process in it, so a dead supervisor takes its containers with
// it), a completion port for ACTIVE_PROCESS_ZERO, limits from windows::JobObjectLimits.
//
// Behind job.h's interface through NewJobManager (job_object_manager.cc): a Job of this
// backend holds a JobObject, its JobAttach is a JobObjectAttach (the handle the launcher puts in
// PROC_THREAD_ATTRIBUTE_JOB_LIST). Under Wine the limit setters succeed and do nothing; callers
// that care check effects (docs/windows.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/job/job.h"
#include "core/windows/job_accounting.h"
#include "core/windows/job_limits.h"

namespace hp::job {

class JobObject {
 public:
  // A new named Job Object ("JobContainer_<id>", as hcsshim names them) with `limits`.
  static Result<JobObject> Create(const std::string& container_id,
                                  const windows::JobObjectLimits& limits);
  // The running container's job, opened by name (to start a process in it: exec; to query it:
  // top, describe; with `terminate`, also to stop it: the supervisor's delete); closing this
  // handle does not end the job while its owner holds its own. Only the supervisor asks for
  // the right to terminate, so that a reader needs no more access than it did.
  static Result<JobObject> Open(const std::string& container_id, bool terminate = false);
  JobObject() = default;  // no job: handle() is null
  JobObject(JobObject&& o) noexcept;
  JobObject& operator=(JobObject&& o) noexcept;
  JobObject(const JobObject&) = delete;
  JobObject& operator=(const JobObject&) = delete;
  // Closes the handles: with kill-on-job-close, what is still running in the job dies.
  ~JobObject();

  void* handle() const { return job_; }  // a HANDLE, for PROC_THREAD_ATTRIBUTE_JOB_LIST
  // Sets the limits given (the others stay as they are; kill-on-job-close always): Create's and
  // the Job interface's Update. Under Wine the setters report success and do nothing.
  Status SetLimits(const windows::JobObjectLimits& limits);
  const std::string& name() const { return name_; }

  // Process ids in the job now.
  Result<std::vector<uint32_t>> Pids() const;
  // Processes running in the job now (the job's own count).
  Result<uint32_t> ActiveProcesses() const;
  // The job's usage as `top` shows it (job.h's Stats: the fields below, the others 0).
  // cpu_user_ns, cpu_system_ns: the job's accounting (TotalUserTime, TotalKernelTime), which
  // includes the processes that ended. memory_current_bytes: the private working sets of its
  // processes summed, as hcsshim's job containers report memory (its QueryPrivateWorkingSet,
  // which containerd gives kubelet as the container's working set); where the system has no
  // VM_COUNTERS_EX2 (Wine 8) each process's whole working set. pids_current: the job's count.
  // Under Wine 8 the accounting reads 0 (docs/windows.md).
  Result<Stats> GetStats() const;
  // The job's accounting as `describe` shows it: process counts and CPU times
  // (JobObjectBasicAccountingInformation), peak commit (JobObjectExtendedLimitInformation's
  // PeakJobMemoryUsed), I/O (JobObjectBasicAndIoAccountingInformation) when the system answers.
  // Under Wine 8 the counts are right, the CPU times and the peak read 0 and the I/O query fails
  // (ERROR_INVALID_FUNCTION: io_reported false).
  Result<windows::JobAccounting> Accounting() const;
  // Sends CTRL_SHUTDOWN_EVENT to every process of the job, as hcsshim's job containers signal
  // theirs: a thread started in the process (CreateRemoteThread) at kernel32's CtrlRoutine,
  // which runs the process's console control handlers, or ends it as the default handler does;
  // no console is shared. Returns how many processes were sent one, counting the sends still
  // in progress after `wait` (a pid that now names a process outside the job is skipped).
  // Works under Wine 8 (measured: the handler runs), where a send to an exiting process can
  // block for good: each process has its own sender thread, left behind after `wait`.
  Result<int> SendCtrlShutdown(std::chrono::milliseconds wait) const;
  // Kills every process of the job with `exit_code`.
  Status Terminate(uint32_t exit_code);
  // Drops the messages queued on the job's completion port (each process the job starts and
  // ends queues some: a long-lived job's holder drains them, as hcsshim's port reader does).
  void DrainMessages();
  // Waits for an empty job (its process count; the port's messages wake the wait); false on
  // timeout.
  Result<bool> WaitEmpty(std::chrono::milliseconds timeout);

 private:
  JobObject(void* job, void* port, std::string name) : job_(job), port_(port), name_(name) {}
  void Close();
  void* job_ = nullptr;
  void* port_ = nullptr;
  std::string name_;
};

// The Windows backend's JobAttach: the Job Object's handle, for the launcher's
// PROC_THREAD_ATTRIBUTE_JOB_LIST. Valid while the Job it came from lives.
class JobObjectAttach : public JobAttach {
 public:
  explicit JobObjectAttach(void* job) : job_(job) {}
  void* handle() const { return job_; }

 private:
  void* job_;
};

// The JobObject behind a Job of this backend (for what only Job Objects have: describe's
// accounting, the grace period's CtrlRoutine), or null for another Job.
JobObject* JobObjectOf(Job& job);

}  // namespace hp::job
