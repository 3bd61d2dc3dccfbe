#include "core/oci/runtime.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/base/scope_exit.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/oci/cgroups_path.h"
#include "core/oci/hooks.h"
#include "core/oci/hostprocess.h"
#include "core/oci/resources.h"
#include "core/oci/runtime_internal.h"
#include "core/sandbox/container.h"
#include "core/sandbox/mounts.h"
#include "core/sys/file.h"
#include "core/sys/process.h"

namespace hp::oci {

std::string EncodeStatus(const ContainerStatus& s) {
  nlohmann::ordered_json j;
  j["ociVersion"] = "1.0.2";
  j["id"] = s.id;
  j["pid"] = s.pid;
  j["status"] = s.status;
  j["bundle"] = s.bundle;
  j["rootfs"] = s.rootfs;
  j["created"] = s.created;
  j["owner"] = s.owner;
  if (!s.annotations.empty()) j["annotations"] = s.annotations;
  return j.dump(2);
}

Result<JobLocation> SplitCgroupPath(const std::string& cgroup_path) {
  std::vector<std::string> parts;
  for (const std::string& p : Split(cgroup_path, '/'))
    if (!p.empty()) parts.push_back(p);
  if (parts.size() < 2)
    return Err(ErrorCode::kInvalidArgument,
               "cgroupsPath {} must have at least two components (\"/parent/container\")",
               Quote(cgroup_path));
  JobLocation loc;
  loc.container = parts.back();
  loc.pod = parts[parts.size() - 2];
  std::vector<std::string> root_parts(parts.begin(), parts.end() - 2);
  loc.root = "/" + Join(root_parts, "/");
  return loc;
}

Runtime::Runtime(RuntimeOptions options) : options_(std::move(options)), store_(options_.root) {}

void Runtime::Log(const std::string& level, const std::string& msg) const {
  if (options_.log) options_.log(level, msg);
}

Result<std::unique_ptr<job::Job>> Runtime::OpenJob(const ContainerState& s) const {
  ASSIGN_OR_RETURN(JobLocation loc, SplitCgroupPath(s.cgroup_path));
  ASSIGN_OR_RETURN(auto mgr, job::NewJobManager({loc.root}));
  return mgr->Open(loc.pod, loc.container);
}

Result<std::string> Runtime::StatusOf(const ContainerState& s) const {
  auto start = sys::LiveStartTicks(s.init_pid);
  if (!start || *start != s.init_start_time) return std::string("stopped");
  if (sys::Exists(store_.FifoPath(s.id))) return std::string("created");
  auto job = OpenJob(s);
  if (job) {
    auto frozen = (*job)->IsFrozen();
    if (frozen && *frozen) return std::string("paused");
  }
  return std::string("running");
}

namespace {

Result<std::string> Absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (!::getcwd(cwd, sizeof cwd)) return SysErr("getcwd");
  return path.empty() || path == "." ? std::string(cwd) : std::string(cwd) + "/" + path;
}

Result<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) return SysErr("realpath \"{}\"", path);
  return std::string(buf);
}

}  // namespace

