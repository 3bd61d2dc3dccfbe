// Runtime operations on an existing container: exec, kill, ps, pause/resume, update, stats.
#include <signal.h>
#include <string.h>

#include <charconv>

#include "core/base/strings.h"
#include "core/job/cgroup.h"
#include "core/launch/launch.h"
#include "core/oci/resources.h"
#include "core/oci/runtime.h"
#include "core/oci/runtime_internal.h"
#include "core/sys/file.h"

namespace hp::oci {

Result<int> ParseSignal(std::string_view s) {
  int n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec == std::errc() && p == s.data() + s.size()) {
    // 0: runc's liveness check (kill(2) without a signal).
    if (n < 0 || n >= NSIG) return Err(ErrorCode::kInvalidArgument, "unknown signal {}", Quote(s));
    return n;
  }
  std::string name = ToLower(s);
  if (StartsWith(name, "sig")) name = name.substr(3);
  for (int sig = 1; sig < NSIG; ++sig) {
    const char* abbrev = ::sigabbrev_np(sig);
    if (abbrev && ToLower(abbrev) == name) return sig;
  }
  if (StartsWith(name, "rtmin")) {
    int off = 0;
    if (name.size() > 6 && name[5] == '+')
      std::from_chars(name.data() + 6, name.data() + name.size(), off);
    if (SIGRTMIN + off <= SIGRTMAX) return SIGRTMIN + off;
  }
  return Err(ErrorCode::kInvalidArgument, "unknown signal {}", Quote(s));
}

Status Runtime::Kill(const std::string& id, int sig, bool all) {
  ASSIGN_OR_RETURN(ContainerLock lock, store_.Lock(id));
  ASSIGN_OR_RETURN(ContainerState st, LoadForCleanup(id));
  ASSIGN_OR_RETURN(std::string status, StatusOf(st));
  if (all) {
    auto job = OpenJob(st);
    if (!job) {
      if (job.error().code() == ErrorCode::kNotFound && status == "stopped")
        return Err(ErrorCode::kFailedPrecondition, "container not running");
      return Err(std::move(job).error());
    }
    if (sig == SIGKILL) return (*job)->Kill();
    return job::SignalPids(**job, sig);
  }
  if (status == "stopped") return Err(ErrorCode::kFailedPrecondition, "container not running");
  if (::kill(st.init_pid, sig) != 0) return SysErr("kill {} (signal {})", st.init_pid, sig);
  return Ok();
}

Result<std::vector<pid_t>> Runtime::Pids(const std::string& id) {
  ASSIGN_OR_RETURN(ContainerState st, store_.Load(id));
  auto job = OpenJob(st);
  if (!job) {
    if (job.error().code() == ErrorCode::kNotFound) return std::vector<pid_t>{};
    return Err(std::move(job).error());
  }
  return (*job)->Pids();
}

Status Runtime::Pause(const std::string& id) {
  ASSIGN_OR_RETURN(ContainerLock lock, store_.Lock(id));
  ASSIGN_OR_RETURN(ContainerState st, store_.Load(id));
  ASSIGN_OR_RETURN(std::string status, StatusOf(st));
  if (status != "running" && status != "created")
    return Err(ErrorCode::kFailedPrecondition, "container not running");
  ASSIGN_OR_RETURN(auto job, OpenJob(st));
  return job->Freeze();
}

Status Runtime::Resume(const std::string& id) {
  ASSIGN_OR_RETURN(ContainerLock lock, store_.Lock(id));
  ASSIGN_OR_RETURN(ContainerState st, store_.Load(id));
  ASSIGN_OR_RETURN(std::string status, StatusOf(st));
  if (status != "paused") return Err(ErrorCode::kFailedPrecondition, "container not paused");
  ASSIGN_OR_RETURN(auto job, OpenJob(st));
  return job->Thaw();
}

Status Runtime::Update(const std::string& id, const Resources& resources) {
  ASSIGN_OR_RETURN(ContainerLock lock, store_.Lock(id));
  ASSIGN_OR_RETURN(ContainerState st, store_.Load(id));
  std::vector<std::string> warnings;
  ASSIGN_OR_RETURN(job::Limits limits, ToJobLimits(resources, {}, &warnings));
  for (const std::string& w : warnings) Log("warning", w);
  ASSIGN_OR_RETURN(auto job, OpenJob(st));
  return job->Update(limits);
}

Result<job::Stats> Runtime::Stats(const std::string& id) {
  ASSIGN_OR_RETURN(ContainerState st, store_.Load(id));
  ASSIGN_OR_RETURN(auto job, OpenJob(st));
  return job->GetStats();
}

Result<int> Runtime::Exec(const ExecOptions& o) {
  std::unique_ptr<job::Job> job;
  launch::Process proc;
  {
    ASSIGN_OR_RETURN(ContainerLock lock, store_.Lock(o.id));
    ASSIGN_OR_RETURN(ContainerState st, store_.Load(o.id));
    ASSIGN_OR_RETURN(std::string status, StatusOf(st));
    if (status == "stopped")
      return Err(ErrorCode::kFailedPrecondition, "cannot exec in a stopped container");
    if (status == "paused")
      return Err(ErrorCode::kFailedPrecondition, "cannot exec in a paused container");
    ASSIGN_OR_RETURN(job, OpenJob(st));
    ASSIGN_OR_RETURN(ProcessPlan plan, PlanProcess(o.process, st.rootfs + "/"));
    TRY(ResolveExecutable(plan));
    std::vector<std::string> warnings;
    ASSIGN_OR_RETURN(
        internal::PreparedProcess prepared,
        internal::PrepareProcess(o.process, plan, o.console_socket, o.preserve_fds, &warnings));
    if (st.config) {
      if (st.config->seccomp) {
        ASSIGN_OR_RETURN(SeccompProgram program, LoadContainerSeccomp(store_.SeccompPath(st.id)));
        internal::ApplySeccomp(std::move(program), prepared.spec);
      }
    } else {
      // A container of an older runtime keeps no config: its bundle's filter, compiled through
      // the cache. When the bundle cannot be read, nothing tells whether the container has a
      // filter, so the process is not started rather than started without one.
      ASSIGN_OR_RETURN_CTX(Spec spec, LoadSpec(st.bundle),
                           "exec: the container's seccomp filter is unknown (its state, of an "
                           "older runtime, keeps no config)");
      if (spec.linux_spec && spec.linux_spec->seccomp) {
        ASSIGN_OR_RETURN(
            SeccompProgram program,
            CompileSeccompCached(*spec.linux_spec->seccomp, SeccompCacheDir(), &warnings));
        internal::ApplySeccomp(std::move(program), prepared.spec);
      }
    }
    for (const std::string& w : warnings) Log("warning", w);
    prepared.spec.job = job.get();
    ASSIGN_OR_RETURN_CTX(proc, launch::Launch(prepared.spec),
                         "exec failed: unable to start container process");
    if (!o.pid_file.empty()) {
      auto written = sys::WriteFileAtomic(o.pid_file, std::to_string(proc.pid), 0644);
      if (!written) {
        ::kill(proc.pid, SIGKILL);
        (void)launch::Wait(proc);
        return Err(std::move(written).error());
      }
    }
  }
  if (o.detach) return 0;
  ASSIGN_OR_RETURN(std::optional<launch::ExitStatus> exit, launch::Wait(proc));
  return exit ? exit->exit_code : 255;
}

}  // namespace hp::oci
