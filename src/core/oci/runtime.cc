#include "core/oci/runtime.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/base/fnv.h"
#include "core/base/scope_exit.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/job/cgroup.h"
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
  if (parts.empty())
    return Err(ErrorCode::kInvalidArgument, "cgroupsPath {} names the root cgroup",
               Quote(cgroup_path));
  JobLocation loc;
  loc.container = parts.back();
  if (parts.size() == 1) {
    loc.root = "/";
    return loc;
  }
  loc.pod = parts[parts.size() - 2];
  std::vector<std::string> root_parts(parts.begin(), parts.end() - 2);
  loc.root = "/" + Join(root_parts, "/");
  return loc;
}

namespace {

Result<std::string> Absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (!::getcwd(cwd, sizeof cwd)) return SysErr("getcwd");
  return path.empty() || path == "." ? std::string(cwd) : std::string(cwd) + "/" + path;
}

// The state root as an absolute path, as runc makes it: the container's init opens its exec
// fifo under it after changing to the container's working directory.
RuntimeOptions WithAbsoluteRoot(RuntimeOptions o) {
  if (o.root.empty()) return o;
  if (auto root = Absolute(o.root)) o.root = std::move(*root);
  return o;
}

}  // namespace

Runtime::Runtime(RuntimeOptions options)
    : options_(WithAbsoluteRoot(std::move(options))), store_(options_.root) {}

void Runtime::Log(const std::string& level, const std::string& msg) const {
  if (options_.log) options_.log(level, msg);
}

namespace {

Result<std::unique_ptr<job::JobManager>> NewManager(job::CgroupFs fs, const std::string& root,
                                                    std::function<void(const std::string&)> mark) {
  job::CgroupManagerOptions o;
  o.fs = std::move(fs);
  o.root = root;
  o.before_mkdir = std::move(mark);
  return job::NewCgroupJobManager(std::move(o));
}

// FNV-1a's steps from its own basis, not the standard one of core/base/fnv.h: a stable file name
// for a cgroup path of any length, which marks already on a node are named by (kept so).
std::string MarkName(const std::string& path) {
  return fmt::format("{:016x}", Fnv1a<uint64_t>(path, 1469598103934665603ull, kFnv64Prime));
}

}  // namespace

Result<job::CgroupFs> Runtime::Cgroups() const {
  if (!cgroups_) {
    ASSIGN_OR_RETURN_CTX(job::CgroupFs fs, job::CgroupFs::Detect(), "open jobs");
    cgroups_ = std::move(fs);
  }
  return *cgroups_;
}

Result<std::unique_ptr<job::Job>> Runtime::OpenJob(const ContainerState& s) const {
  ASSIGN_OR_RETURN(JobLocation loc, SplitCgroupPath(s.cgroup_path));
  ASSIGN_OR_RETURN(job::CgroupFs fs, Cgroups());
  ASSIGN_OR_RETURN(auto mgr, NewManager(std::move(fs), loc.root, nullptr));
  ASSIGN_OR_RETURN(auto job, mgr->Open(loc.pod, loc.container));
  job->KeepPodParent();  // removed by RemoveUnusedCgroups when it is ours
  return job;
}

void Runtime::MarkCgroup(const std::string& dir) const {
  const std::string marks = options_.root + "/.cgroups";
  (void)sys::MkdirAll(marks, 0700);
  (void)sys::WriteFile(marks + "/" + MarkName(dir), dir);
}

void Runtime::RemoveUnusedCgroups(const std::string& cgroup_path) const {
  auto fs = Cgroups();
  if (!fs) return;
  std::vector<std::string> mounts;
  if (!fs->unified.empty()) mounts.push_back(fs->unified);
  if (fs->kind != job::CgroupKind::kV2)
    for (const auto& [c, dir] : fs->controllers)
      if (std::find(mounts.begin(), mounts.end(), dir) == mounts.end()) mounts.push_back(dir);
  const std::string marks = options_.root + "/.cgroups";
  for (const std::string& mount : mounts) {
    // The container's directory, then each ancestor up to the mount, while they are ours and
    // empty; a non-empty one (another container of the pod) stops the walk.
    std::string dir = mount + cgroup_path;
    while (dir.size() > mount.size()) {
      const std::string mark = marks + "/" + MarkName(dir);
      if (sys::Exists(mark)) {
        if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) break;
        (void)::unlink(mark.c_str());
      } else if (sys::IsDir(dir)) {
        break;  // someone else's (kubelet's pod cgroup): it and its ancestors stay
      }
      dir = dir.substr(0, dir.rfind('/'));
    }
  }
}

