#include "core/pod/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "core/base/parallel.h"
#include "core/base/strings.h"
#include "core/sandbox/container.h"
#include "core/sys/file.h"
#include "core/sys/process.h"

namespace hp::pod {
namespace {

Result<std::string> RandomHex(size_t bytes) {
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open("/dev/urandom", O_RDONLY));
  std::string raw(bytes, '\0');
  if (::read(fd.get(), raw.data(), bytes) != static_cast<ssize_t>(bytes)) {
    return SysErr("read \"/dev/urandom\"");
  }
  std::string hex;
  for (unsigned char c : raw) hex += fmt::format("{:02x}", c);
  return hex;
}

std::string PodRef(const k8s::Pod& pod) {  // kubelet's format.Pod: name_namespace(uid)
  std::string ns = pod.metadata.namespace_.empty() ? "default" : pod.metadata.namespace_;
  return pod.metadata.name + "_" + ns + "(" + pod.metadata.uid + ")";
}

Result<job::Limits> JobLimits(const plan::LimitsPlan& l) {
  job::Limits out;
  out.memory_bytes = l.memory_bytes;
  out.cpu_limit_millis = l.cpu_limit_millis;
  out.cpu_request_millis = l.cpu_request_millis;
  out.pids_max = l.pids_max;
  if (!l.io_bps.empty()) {
    ASSIGN_OR_RETURN_CTX(out.io, job::ParseIoLimits(l.io_bps), "annotation \"{}\"",
                         plan::kAnnotationIoBpsMax);
  }
  if (!l.io_iops.empty()) {
    ASSIGN_OR_RETURN_CTX(auto iops, job::ParseIoLimits(l.io_iops), "annotation \"{}\"",
                         plan::kAnnotationIoIopsMax);
    job::MergeIoLimits(out.io, iops);
  }
  return out;
}

}  // namespace

std::string PodLogDir(const std::string& root, const k8s::Pod& pod) {
  std::string ns = pod.metadata.namespace_.empty() ? "default" : pod.metadata.namespace_;
  return root + "/logs/" + ns + "_" + pod.metadata.name + "_" + pod.metadata.uid;
}

std::string ContainerLogPath(const std::string& root, const k8s::Pod& pod,
                             const std::string& container, int restart_count) {
  return PodLogDir(root, pod) + "/" + container + "/" + std::to_string(restart_count) + ".log";
}

std::string PodJobId(const k8s::Pod& pod) { return pod.metadata.uid; }

Status CheckPodUid(const k8s::Pod& pod) {
  Status s = job::ValidateJobName("pod", pod.metadata.uid);
  if (!s) return Err(ErrorCode::kInvalidArgument, "metadata.uid: {}", s.error().message());
  return Ok();
}

Result<std::string> NewContainerId() { return RandomHex(16); }

Result<std::unique_ptr<ContainerRunner>> ContainerRunner::Create(const RunnerOptions& options,
                                                                 const ContainerRequest& request) {
  std::unique_ptr<ContainerRunner> r(new ContainerRunner());
  Status s = r->CreateSteps(options, request);
  if (!s) {
    (void)r->Teardown();
    return Err(std::move(s).error().Context(
        fmt::format("create container \"{}\"", request.container ? request.container->name : "")));
  }
  return r;
}

