#include "core/job/windows/job_object.h"

#include <windows.h>
#include <winternl.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "core/sys/windows/wide.h"

namespace hp::job {
namespace {

// The completion key of this job's messages on its port.
constexpr ULONG_PTR kKey = 1;

// ntddk's VM_COUNTERS_EX2 (Windows 10 1809 and later), which MinGW's headers lack:
// VM_COUNTERS, then VM_COUNTERS_EX's PrivateUsage, then the private working set.
struct VmCountersEx2 {
  VM_COUNTERS counters;
  SIZE_T private_usage;
  SIZE_T private_working_set;
  ULONGLONG shared_commit_usage;
};
static_assert(sizeof(VmCountersEx2) == 112, "VM_COUNTERS_EX2 is 112 bytes on x64");

// One process's share of its job's memory as hcsshim counts it (QueryPrivateWorkingSet): its
// private working set, 0 when it ended since the job's list was read or its pid now names a
// process outside the job. Wine 8 refuses VM_COUNTERS_EX2 (STATUS_INFO_LENGTH_MISMATCH): there
// the whole working set, shared pages included. PROCESS_QUERY_INFORMATION first: Wine's
// IsProcessInJob is denied with the limited right that Windows accepts.
uint64_t PrivateWorkingSet(HANDLE job, DWORD pid) {
  HANDLE h = OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, pid);
  if (!h) h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
  if (!h) return 0;
  uint64_t bytes = 0;
  BOOL in_job = FALSE;
  if (IsProcessInJob(h, job, &in_job) && in_job) {
    VmCountersEx2 c = {};
    if (NT_SUCCESS(NtQueryInformationProcess(h, ProcessVmCounters, &c, sizeof c, nullptr)))
      bytes = c.private_working_set;
    else if (NT_SUCCESS(NtQueryInformationProcess(h, ProcessVmCounters, &c.counters,
                                                  sizeof c.counters, nullptr)))
      bytes = c.counters.WorkingSetSize;
  }
  CloseHandle(h);
  return bytes;
}

// Starts a thread in process `pid`, if it is still `job`'s, at `routine` (CtrlRoutine) with
// CTRL_SHUTDOWN_EVENT. A handler runs on that thread for as long as it likes (that is the
// grace period): the thread is not waited for.
bool SendCtrlShutdownTo(HANDLE job, DWORD pid, LPTHREAD_START_ROUTINE routine) {
  HANDLE h = OpenProcess(PROCESS_CREATE_THREAD | PROCESS_QUERY_INFORMATION | PROCESS_VM_OPERATION |
                             PROCESS_VM_WRITE | PROCESS_VM_READ,
                         FALSE, pid);
  if (!h) return false;  // ended since the list was read
  bool sent = false;
  BOOL in_job = FALSE;
  if (IsProcessInJob(h, job, &in_job) && in_job) {
    HANDLE t =
        CreateRemoteThread(h, nullptr, 0, routine,
                           reinterpret_cast<void*>(ULONG_PTR{CTRL_SHUTDOWN_EVENT}), 0, nullptr);
    if (t) {
      sent = true;
      CloseHandle(t);
    }
  }
  CloseHandle(h);
  return sent;
}

// JOBOBJECT_IO_RATE_CONTROL_INFORMATION and its calls (Windows 10 1607 and later), which
// MinGW's headers lack; found in kernel32 at run time (Wine 8 has neither).
struct IoRateControl {
  LONG64 max_iops;
  LONG64 max_bandwidth;
  LONG64 reservation_iops;
  PCWSTR volume_name;
  ULONG base_io_size;
  ULONG control_flags;
};
constexpr ULONG kIoRateControlEnable = 0x1;
static_assert(sizeof(IoRateControl) == 40,
              "JOBOBJECT_IO_RATE_CONTROL_INFORMATION is 40 bytes on x64");
// Both return nonzero on success, 0 on failure with GetLastError (jobapi2.h).
using SetIoRateFn = DWORD(WINAPI*)(HANDLE, IoRateControl*);
using QueryIoRateFn = DWORD(WINAPI*)(HANDLE, PCWSTR, IoRateControl**, ULONG*);
using FreeJobMemoryFn = void(WINAPI*)(void*);

struct IoRateCalls {
  SetIoRateFn set;
  QueryIoRateFn query;
  FreeJobMemoryFn free_memory;
};

IoRateCalls FindIoRateCalls() {
  HMODULE kernel32 = GetModuleHandleW(L"kernel32.dll");
  auto find = [&](const char* name) {
    return reinterpret_cast<void*>(GetProcAddress(kernel32, name));
  };
  return {reinterpret_cast<SetIoRateFn>(find("SetIoRateControlInformationJobObject")),
          reinterpret_cast<QueryIoRateFn>(find("QueryIoRateControlInformationJobObject")),
          reinterpret_cast<FreeJobMemoryFn>(find("FreeMemoryJobObject"))};
}

// The job's I/O rate for all volumes (the entry without a volume name), zero when none is set.
IoRateControl ReadIoRate(const IoRateCalls& calls, HANDLE job, bool* ok) {
  IoRateControl out = {};
  IoRateControl* read = nullptr;
  ULONG count = 0;
  *ok = calls.query(job, nullptr, &read, &count) != 0;
  for (ULONG i = 0; *ok && read && i < count; ++i)
    if (!read[i].volume_name || !*read[i].volume_name) out = read[i];
  if (read) calls.free_memory(read);
  return out;
}

// Sets the job's I/O rate for all volumes (no volume name, as hcsshim's SetIOLimit): the values
// given, the others as they were; checked by reading it back.
Status SetIoRate(HANDLE job, const std::string& name, const windows::JobObjectLimits& limits) {
  IoRateCalls calls = FindIoRateCalls();
  if (!calls.set || !calls.query || !calls.free_memory)
    return Err(ErrorCode::kUnsupported,
               "set the I/O rate of job object \"{}\": this system has no "
               "SetIoRateControlInformationJobObject (Windows 10 1607 or Server 2016 and later)",
               name);
  bool read_ok = false;
  IoRateControl rate = ReadIoRate(calls, job, &read_ok);  // none yet: ERROR_NOT_FOUND, zeros
  rate.volume_name = nullptr;
  if (limits.io_max_iops) rate.max_iops = *limits.io_max_iops;
  if (limits.io_max_bandwidth) rate.max_bandwidth = *limits.io_max_bandwidth;
  rate.control_flags |= kIoRateControlEnable;
  if (!calls.set(job, &rate))
    return Err(sys::Win32Error("set the I/O rate of job object \"" + name + "\""));
  IoRateControl now = ReadIoRate(calls, job, &read_ok);
  if (!read_ok || now.max_iops != rate.max_iops || now.max_bandwidth != rate.max_bandwidth)
    return Err(ErrorCode::kInternal,
               "the I/O rate of job object \"{}\" does not read back as set ({} IOPS, {} bytes/s)",
               name, rate.max_iops, rate.max_bandwidth);
  return Ok();
}

}  // namespace