Status Runtime::Create(const CreateOptions& o) {
  ASSIGN_OR_RETURN(ContainerLock lock, store_.CreateAndLock(o.id));
  ScopeExit remove_state([&] { (void)store_.Remove(o.id); });

  ASSIGN_OR_RETURN(std::string bundle_abs, Absolute(o.bundle));
  ASSIGN_OR_RETURN(std::string bundle, RealPath(bundle_abs));
  ASSIGN_OR_RETURN(Spec spec, LoadSpec(bundle));
  if (!spec.process) return Err(ErrorCode::kInvalidArgument, "process property must not be empty");
  const Process& process = *spec.process;

  std::vector<std::string> warnings;
  ASSIGN_OR_RETURN(auto ann_warnings, CheckAnnotations(spec.annotations));
  warnings.insert(warnings.end(), ann_warnings.begin(), ann_warnings.end());
  Linux linux_spec = spec.linux_spec.value_or(Linux{});
  ASSIGN_OR_RETURN(auto ns_warnings, CheckNamespaces(linux_spec.namespaces));
  warnings.insert(warnings.end(), ns_warnings.begin(), ns_warnings.end());
  ASSIGN_OR_RETURN(std::vector<MountPlan> mounts, PlanMounts(spec.mounts, &warnings));
  if (!linux_spec.sysctl.empty())
    warnings.push_back("linux.sysctl is not applied: HostProcess containers share the host's");

  const std::string sandbox = SandboxPath(bundle, spec.root.path);
  const std::string rootfs = sandbox.substr(0, sandbox.size() - 1);
  if (!sys::IsDir(rootfs))
    return Err(ErrorCode::kNotFound, "rootfs {} is not a directory", Quote(rootfs));

  ASSIGN_OR_RETURN(std::string cgroup_path,
                   ResolveCgroupsPath(linux_spec.cgroups_path, options_.systemd_cgroup, o.id));
  ASSIGN_OR_RETURN(JobLocation loc, SplitCgroupPath(cgroup_path));
  job::Limits limits;
  if (linux_spec.resources) {
    ASSIGN_OR_RETURN(limits, ToJobLimits(*linux_spec.resources, spec.annotations, &warnings));
  } else {
    ASSIGN_OR_RETURN(limits, ToJobLimits(Resources{}, spec.annotations, &warnings));
  }
  for (const std::string& w : warnings) Log("warning", w);
  warnings.clear();

  ASSIGN_OR_RETURN(auto mgr, job::NewJobManager({loc.root}));
  ASSIGN_OR_RETURN_CTX(std::unique_ptr<job::Job> job, mgr->Create(loc.pod, loc.container, limits),
                       "create the job {}", Quote(cgroup_path));

  // root.readonly: the container volume becomes read-only once everything below it exists;
  // the volumes keep their own modes (runc's readonly rootfs).
  std::vector<std::string> mounted;
  ScopeExit unmount([&] { (void)UnmountAll(mounted); });
  if (spec.root.readonly) {
    ASSIGN_OR_RETURN(std::string self_bind, sandbox::PrepareReadOnlyRoot(rootfs));
    if (!self_bind.empty()) mounted.push_back(self_bind);
  }
  ASSIGN_OR_RETURN(std::vector<std::string> volumes, MountUnderSandbox(sandbox, mounts));
  mounted.insert(mounted.end(), volumes.begin(), volumes.end());

  ASSIGN_OR_RETURN(ProcessPlan plan, PlanProcess(process, sandbox));
  if (plan.create_cwd) {
    ASSIGN_OR_RETURN(plan.cwd, sandbox::MakeDirInSandbox(sandbox, plan.cwd.substr(rootfs.size())));
  }
  TRY(ResolveExecutable(plan));
  if (spec.root.readonly) TRY(sandbox::MakeRootReadOnly(rootfs));

  // The exec fifo: init opens it for writing after switching identity.
  const std::string fifo = store_.FifoPath(o.id);
  if (::mkfifo(fifo.c_str(), 0622) != 0) return SysErr("mkfifo \"{}\"", fifo);
  ::chmod(fifo.c_str(), 0622);  // regardless of umask
  if ((process.user.uid != 0 || process.user.gid != 0) &&
      ::chown(fifo.c_str(), process.user.uid, process.user.gid) != 0)
    return SysErr("chown \"{}\"", fifo);

  ASSIGN_OR_RETURN(
      internal::PreparedProcess prepared,
      internal::PrepareProcess(process, plan, o.console_socket, o.preserve_fds, &warnings));
  for (const std::string& w : warnings) Log("warning", w);
  prepared.spec.new_session = true;  // runc's init always starts a session
  prepared.spec.job = job.get();
  prepared.spec.go_fifo_path = fifo;

  ASSIGN_OR_RETURN_CTX(launch::Process proc, launch::Launch(prepared.spec),
                       "runc create failed: unable to start container process");
  prepared.pty.reset();  // the slave now belongs to init
  ScopeExit kill_init([&] {
    ::kill(proc.pid, SIGKILL);
    (void)launch::Wait(proc);
  });
  if (process.oom_score_adj) {
    TRY(sys::WriteFile(fmt::format("/proc/{}/oom_score_adj", proc.pid),
                       std::to_string(*process.oom_score_adj)));
  }

  ContainerState st;
  st.id = o.id;
  st.bundle = bundle;
  st.rootfs = rootfs;
  st.created = Rfc3339Nano(NowUnixNanos());
  st.init_pid = proc.pid;
  st.init_start_time = sys::LiveStartTicks(proc.pid).value_or(0);
  st.cgroup_path = cgroup_path;
  st.systemd_cgroup = options_.systemd_cgroup;
  st.annotations = spec.annotations;
  st.mounts = mounted;

  const std::string hook_state =
      HookState(spec.oci_version, o.id, "created", proc.pid, bundle, spec.annotations);
  TRY(RunHooks(spec.hooks.prestart, "prestart", hook_state));
  TRY(RunHooks(spec.hooks.create_runtime, "createRuntime", hook_state));
  TRY(RunHooks(spec.hooks.create_container, "createContainer", hook_state));

  TRY(store_.Save(st));
  if (!o.pid_file.empty()) {
    ASSIGN_OR_RETURN(std::string pid_file, Absolute(o.pid_file));
    TRY(sys::WriteFileAtomic(pid_file, std::to_string(proc.pid), 0644));
  }
  job->Release();
  kill_init.Dismiss();
  unmount.Dismiss();
  remove_state.Dismiss();
  return Ok();
}