CreatedConfig Runtime::ConfigOf(const ContainerState& s) const {
  if (s.config) return *s.config;
  CreatedConfig config;
  auto spec = LoadSpec(s.bundle);
  if (!spec) return config;  // no hooks to run: the bundle is gone
  config.oci_version = spec->oci_version;
  config.start_container = std::move(spec->hooks.start_container);
  config.poststart = std::move(spec->hooks.poststart);
  config.poststop = std::move(spec->hooks.poststop);
  return config;
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

Result<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) return SysErr("realpath \"{}\"", path);
  return std::string(buf);
}

// The container volume must be a directory of its own: never the host's root (mounts would land
// on host directories), and, as runc requires, not reached through a symlink (a link to "/"
// would pass the first check).
Status CheckRootfs(const std::string& rootfs, const std::string& root_path) {
  if (rootfs == "/")
    return Err(ErrorCode::kInvalidArgument,
               "rootfs \"/\" (root.path {}): the host's root directory cannot be a container "
               "volume",
               Quote(root_path));
  if (!sys::IsDir(rootfs))
    return Err(ErrorCode::kNotFound, "rootfs {} is not a directory", Quote(rootfs));
  ASSIGN_OR_RETURN(std::string real, RealPath(rootfs));
  if (real == "/")
    return Err(ErrorCode::kInvalidArgument,
               "rootfs {} (root.path {}) is the host's root directory through a symlink: it "
               "cannot be a container volume",
               Quote(rootfs), Quote(root_path));
  if (real != rootfs)
    return Err(ErrorCode::kInvalidArgument,
               "rootfs {} is not an absolute path or is a symlink (to {})", Quote(rootfs),
               Quote(real));
  return Ok();
}

}  // namespace

Status Runtime::Create(const CreateOptions& o) {
  ASSIGN_OR_RETURN(ContainerLock lock, store_.CreateAndLock(o.id));
  ScopeExit remove_state([&] { (void)store_.Remove(o.id); });
  // A create of this id that was killed: undo what its intent log says it made.
  if (auto stale = store_.LoadIntent(o.id)) TRY(Teardown(*stale, "stopped"));

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
  const std::string rootfs = sandbox == "/" ? "/" : sandbox.substr(0, sandbox.size() - 1);
  TRY(CheckRootfs(rootfs, spec.root.path));

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

  // The intent log, before anything is made: a create killed from here on is undone by delete.
  ContainerState intent;
  intent.id = o.id;
  intent.bundle = bundle;
  intent.rootfs = rootfs;
  intent.created = Rfc3339Nano(NowUnixNanos());
  intent.cgroup_path = cgroup_path;
  intent.systemd_cgroup = options_.systemd_cgroup;
  intent.annotations = spec.annotations;
  TRY(store_.SaveIntent(intent));
  auto record_mount = [&](const std::string& mount_point) -> Status {
    intent.mounts.push_back(mount_point);
    return store_.SaveIntent(intent);
  };

  ASSIGN_OR_RETURN(job::CgroupFs fs, Cgroups());
  ASSIGN_OR_RETURN(auto mgr, NewManager(std::move(fs), loc.root,
                                        [this](const std::string& dir) { MarkCgroup(dir); }));
  ASSIGN_OR_RETURN_CTX(std::unique_ptr<job::Job> job, mgr->Create(loc.pod, loc.container, limits),
                       "create the job {}", Quote(cgroup_path));
  job->KeepPodParent();
  ScopeExit remove_cgroups([&] {
    if (job) (void)job->Destroy();
    RemoveUnusedCgroups(cgroup_path);
  });

  // root.readonly: the container volume becomes read-only once everything below it exists;
  // the volumes keep their own modes (runc's readonly rootfs).
  std::vector<std::string> mounted;
  ScopeExit unmount([&] { (void)UnmountAll(mounted); });
  if (spec.root.readonly) {
    ASSIGN_OR_RETURN(std::string self_bind, sandbox::PrepareReadOnlyRoot(rootfs, record_mount));
    if (!self_bind.empty()) mounted.push_back(self_bind);
  }
  ASSIGN_OR_RETURN(std::vector<std::string> volumes,
                   MountUnderSandbox(sandbox, InMountOrder(mounts), record_mount));
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
  CreatedConfig config{spec.oci_version, spec.hooks.start_container, spec.hooks.poststart,
                       spec.hooks.poststop, false};
  if (linux_spec.seccomp) {
    ASSIGN_OR_RETURN(SeccompProgram program,
                     CompileSeccompCached(*linux_spec.seccomp, SeccompCacheDir(), &warnings));
    TRY(SaveContainerSeccomp(store_.SeccompPath(o.id), program));
    config.seccomp = true;
    internal::ApplySeccomp(std::move(program), prepared.spec);
  }
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
  intent.init_pid = proc.pid;
  intent.init_start_time = sys::LiveStartTicks(proc.pid).value_or(0);
  TRY(store_.SaveIntent(intent));
  if (process.oom_score_adj) {
    TRY(sys::WriteFile(fmt::format("/proc/{}/oom_score_adj", proc.pid),
                       std::to_string(*process.oom_score_adj)));
  }

  ContainerState st = intent;
  st.mounts = mounted;
  st.config = std::move(config);

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
  remove_cgroups.Dismiss();
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
  const CreatedConfig config = ConfigOf(st);
  TRY(RunHooks(
      config.start_container, "startContainer",
      HookState(config.oci_version, id, "created", st.init_pid, st.bundle, st.annotations)));

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
  auto hooks = RunHooks(
      config.poststart, "poststart",
      HookState(config.oci_version, id, "running", st.init_pid, st.bundle, st.annotations));
  if (!hooks) Log("warning", hooks.error().ToString());
  return Ok();
}