Result<JobObject> JobObject::Create(const std::string& container_id,
                                    const windows::JobObjectLimits& limits) {
  std::string name = "JobContainer_" + container_id;
  HANDLE job = CreateJobObjectW(nullptr, sys::Widen(name).c_str());
  if (!job) return Err(sys::Win32Error("create job object \"" + name + "\""));
  if (GetLastError() == ERROR_ALREADY_EXISTS) {
    CloseHandle(job);
    return Err(ErrorCode::kAlreadyExists, "job object \"{}\" already exists", name);
  }
  JobObject out(job, nullptr, name);

  TRY(out.SetLimits(limits));

  out.port_ = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
  if (!out.port_) return Err(sys::Win32Error("create a completion port for \"" + name + "\""));
  JOBOBJECT_ASSOCIATE_COMPLETION_PORT port = {};
  port.CompletionKey = reinterpret_cast<PVOID>(kKey);
  port.CompletionPort = out.port_;
  if (!SetInformationJobObject(job, JobObjectAssociateCompletionPortInformation, &port,
                               sizeof port))
    return Err(sys::Win32Error("associate a completion port with \"" + name + "\""));
  return out;
}

Status JobObject::SetLimits(const windows::JobObjectLimits& limits) {
  const std::string& name = name_;
  // The limits set before stay, kill-on-job-close always.
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION ext = {};
  if (!QueryInformationJobObject(job_, JobObjectExtendedLimitInformation, &ext, sizeof ext,
                                 nullptr))
    return Err(sys::Win32Error("read the limits of job object \"" + name + "\""));
  ext.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  if (limits.job_memory) {
    ext.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_JOB_MEMORY;
    ext.JobMemoryLimit = static_cast<SIZE_T>(*limits.job_memory);
  }
  if (limits.active_processes) {
    ext.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_ACTIVE_PROCESS;
    ext.BasicLimitInformation.ActiveProcessLimit = *limits.active_processes;
  }
  if (!SetInformationJobObject(job_, JobObjectExtendedLimitInformation, &ext, sizeof ext))
    return Err(sys::Win32Error("set the limits of job object \"" + name + "\""));

  if (limits.cpu_rate || limits.cpu_weight) {
    JOBOBJECT_CPU_RATE_CONTROL_INFORMATION cpu = {};
    if (limits.cpu_rate) {
      cpu.ControlFlags = JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP;
      cpu.CpuRate = *limits.cpu_rate;
    } else {
      cpu.ControlFlags =
          JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_WEIGHT_BASED;
      cpu.Weight = *limits.cpu_weight;
    }
    if (!SetInformationJobObject(job_, JobObjectCpuRateControlInformation, &cpu, sizeof cpu))
      return Err(sys::Win32Error("set the CPU rate of job object \"" + name + "\""));
  }

  if (limits.io_max_iops || limits.io_max_bandwidth) TRY(SetIoRate(job_, name, limits));
  return Ok();
}