Status Runtime::Start(const std::string& id) {
  ASSIGN_OR_RETURN(ContainerLock lock, store_.Lock(id));
  ASSIGN_OR_RETURN(ContainerState st, store_.Load(id));
  ASSIGN_OR_RETURN(std::string status, StatusOf(st));
  if (status == "stopped")
    return Err(ErrorCode::kFailedPrecondition, "cannot start a container that has stopped");
  if (status != "created")
    return Err(ErrorCode::kFailedPrecondition, "cannot start an already running container");
  auto spec = LoadSpec(st.bundle);
  const std::string oci_version = spec ? spec->oci_version : "";
  if (spec) {
    TRY(RunHooks(spec->hooks.start_container, "startContainer",
                 HookState(oci_version, id, "created", st.init_pid, st.bundle, st.annotations)));
  }

  // Release init: open the fifo for reading and wait for its byte, watching that init lives.
  const std::string fifo = store_.FifoPath(id);
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(fifo, O_RDONLY | O_NONBLOCK));
  while (true) {
    struct pollfd p = {fd.get(), POLLIN, 0};
    int rc = ::poll(&p, 1, 100);
    if (rc < 0 && errno != EINTR) return SysErr("poll \"{}\"", fifo);
    if (rc > 0) {
      char c;
      ssize_t n = ::read(fd.get(), &c, 1);
      if (n == 1) break;
      // n == 0: a writer came and went without the byte (init died opening it): see below.
      if (n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    auto start = sys::LiveStartTicks(st.init_pid);
    if (!start || *start != st.init_start_time) {
      (void)::unlink(fifo.c_str());
      return Err(ErrorCode::kFailedPrecondition, "cannot start a container that has stopped");
    }
  }
  if (::unlink(fifo.c_str()) != 0 && errno != ENOENT) return SysErr("unlink \"{}\"", fifo);
  st.started = true;
  TRY(store_.Save(st));
  if (spec) {
    auto hooks =
        RunHooks(spec->hooks.poststart, "poststart",
                 HookState(oci_version, id, "running", st.init_pid, st.bundle, st.annotations));
    if (!hooks) Log("warning", hooks.error().ToString());
  }
  return Ok();
}

Result<ContainerStatus> Runtime::State(const std::string& id) {
  ASSIGN_OR_RETURN(ContainerState st, store_.Load(id));
  ContainerStatus out;
  out.id = st.id;
  ASSIGN_OR_RETURN(out.status, StatusOf(st));
  out.pid = out.status == "stopped" ? 0 : st.init_pid;
  out.bundle = st.bundle;
  out.rootfs = st.rootfs;
  out.created = st.created;
  out.owner = st.owner;
  out.annotations = st.annotations;
  return out;
}

Result<std::vector<ContainerStatus>> Runtime::List() {
  std::vector<ContainerStatus> out;
  ASSIGN_OR_RETURN(auto ids, store_.List());
  for (const std::string& id : ids) {
    auto s = State(id);
    if (s) out.push_back(std::move(*s));
  }
  return out;
}

Status Runtime::Delete(const std::string& id, bool force) {
  auto lock = store_.Lock(id);
  if (!lock) {
    // A directory left by a crashed create (no lock file yet) is removed quietly.
    if (lock.error().code() == ErrorCode::kNotFound && sys::IsDir(store_.Dir(id)) &&
        !sys::Exists(store_.StatePath(id)) && ValidateId(id))
      return store_.Remove(id);
    // runc: `delete --force` of a container that is already gone succeeds (the shim's cleanup
    // of a dead shim relies on it).
    if (force && lock.error().code() == ErrorCode::kNotFound) return Ok();
    return Err(std::move(lock).error());
  }
  auto loaded = store_.Load(id);
  if (!loaded) {
    if (loaded.error().code() == ErrorCode::kNotFound) {
      (void)store_.Remove(id);  // stale: a create that never finished
      if (force) return Ok();
      return Err(ErrorCode::kNotFound, "container does not exist");
    }
    return Err(std::move(loaded).error());
  }
  ContainerState st = std::move(*loaded);
  ASSIGN_OR_RETURN(std::string status, StatusOf(st));
  if ((status == "running" || status == "paused") && !force)
    return Err(ErrorCode::kFailedPrecondition, "cannot delete container {} that is not stopped: {}",
               id, status);

  auto job = OpenJob(st);
  if (job) {
    // Stopped or not: nothing of the container may outlive it (daemonised children too).
    if (status == "paused") (void)(*job)->Thaw();
    TRY_CTX((*job)->Kill(), "kill container {}", Quote(id));
    auto empty = (*job)->WaitEmpty(std::chrono::seconds(10));
    if (!empty) return Err(std::move(empty).error());
    if (!*empty)
      return Err(ErrorCode::kFailedPrecondition, "container {}: processes did not exit", Quote(id));
    TRY_CTX((*job)->Destroy(), "remove the job of container {}", Quote(id));
  } else if (job.error().code() != ErrorCode::kNotFound) {
    return Err(std::move(job).error());
  } else if (status != "stopped") {
    ::kill(st.init_pid, SIGKILL);
  }
  TRY(UnmountAll(st.mounts));
  auto spec = LoadSpec(st.bundle);
  if (spec && !spec->hooks.poststop.empty()) {
    auto hooks =
        RunHooks(spec->hooks.poststop, "poststop",
                 HookState(spec->oci_version, id, "stopped", 0, st.bundle, st.annotations));
    if (!hooks) Log("warning", hooks.error().ToString());
  }
  return store_.Remove(id);
}

}  // namespace hp::oci