Status ContainerRunner::CreateSteps(const RunnerOptions& options, const ContainerRequest& req) {
  if (!req.pod || !req.container || !options.jobs || !options.rootfs || !options.accounts) {
    return Err(ErrorCode::kInvalidArgument, "runner: incomplete options or request");
  }
  if (req.pod->metadata.uid.empty()) {
    return Err(ErrorCode::kInvalidArgument, "pod \"{}\" has no uid", req.pod->metadata.name);
  }
  options_ = options;
  output_ = req.output;
  const k8s::Pod& pod = *req.pod;
  const k8s::Container& c = *req.container;
  if (!req.id.empty()) {
    TRY(job::ValidateJobName("container", req.id));
    id_ = req.id;
  } else {
    ASSIGN_OR_RETURN(id_, RandomHex(16));
  }
  sandbox_ = options.root + "/sandboxes/" + id_ + "/";
  scratch_ = options.root + "/containers/" + id_;
  log_path_ = ContainerLogPath(options.root, pod, c.name, req.restart_count);

  // The job's cgroups are made on a second thread while this one makes the container volume and
  // plans the container: two kinds of kernel work that do not wait for each other (a job is
  // ~20 cgroup directories; docs/performance.md). Its limits are the manifest's alone; when they
  // cannot be worked out here, the job is made after the plan, which says why, as before. Any
  // return below before the job is taken waits for it and removes it.
  std::optional<Background<Result<std::unique_ptr<job::Job>>>> making_job;
  if (auto lp = plan::PlanLimits(pod, c, options.node)) {
    if (auto limits = JobLimits(*lp)) {
      making_job.emplace([jobs = options.jobs, pod_id = PodJobId(pod), id = id_,
                          l = std::move(*limits)] { return jobs->Create(pod_id, id, l); });
    }
  }

  TRY(sandbox::PrepareStateRoot(options.root));
  // root's until the account is known, then the account's alone (OwnSandbox).
  if (::mkdir(sandbox_.c_str(), 0700) < 0) return SysErr("mkdir \"{}\"", sandbox_);
  undo_.emplace_back("sandbox", [dir = sandbox_]() -> Status {
    // Does not cross mount points: a mount left behind keeps its directory (and the error).
    return sys::RemoveAll(dir);
  });
  if (::mkdir(scratch_.c_str(), 0700) < 0) return SysErr("mkdir \"{}\"", scratch_);
  undo_.emplace_back("scratch", [dir = scratch_]() -> Status { return sys::RemoveAll(dir); });

  ASSIGN_OR_RETURN_CTX(plan::ImageConfig image, options.rootfs->Config(c.image), "image \"{}\"",
                       c.image);
  TRY(plan::CheckImageOs(c.image, image.os, options.node.os));
  ASSIGN_OR_RETURN_CTX(Undo unmount, options.rootfs->Mount(c.image, sandbox_, scratch_ + "/rootfs"),
                       "image \"{}\"", c.image);
  undo_.emplace_back("rootfs", std::move(unmount));

  plan::PlanInput in;
  in.pod = &pod;
  in.container = &c;
  in.init = req.init;
  in.image = image;
  in.node = options.node;
  in.sandbox = sandbox_;
  if (req.objects) {
    in.config_maps = req.objects->config_maps;
    in.secrets = req.objects->secrets;
  }
  ASSIGN_OR_RETURN(plan_, plan::PlanContainer(in));

  Undo release_account;
  auto identity = options.accounts->Resolve(plan_.account, id_, release_account);
  if (release_account) undo_.emplace_back("account", std::move(release_account));
  if (!identity) return Err(std::move(identity).error());
  identity_ = std::move(*identity);
  if (plan_.account.run_as_non_root && identity_.uid == 0) {
    if (plan_.account.uid && *plan_.account.uid == 0) {
      return Err(ErrorCode::kFailedPrecondition,
                 "container's runAsUser breaks non-root policy (pod: \"{}\", container: {})",
                 PodRef(pod), c.name);
    }
    return Err(ErrorCode::kFailedPrecondition,
               "container has runAsNonRoot and image will run as root (pod: \"{}\", container: {})",
               PodRef(pod), c.name);
  }

  // The container volume is its account's alone; say early when the account cannot reach it.
  TRY(sandbox::OwnSandbox(sandbox_, identity_.uid, identity_.gid));
  {
    std::vector<gid_t> gids = identity_.groups;
    gids.push_back(identity_.gid);
    TRY_CTX(sandbox::CheckReachable(sandbox_, identity_.uid, gids), "account \"{}\"",
            identity_.name);
  }

  if (!plan_.mounts.empty()) {
    if (!options.volumes) {
      return Err(ErrorCode::kUnsupported, "volume \"{}\": no volume support in this build",
                 plan_.mounts[0].name);
    }
    VolumeContext ctx;
    ctx.pod = &pod;
    ctx.container = &c;
    ctx.node = options.node;
    ctx.objects = req.objects;
    ctx.sandbox = sandbox_;
    ctx.scratch = scratch_ + "/volumes";
    ctx.pod_dir = options.root + "/pods/" + pod.metadata.uid;
    ctx.identity = identity_;
    ctx.layout = plan_.layout;
    ASSIGN_OR_RETURN(PreparedVolumes vols, options.volumes->Prepare(plan_.mounts, ctx));
    if (vols.undo) undo_.emplace_back("volumes", std::move(vols.undo));
    binds_ = std::move(vols.binds);
  }

  // Resolved (and created) inside the container volume through descriptors, never by a path
  // string that a symlink could redirect; then the command, now that every file is in place.
  ASSIGN_OR_RETURN_CTX(
      cwd_, sandbox::PrepareWorkingDir(plan_.working_dir, sandbox_, identity_.uid, identity_.gid),
      "workingDir");
  TRY(plan::ResolveContainerProcess(plan_, cwd_, plan::RealFs()));

  if (making_job) {
    ASSIGN_OR_RETURN(job_, making_job->Take());
  } else {
    ASSIGN_OR_RETURN(job::Limits limits, JobLimits(plan_.limits));
    ASSIGN_OR_RETURN(job_, options.jobs->Create(PodJobId(pod), id_, limits));
  }
  ASSIGN_OR_RETURN(log_, CriLogWriter::Open(log_path_, options.log));
  return Ok();
}