Result<ContainerStatus> Runtime::State(const std::string& id) {
  auto loaded = store_.Load(id);
  if (!loaded && loaded.error().code() != ErrorCode::kNotFound) {
    // A corrupt state.json: the intent log still tells what the container is (`list` shows it).
    auto intent = store_.LoadIntent(id);
    if (intent) loaded = std::move(intent);
  }
  ASSIGN_OR_RETURN(ContainerState st, std::move(loaded));
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

Result<ContainerState> Runtime::LoadForCleanup(const std::string& id) {
  auto loaded = store_.Load(id);
  if (loaded) return loaded;
  auto intent = store_.LoadIntent(id);
  if (!intent) return loaded;  // the state's error: nothing better is known
  if (loaded.error().code() != ErrorCode::kNotFound)
    Log("warning", fmt::format("{}: using the intent log of container {}",
                               loaded.error().ToString(), Quote(id)));
  return intent;
}

Status Runtime::Teardown(const ContainerState& st, const std::string& status) {
  auto job = OpenJob(st);
  if (job) {
    // Stopped or not: nothing of the container may outlive it (daemonised children too).
    if (status == "paused") (void)(*job)->Thaw();
    TRY_CTX((*job)->Kill(), "kill container {}", Quote(st.id));
    auto empty = (*job)->WaitEmpty(std::chrono::seconds(10));
    if (!empty) return Err(std::move(empty).error());
    if (!*empty)
      return Err(ErrorCode::kFailedPrecondition, "container {}: processes did not exit",
                 Quote(st.id));
    TRY_CTX((*job)->Destroy(), "remove the job of container {}", Quote(st.id));
  } else if (job.error().code() != ErrorCode::kNotFound) {
    return Err(std::move(job).error());
  } else if (status != "stopped" && st.init_pid > 0) {
    ::kill(st.init_pid, SIGKILL);
  }
  RemoveUnusedCgroups(st.cgroup_path);
  return UnmountAll(st.mounts);
}

Status Runtime::Delete(const std::string& id, bool force) {
  auto lock = store_.Lock(id);
  if (!lock) {
    // A directory left by a crashed create (no lock file yet) is removed quietly.
    if (lock.error().code() == ErrorCode::kNotFound && sys::IsDir(store_.Dir(id)) &&
        !sys::Exists(store_.StatePath(id)) && !sys::Exists(store_.IntentPath(id)) && ValidateId(id))
      return store_.Remove(id);
    // runc: `delete --force` of a container that is already gone succeeds (the shim's cleanup
    // of a dead shim relies on it).
    if (force && lock.error().code() == ErrorCode::kNotFound) return Ok();
    return Err(std::move(lock).error());
  }
  const bool has_state = sys::Exists(store_.StatePath(id));
  auto loaded = LoadForCleanup(id);
  if (!loaded) {
    if (loaded.error().code() == ErrorCode::kNotFound) {
      (void)store_.Remove(id);  // stale: a create that never got to act
      if (force) return Ok();
      return Err(ErrorCode::kNotFound, "container does not exist");
    }
    if (!force) return Err(std::move(loaded).error());
    // Neither state nor intent readable: nothing tells where the job and mounts are.
    Log("error", loaded.error().ToString());
    return store_.Remove(id);
  }
  ContainerState st = std::move(*loaded);
  ASSIGN_OR_RETURN(std::string status, StatusOf(st));
  if ((status == "running" || status == "paused") && !force && has_state)
    return Err(ErrorCode::kFailedPrecondition, "cannot delete container {} that is not stopped: {}",
               id, status);
  TRY(Teardown(st, status));
  const CreatedConfig config = ConfigOf(st);
  auto hooks = RunHooks(config.poststop, "poststop",
                        HookState(config.oci_version, id, "stopped", 0, st.bundle, st.annotations));
  if (!hooks) Log("warning", hooks.error().ToString());
  return store_.Remove(id);
}

}  // namespace hp::oci