JobObject::JobObject(JobObject&& o) noexcept
    : job_(std::exchange(o.job_, nullptr)),
      port_(std::exchange(o.port_, nullptr)),
      name_(std::move(o.name_)) {}

JobObject& JobObject::operator=(JobObject&& o) noexcept {
  if (this != &o) {
    Close();
    job_ = std::exchange(o.job_, nullptr);
    port_ = std::exchange(o.port_, nullptr);
    name_ = std::move(o.name_);
  }
  return *this;
}

JobObject::~JobObject() { Close(); }

Result<JobObject> JobObject::Open(const std::string& container_id, bool terminate) {
  std::string name = "JobContainer_" + container_id;
  DWORD access = JOB_OBJECT_ASSIGN_PROCESS | JOB_OBJECT_QUERY;
  if (terminate) access |= JOB_OBJECT_TERMINATE;
  HANDLE job = OpenJobObjectW(access, FALSE, sys::Widen(name).c_str());
  if (!job) return Err(sys::Win32Error("open job object \"" + name + "\""));
  return JobObject(job, nullptr, name);
}

void JobObject::Close() {
  if (port_) CloseHandle(port_);
  if (job_) CloseHandle(job_);
  port_ = job_ = nullptr;
}

Result<std::vector<uint32_t>> JobObject::Pids() const {
  std::vector<char> buf(sizeof(JOBOBJECT_BASIC_PROCESS_ID_LIST) + 1024 * sizeof(ULONG_PTR));
  for (;;) {
    auto* list = reinterpret_cast<JOBOBJECT_BASIC_PROCESS_ID_LIST*>(buf.data());
    if (QueryInformationJobObject(job_, JobObjectBasicProcessIdList, list,
                                  static_cast<DWORD>(buf.size()), nullptr)) {
      std::vector<uint32_t> pids;
      for (DWORD i = 0; i < list->NumberOfProcessIdsInList; i++)
        pids.push_back(static_cast<uint32_t>(list->ProcessIdList[i]));
      return pids;
    }
    if (GetLastError() != ERROR_MORE_DATA || buf.size() > (1u << 24))
      return Err(sys::Win32Error("list the processes of job object \"" + name_ + "\""));
    buf.resize(buf.size() * 2);
  }
}

Result<uint32_t> JobObject::ActiveProcesses() const {
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info = {};
  if (!QueryInformationJobObject(job_, JobObjectBasicAccountingInformation, &info, sizeof info,
                                 nullptr))
    return Err(sys::Win32Error("query job object \"" + name_ + "\""));
  return static_cast<uint32_t>(info.ActiveProcesses);
}

Result<Stats> JobObject::GetStats() const {
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info = {};
  if (!QueryInformationJobObject(job_, JobObjectBasicAccountingInformation, &info, sizeof info,
                                 nullptr))
    return Err(sys::Win32Error("query the accounting of job object \"" + name_ + "\""));
  Stats s;
  // 100 ns units.
  s.cpu_user_ns = static_cast<uint64_t>(info.TotalUserTime.QuadPart) * 100;
  s.cpu_system_ns = static_cast<uint64_t>(info.TotalKernelTime.QuadPart) * 100;
  s.pids_current = info.ActiveProcesses;
  ASSIGN_OR_RETURN(std::vector<uint32_t> pids, Pids());
  for (uint32_t pid : pids) s.memory_current_bytes += PrivateWorkingSet(job_, pid);
  return s;
}