Status ContainerRunner::Start() {
  if (started_)
    return Err(ErrorCode::kFailedPrecondition, "container \"{}\" already started", name());
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) < 0) return SysErr("pipe");
  UniqueFd out_r(out[0]), out_w(out[1]);
  if (::pipe2(err, O_CLOEXEC) < 0) return SysErr("pipe");
  UniqueFd err_r(err[0]), err_w(err[1]);
  ASSIGN_OR_RETURN(UniqueFd devnull, sys::Open("/dev/null", O_RDONLY));

  launch::LaunchSpec spec;
  spec.path = plan_.executable;
  spec.argv = plan_.argv;
  for (const auto& [k, v] : plan_.env) spec.env.push_back(k + "=" + v);
  spec.cwd = cwd_;
  spec.uid = identity_.uid;
  spec.gid = identity_.gid;
  spec.groups = identity_.groups;
  spec.caps = identity_.caps;
  spec.no_new_privs = identity_.no_new_privs;
  spec.stdin_fd = devnull.get();
  spec.stdout_fd = out_w.get();
  spec.stderr_fd = err_w.get();
  spec.new_session = true;  // Ctrl-C on the terminal reaches the runner, which stops with grace
  spec.job = job_.get();
  spec.parent_death_signal = options_.kill_with_parent ? SIGKILL : 0;
  if (plan_.layout == plan::MountLayout::kAbsolute) {
    spec.new_mount_ns = true;
    spec.binds = binds_;
  }
  // The pump is made before the launch, and starts while the container does: a thread made
  // after it was first scheduled up to 2.4 ms later on the development VM (an idle vCPU woken),
  // and `run` waits for the pump once the container is done.
  pump_ = std::thread(&ContainerRunner::Pump, this, std::move(out_r), std::move(err_r));
  auto launched = launch::Launch(spec);
  out_w.reset();
  err_w.reset();
  if (!launched) {
    pump_.join();  // both pipes ended: it stops
    return tl::unexpected(
        std::move(launched).error().Context(fmt::format("start container \"{}\"", name())));
  }
  process_ = std::move(*launched);
  started_ = true;
  if (auto st = sys::ReadProcStat(process_.pid)) start_ticks_ = st->start_ticks;
  return Ok();
}