Result<windows::JobAccounting> JobObject::Accounting() const {
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION basic = {};
  if (!QueryInformationJobObject(job_, JobObjectBasicAccountingInformation, &basic, sizeof basic,
                                 nullptr))
    return Err(sys::Win32Error("query the accounting of job object \"" + name_ + "\""));
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION ext = {};
  if (!QueryInformationJobObject(job_, JobObjectExtendedLimitInformation, &ext, sizeof ext,
                                 nullptr))
    return Err(sys::Win32Error("query the peak memory of job object \"" + name_ + "\""));
  windows::JobAccounting a;
  a.active_processes = basic.ActiveProcesses;
  a.total_processes = basic.TotalProcesses;
  a.user_100ns = static_cast<uint64_t>(basic.TotalUserTime.QuadPart);
  a.kernel_100ns = static_cast<uint64_t>(basic.TotalKernelTime.QuadPart);
  a.peak_job_memory = ext.PeakJobMemoryUsed;
  // The I/O counts come with the basic ones in one query that Wine 8 does not implement
  // (ERROR_INVALID_FUNCTION): then they are shown as not reported, the rest still is.
  JOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION io = {};
  if (QueryInformationJobObject(job_, JobObjectBasicAndIoAccountingInformation, &io, sizeof io,
                                nullptr)) {
    a.io_reported = true;
    a.read_ops = io.IoInfo.ReadOperationCount;
    a.write_ops = io.IoInfo.WriteOperationCount;
    a.other_ops = io.IoInfo.OtherOperationCount;
    a.read_bytes = io.IoInfo.ReadTransferCount;
    a.write_bytes = io.IoInfo.WriteTransferCount;
    a.other_bytes = io.IoInfo.OtherTransferCount;
  }
  return a;
}

Result<int> JobObject::SendCtrlShutdown(std::chrono::milliseconds wait) const {
  // kernel32!CtrlRoutine (forwarded to kernelbase) is at the same address in every process of
  // this architecture: the system DLLs are mapped once per boot.
  auto routine = reinterpret_cast<LPTHREAD_START_ROUTINE>(
      reinterpret_cast<void*>(GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "CtrlRoutine")));
  if (!routine)
    return Err(sys::Win32Error("find kernel32!CtrlRoutine to stop job object \"" + name_ + "\""));
  ASSIGN_OR_RETURN(std::vector<uint32_t> pids, Pids());
  // One sender per process, not waited for beyond `wait`: Wine's CreateRemoteThread waits for
  // the target to take the thread, and a process that is exiting may never do so (measured:
  // one send blocked for good, which held up the whole stop until delete killed the
  // supervisor 40 s later).
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    int done = 0, sent = 0;
  };
  auto shared = std::make_shared<Shared>();
  int started = 0;
  for (uint32_t pid : pids) {
    HANDLE job = nullptr;
    if (!DuplicateHandle(GetCurrentProcess(), job_, GetCurrentProcess(), &job, 0, FALSE,
                         DUPLICATE_SAME_ACCESS))
      continue;
    std::thread([shared, job, pid, routine] {
      bool ok = SendCtrlShutdownTo(job, pid, routine);
      CloseHandle(job);
      std::lock_guard lock(shared->mu);
      shared->done++;
      if (ok) shared->sent++;
      shared->cv.notify_all();
    }).detach();
    started++;
  }
  std::unique_lock lock(shared->mu);
  shared->cv.wait_for(lock, wait, [&] { return shared->done == started; });
  // A send still in progress may yet deliver: it counts.
  return shared->sent + (started - shared->done);
}

void JobObject::DrainMessages() {
  if (!port_) return;
  DWORD message = 0;
  ULONG_PTR key = 0;
  LPOVERLAPPED overlapped = nullptr;
  while (GetQueuedCompletionStatus(port_, &message, &key, &overlapped, 0)) {
  }
}

Status JobObject::Terminate(uint32_t exit_code) {
  if (!TerminateJobObject(job_, exit_code))
    return Err(sys::Win32Error("terminate job object \"" + name_ + "\""));
  return Ok();
}

Result<bool> JobObject::WaitEmpty(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    ASSIGN_OR_RETURN(uint32_t active, ActiveProcesses());
    if (active == 0) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    DWORD message = 0;
    ULONG_PTR key = 0;
    LPOVERLAPPED overlapped = nullptr;
    // Wake at least every 100 ms: the count is the truth, the message only a hint (Wine sends
    // no per-process exit messages on terminate).
    DWORD wait = static_cast<DWORD>(std::min<int64_t>(left.count(), 100));
    if (!port_) {  // a job opened by name has no port of ours: the count alone
      Sleep(std::min<DWORD>(wait, 20));
      continue;
    }
    // A message only wakes the loop: ACTIVE_PROCESS_ZERO may be left from an earlier empty
    // moment (the first process ended, then exec started another), so the count decides.
    (void)GetQueuedCompletionStatus(port_, &message, &key, &overlapped, wait);
  }
}

}  // namespace hp::job