void ContainerRunner::Pump(UniqueFd out, UniqueFd err) {
  struct Stream {
    UniqueFd fd;
    LogStream kind;
    std::string line;  // unfinished line for the sink
  } streams[2] = {{std::move(out), LogStream::kStdout, {}},
                  {std::move(err), LogStream::kStderr, {}}};
  char buf[65536];
  while (streams[0].fd || streams[1].fd) {
    struct pollfd pfds[2];
    int n = 0;
    Stream* which[2];
    for (Stream& s : streams) {
      if (!s.fd) continue;
      pfds[n] = {s.fd.get(), POLLIN, 0};
      which[n++] = &s;
    }
    if (::poll(pfds, n, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Stream& s = *which[i];
      ssize_t got = ::read(s.fd.get(), buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        (void)log_->Close(s.kind);
        if (output_ && !s.line.empty()) output_(name(), s.kind, s.line);
        s.fd.reset();
        continue;
      }
      std::string_view data(buf, static_cast<size_t>(got));
      (void)log_->Write(s.kind, data);  // a full disk must not block the container
      if (output_) {
        s.line.append(data);
        size_t start = 0, nl;
        while ((nl = s.line.find('\n', start)) != std::string::npos) {
          output_(name(), s.kind, std::string_view(s.line).substr(start, nl - start));
          start = nl + 1;
        }
        s.line.erase(0, start);
      }
    }
  }
}

Status ContainerRunner::FinishAfterExit() {
  // The first process is gone: whatever it left running (daemons) goes with the container.
  Status s = job_->Kill();
  if (s) {
    auto empty = job_->WaitEmpty(std::chrono::milliseconds(10000));
    if (!empty) {
      s = Err(std::move(empty).error());
    } else if (!*empty) {
      s = Err(ErrorCode::kUnavailable, "job \"{}\" is not empty after SIGKILL", job_->Describe());
    }
  }
  // Before draining the output: a process that left the job may hold the pipes open.
  FindStragglers();
  if (pump_.joinable()) pump_.join();
  log_.reset();  // all of the output is in: the log is closed now rather than at the teardown
  return s;
}

void ContainerRunner::FindStragglers() {
  // The job is empty; a process of the container's session still alive left the job (a root
  // process can move itself to another cgroup). Reported, and killed with the container.
  std::vector<std::string> found = sys::SessionStragglers(process_.pid, start_ticks_, true);
  stragglers_.insert(stragglers_.end(), found.begin(), found.end());
}

Result<std::optional<launch::ExitStatus>> ContainerRunner::Wait(std::chrono::milliseconds timeout) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (exit_) return exit_;
  }
  if (!started_) return Err(ErrorCode::kFailedPrecondition, "container \"{}\" not started", name());
  ASSIGN_OR_RETURN(std::optional<launch::ExitStatus> st, launch::Wait(process_, timeout));
  if (!st) return st;
  Status fin = FinishAfterExit();
  {
    std::lock_guard<std::mutex> lock(mu_);
    exit_ = st;
  }
  TRY_CTX(fin, "container \"{}\"", name());
  return st;
}

std::optional<launch::ExitStatus> ContainerRunner::exit_status() const {
  std::lock_guard<std::mutex> lock(const_cast<std::mutex&>(mu_));
  return exit_;
}

Status ContainerRunner::Stop(std::chrono::milliseconds grace) {
  if (!started_ || exit_status()) return Ok();
  TRY_CTX(job_->Terminate(grace), "stop container \"{}\"", name());
  return Ok();
}

Status ContainerRunner::Teardown() {
  if (torn_down_) return Ok();
  torn_down_ = true;
  Status first = Ok();
  auto keep = [&](Status s, std::string_view what) {
    if (!s && first) first = Err(std::move(s).error().Context(std::string(what)));
  };
  if (started_ && !exit_status()) {
    if (job_) keep(job_->Kill(), "kill");
    auto w = launch::Wait(process_);
    if (!w) keep(Err(std::move(w).error()), "wait");
    if (job_) (void)job_->WaitEmpty(std::chrono::milliseconds(10000));
    FindStragglers();
  }
  if (pump_.joinable()) pump_.join();
  // The container volume is unmounted before the job's cgroups start to go: an unmount waits for
  // an expedited RCU grace period, which cgroup removal on another CPU delays (mean 0.27 ms, up
  // to 7 ms, against 0.02 ms alone; docs/performance.md). The rootfs undo below then finds it
  // unmounted. With a volume mounted inside it this fails (EBUSY) and the undo order unmounts
  // the volume first, as before.
  if (!sandbox_.empty()) (void)::umount2(sandbox_.c_str(), UMOUNT_NOFOLLOW);
  // The job's cgroups are removed on a second thread while this one removes the container's
  // files (whose freed blocks a file system may wait on); its error comes first.
  std::optional<Background<Status>> removing_job;
  if (job_) removing_job.emplace([job = job_.get()] { return job->Destroy(); });
  log_.reset();
  // An account left behind keeps the directories that name it (agent/cleanup.h finds it there
  // again); without them nothing would.
  bool account_left = false;
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    if (!it->second) continue;
    if (account_left && (it->first == "sandbox" || it->first == "scratch")) continue;
    Status s = it->second();
    if (!s && it->first == "account") account_left = true;
    keep(std::move(s), "remove " + it->first);
  }
  undo_.clear();
  if (removing_job) {
    Status removed = removing_job->Take();
    if (!removed) first = Err(std::move(removed).error().Context("remove job"));
  }
  if (!first) {
    return Err(std::move(first).error().Context(fmt::format("teardown container \"{}\"", name())));
  }
  return Ok();
}

ContainerRunner::~ContainerRunner() { (void)Teardown(); }

}  // namespace hp::pod
