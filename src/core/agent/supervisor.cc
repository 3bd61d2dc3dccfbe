#include "core/agent/supervisor.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/agent/backoff.h"
#include "core/agent/exec.h"
#include "core/agent/grace.h"
#include "core/agent/kubelet_text.h"
#include "core/agent/probe.h"
#include "core/agent/record.h"
#include "core/agent/status.h"
#include "core/agent/store.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/image/store.h"
#include "core/job/job.h"
#include "core/k8s/defaults.h"
#include "core/pod/node_info.h"
#include "core/pod/runner.h"
#include "core/pod/store_rootfs.h"
#include "core/sandbox/volumes.h"
#include "core/sys/file.h"
#include "core/user/accounts.h"

namespace hp::agent {
namespace {

// How often the emptyDir sizeLimit is checked (kubelet's eviction monitoring period: 10 s).
constexpr int64_t kEvictionPeriodMs = 10000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Log(const std::string& msg) {
  std::string line = fmt::format("{} {}\n", Rfc3339(NowUnixSeconds()), msg);
  fwrite(line.data(), 1, line.size(), stderr);
  fflush(stderr);
}

// A failed step of a teardown is logged (supervisor.log), never dropped: what it left is
// named there, and the agent's clean-up removes it from the status.
void LogFailure(const Status& s, const std::string& what) {
  if (!s) Log(what + ": " + s.error().ToString());
}

struct Slot {
  const k8s::Container* spec = nullptr;
  bool init = false;
  size_t index = 0;
  std::unique_ptr<pod::ContainerRunner> runner;
  std::string id;
  int runs = 0;  // how many times it was started
  RestartBackoff backoff;
  int64_t next_start_ms = 0;
  bool done = false;  // ended for good
  bool succeeded = false;
  int64_t kill_deadline_ms = 0;  // SIGTERM sent; SIGKILL at this time (0 = not stopping)
  std::string kill_reason;       // why it is being stopped (probe failure, "update")
  ExecInfo exec;
  ProbeState liveness, readiness, startup;
  int pull_failures = 0;  // tries that found the image missing from the store
};

class Supervisor {
 public:
  explicit Supervisor(SupervisorOptions options)
      : options_(std::move(options)),
        pod_dir_(options_.root + "/run/pods/" + options_.key),
        status_path_(pod_dir_ + "/" + kStatusFile) {}

  int Run();

 private:
  Status Load();
  ContainerStatus& StatusOf(const Slot& s) {
    return s.init ? status_.init_containers[s.index] : status_.containers[s.index];
  }
  std::string PodRef() const { return agent::PodRef(pod().metadata); }
  const k8s::Pod& pod() const { return record_->pod; }
  std::chrono::milliseconds Grace() const {
    return GracePeriod(pod().spec.termination_grace_period_seconds);
  }
  // A probe's own terminationGracePeriodSeconds wins over the pod's.
  std::chrono::milliseconds ProbeGrace(const k8s::Probe& p) const {
    return ProbeGracePeriod(p.termination_grace_period_seconds,
                            pod().spec.termination_grace_period_seconds);
  }
  void Event(const std::string& type, const std::string& reason, const std::string& msg) {
    status_.AddEvent(type, reason, msg, NowUnixSeconds());
    dirty_ = true;
  }
  void StartSlot(Slot& s);
  // kubelet's EnsureImageExists: true when the image is in the node's store (its imageID
  // recorded). Else the container waits with ErrImageNeverPull (pull policy Never) or
  // ErrImagePull, then ImagePullBackOff, with kubelet's events and a hint: this node never
  // pulls by itself, `hostprocess pull` and `import` fill the store.
  bool EnsureImage(Slot& s);
  // An in-place update (kSupervisorReloadSignal): the new record replaces the old one (kept
  // alive for the runners that point into it); a running container whose image changed is
  // stopped and started again with the new spec.
  void Reload();
  void CheckExit(Slot& s, bool stopping);
  void RunProbes(Slot& s);
  void BeginKill(Slot& s, std::chrono::milliseconds grace, const std::string& reason);
  void RemoveLive(const std::string& id);
  void UpdatePhase();
  void Save();
  // Records this process's identity (pid, start time, boot id) in the status.
  void SetIdentity() {
    status_.supervisor_pid = ::getpid();
    status_.supervisor_start = ProcessStartTime(::getpid());
    auto boot = KernelBootId();
    if (boot) status_.supervisor_boot = *boot;
  }
  void ReapOrphans();
  bool Running(const Slot& s) const { return s.runner && s.runner->started(); }
  void StopAll();
  void Finish();
  int WaitTimeoutMs();
  bool StopRequested();
  void Stop();  // asked to stop: by a delete (its stop file, then SIGTERM) or a signal
  // True when the pod is to be evicted (evicted_ set, event recorded).
  bool CheckEviction();

  SupervisorOptions options_;
  std::string pod_dir_;
  std::string status_path_;
  PodRecord rec_;
  std::unique_ptr<DecodedRecord> record_;
  std::vector<std::unique_ptr<DecodedRecord>> retired_;  // earlier records (Reload)
  bool reload_ = false;
  std::unique_ptr<job::JobManager> jobs_;
  std::unique_ptr<pod::RootfsProvider> rootfs_;
  std::optional<image::Store> images_;  // to look images up (EnsureImage)
  user::HostAccounts accounts_;
  std::unique_ptr<sandbox::HostVolumes> volumes_;
  pod::RunnerOptions runner_opts_;
  PodStatus status_;
  std::vector<Slot> init_;
  std::vector<Slot> app_;
  size_t next_init_ = 0;
  bool dirty_ = true;
  bool stop_ = false;
  std::optional<int64_t> stop_grace_;  // what the stop file set (delete --grace-period)
  // kubelet's eviction of a pod whose emptyDir outgrows its sizeLimit, checked every
  // kEvictionPeriodMs (kubelet's eviction monitoring period).
  int64_t next_eviction_check_ms_ = 0;
  std::string evicted_;
  UniqueFd sigfd_;
  UniqueFd dir_lock_;  // the pod directory, flock(2)ed for this process's whole life
};

Status Supervisor::Load() {
  ASSIGN_OR_RETURN(rec_, ReadPodRecord(pod_dir_ + "/" + kPodFile));
  ASSIGN_OR_RETURN(record_, DecodeRecord(rec_, pod_dir_ + "/" + kPodFile));
  TRY_CTX(pod::CheckPodUid(pod()), "{}/{}", pod_dir_, kPodFile);
  ASSIGN_OR_RETURN(jobs_, job::NewJobManager({rec_.job_root}));
  ASSIGN_OR_RETURN(image::Store store, image::Store::Open(options_.root));
  images_.emplace(store);  // a store is its path: opened (made, cleaned) once
  rootfs_ = std::make_unique<pod::StoreRootfs>(std::move(store));
  volumes_ = std::make_unique<sandbox::HostVolumes>(
      sandbox::HostVolumesConfig{options_.root + "/serviceaccount"});
  runner_opts_.root = options_.root;
  runner_opts_.jobs = jobs_.get();
  runner_opts_.rootfs = rootfs_.get();
  runner_opts_.accounts = &accounts_;
  runner_opts_.volumes = volumes_.get();
  runner_opts_.node = pod::LocalNodeInfo();
  runner_opts_.log.max_size = rec_.log_max_size;
  runner_opts_.log.max_files = std::max(1, rec_.log_max_files);
  runner_opts_.kill_with_parent = true;

  SetIdentity();
  status_.pod_uid = pod().metadata.uid;
  status_.job_root = rec_.job_root;
  status_.start_time = NowUnixSeconds();
  status_.host_ip = runner_opts_.node.host_ip;
  const k8s::PodSpec& spec = pod().spec;
  for (size_t i = 0; i < spec.init_containers.size(); i++) {
    ContainerStatus cs;
    cs.name = spec.init_containers[i].name;
    cs.image = spec.init_containers[i].image;
    cs.state.reason = i == 0 ? "PodInitializing" : "";
    status_.init_containers.push_back(cs);
    Slot s;
    s.spec = &spec.init_containers[i];
    s.init = true;
    s.index = i;
    init_.push_back(std::move(s));
  }
  for (size_t i = 0; i < spec.containers.size(); i++) {
    ContainerStatus cs;
    cs.name = spec.containers[i].name;
    cs.image = spec.containers[i].image;
    cs.state.reason = init_.empty() ? "ContainerCreating" : "PodInitializing";
    status_.containers.push_back(cs);
    Slot s;
    s.spec = &spec.containers[i];
    s.index = i;
    app_.push_back(std::move(s));
  }
  status_.initialized = init_.empty();
  // The events written before this supervisor (FailedScheduling, an earlier supervisor's) stay.
  if (auto old = ReadPodStatus(status_path_)) status_.events = std::move(old->events);
  Event("Normal", "Scheduled", ScheduledMessage(pod().metadata, runner_opts_.node.hostname));
  return Ok();
}

void Supervisor::Save() {
  if (!dirty_) return;
  status_.updated = NowUnixSeconds();
  if (auto s = WritePodStatus(status_path_, status_); !s) {
    Log("write status: " + s.error().ToString());
    return;
  }
  dirty_ = false;
}

void Supervisor::RemoveLive(const std::string& id) {
  auto& v = status_.live_containers;
  v.erase(std::remove(v.begin(), v.end(), id), v.end());
  dirty_ = true;
}

bool Supervisor::EnsureImage(Slot& s) {
  ContainerStatus& cs = StatusOf(s);
  const std::string& image = s.spec->image;
  if (!images_) return true;  // the runner reports the store's error
  auto rec = images_->Resolve(image);
  if (rec) {
    // The repository without tag or digest: "docker.io/library/busybox".
    std::string repo = rec->name.substr(0, rec->name.find('@'));
    size_t colon = repo.rfind(':');
    if (colon != std::string::npos &&
        (repo.rfind('/') == std::string::npos || colon > repo.rfind('/')))
      repo.resize(colon);
    cs.image_id = rec->manifest_digest.empty() ? rec->id : repo + "@" + rec->manifest_digest;
    s.pull_failures = 0;
    return true;
  }
  if (rec.error().code() != ErrorCode::kNotFound) return true;  // the runner reports it
  std::string policy = s.spec->image_pull_policy.empty() ? k8s::DefaultImagePullPolicy(image)
                                                         : s.spec->image_pull_policy;
  std::string hint = fmt::format(
      "this node does not pull on its own: run `hostprocess pull {}`, or `hostprocess import "
      "DIR|TARBALL {}`",
      image, image);
  cs.state = ContainerState{};
  if (policy == "Never") {
    std::string msg =
        fmt::format("Container image \"{}\" is not present with pull policy of Never", image);
    cs.state.reason = "ErrImageNeverPull";
    cs.state.message = msg + " (" + hint + ")";
    Event("Warning", "ErrImageNeverPull", msg);
    Event("Warning", "Failed", "Error: ErrImageNeverPull");
  } else if (s.pull_failures == 0) {
    Event("Normal", "Pulling", fmt::format("Pulling image \"{}\"", image));
    std::string err =
        fmt::format("image \"{}\" is not in the node's image store ({})", image, hint);
    cs.state.reason = "ErrImagePull";
    cs.state.message = err;
    Event("Warning", "Failed", fmt::format("Failed to pull image \"{}\": {}", image, err));
    Event("Warning", "Failed", "Error: ErrImagePull");
  } else {
    std::string msg = fmt::format("Back-off pulling image \"{}\"", image);
    cs.state.reason = "ImagePullBackOff";
    cs.state.message = msg + " (" + hint + ")";
    Event("Normal", "BackOff", msg);
    Event("Warning", "Failed", "Error: ImagePullBackOff");
  }
  // kubelet's image back-off: 10 s doubling to 5 min.
  int64_t delay = std::min<int64_t>(int64_t{10000} << std::min(s.pull_failures, 5), 300000);
  s.pull_failures++;
  s.next_start_ms = NowMs() + delay;
  dirty_ = true;
  return false;
}

void Supervisor::StartSlot(Slot& s) {
  ContainerStatus& cs = StatusOf(s);
  if (!EnsureImage(s)) return;
  auto id = pod::NewContainerId();
  if (!id) {
    Log(id.error().ToString());
    return;
  }
  s.id = *id;
  // Recorded before anything exists, so a crash clean-up finds whatever gets created.
  status_.live_containers.push_back(s.id);
  dirty_ = true;
  Save();
  if (dirty_) {
    // The status could not name it (logged): nothing of it may exist unnamed, or the agent's
    // sweep of unnamed containers would take it. Tried again in a second.
    RemoveLive(s.id);
    s.id.clear();
    s.next_start_ms = NowMs() + 1000;
    return;
  }
  pod::ContainerRequest req;
  req.pod = &pod();
  req.container = s.spec;
  req.init = s.init;
  req.restart_count = s.runs;
  req.objects = &record_->objects;
  req.id = s.id;
  auto fail = [&](const std::string& reason, const Error& e) {
    RemoveLive(s.id);
    s.id.clear();
    s.runner.reset();
    cs.state = ContainerState{};
    cs.state.reason = reason;
    cs.state.message = e.ToString();
    Event("Warning", "Failed", "Error: " + e.ToString());
    int64_t now = NowMs();
    s.next_start_ms = now + std::max<int64_t>(s.backoff.OnExit(now), kBackoffInitialMs);
    Log(fmt::format("container \"{}\": {}", s.spec->name, e.ToString()));
  };
  auto runner = pod::ContainerRunner::Create(runner_opts_, req);
  if (!runner) return fail("CreateContainerError", runner.error());
  s.runner = std::move(*runner);
  Event("Normal", "Pulled", ImagePresentMessage(s.spec->image));
  Event("Normal", "Created", CreatedMessage(s.spec->name));
  if (auto st = s.runner->Start(); !st) {
    LogFailure(s.runner->Teardown(), "tear down container \"" + s.spec->name + "\"");
    return fail("RunContainerError", st.error());
  }
  Event("Normal", "Started", StartedMessage(s.spec->name));
  cs.restart_count = s.runs;
  s.runs++;
  cs.state = ContainerState{};
  cs.state.kind = "running";
  cs.state.started_at = NowUnixSeconds();
  cs.container_id = "hostprocess://" + s.id;
  cs.pid = s.runner->pid();
  cs.started = !s.spec->startup_probe;
  cs.ready = !s.spec->readiness_probe && cs.started;
  s.kill_deadline_ms = 0;
  s.kill_reason.clear();
  int64_t now = NowMs();
  s.liveness = ProbeState{true, 0, 0, 0};
  s.readiness = ProbeState{};
  s.startup = ProbeState{};
  if (s.spec->liveness_probe)
    s.liveness.next_ms = now + TimingOf(*s.spec->liveness_probe).initial_delay_ms;
  if (s.spec->readiness_probe)
    s.readiness.next_ms = now + TimingOf(*s.spec->readiness_probe).initial_delay_ms;
  if (s.spec->startup_probe)
    s.startup.next_ms = now + TimingOf(*s.spec->startup_probe).initial_delay_ms;

  const plan::ContainerPlan& p = s.runner->plan();
  const pod::Identity& idn = s.runner->identity();
  s.exec = ExecInfo{};
  s.exec.pod_id = pod::PodJobId(pod());
  s.exec.container_id = s.id;
  s.exec.job_root = rec_.job_root;
  for (const auto& [k, v] : p.env) s.exec.env.push_back(k + "=" + v);
  s.exec.cwd = s.runner->cwd();
  s.exec.sandbox = p.process.sandbox;
  s.exec.image_path = p.process.image_path;
  s.exec.host_path = p.process.host_path;
  s.exec.image_loader = p.process.image_loader;
  s.exec.uid = idn.uid;
  s.exec.gid = idn.gid;
  s.exec.groups = idn.groups;
  s.exec.caps = idn.caps;
  s.exec.no_new_privs = idn.no_new_privs;
  LogFailure(sys::MkdirAll(pod_dir_ + "/exec", 0700), "exec records");
  if (auto w = WriteJsonFileAtomic(pod_dir_ + "/exec/" + s.spec->name + ".json", s.exec); !w) {
    Log(w.error().ToString());
  }
  dirty_ = true;
}

void Supervisor::Reload() {
  auto rec = ReadPodRecord(pod_dir_ + "/" + kPodFile);
  if (!rec) return Log("reload: " + rec.error().ToString());
  auto decoded = DecodeRecord(*rec, pod_dir_ + "/" + kPodFile);
  if (!decoded) return Log("reload: " + decoded.error().ToString());
  const k8s::PodSpec& spec = (*decoded)->pod.spec;
  if (spec.init_containers.size() != init_.size() || spec.containers.size() != app_.size()) {
    return Log("reload: the containers changed: ignored (the agent replaces such a pod)");
  }
  retired_.push_back(std::move(record_));
  record_ = std::move(*decoded);
  rec_ = std::move(*rec);
  for (auto* list : {&init_, &app_}) {
    for (Slot& s : *list) {
      const k8s::Container& c = s.init ? spec.init_containers[s.index] : spec.containers[s.index];
      bool changed = c.image != s.spec->image;
      s.spec = &c;
      if (!changed) continue;
      StatusOf(s).image = c.image;
      dirty_ = true;
      if (Running(s) && !s.kill_deadline_ms) {
        Event("Normal", "Killing",
              fmt::format("Container {} definition changed, will be restarted", c.name));
        BeginKill(s, Grace(), "update");
      }
    }
  }
  Log("reloaded the pod's record");
}

void Supervisor::BeginKill(Slot& s, std::chrono::milliseconds grace, const std::string& reason) {
  if (!Running(s) || s.kill_deadline_ms) return;
  if (s.runner->job()) {
    LogFailure(s.runner->job()->Signal(job::JobSignal::kStop),
               "stop container \"" + s.spec->name + "\"");
  }
  s.kill_deadline_ms = NowMs() + std::max<int64_t>(grace.count(), 1);
  s.kill_reason = reason;
}

void Supervisor::CheckExit(Slot& s, bool stopping) {
  if (!Running(s)) return;
  if (s.kill_deadline_ms && NowMs() >= s.kill_deadline_ms && s.runner->job()) {
    LogFailure(s.runner->job()->Kill(), "kill container \"" + s.spec->name + "\"");
  }
  auto st = s.runner->Wait(std::chrono::milliseconds(0));
  if (st && !*st) return;  // still running
  ContainerStatus& cs = StatusOf(s);
  launch::ExitStatus exit;
  if (st) {
    exit = **st;
  } else {
    Log(fmt::format("container \"{}\": {}", s.spec->name, st.error().ToString()));
    exit.exit_code = 1;
  }
  bool oom = false;
  if (s.runner->job()) {
    if (auto stats = s.runner->job()->GetStats(); stats) oom = stats->oom_kills > 0;
  }
  if (auto t = s.runner->Teardown(); !t) Log(t.error().ToString());
  if (!s.runner->stragglers().empty()) {
    Event("Warning", "ProcessesLeftJob",
          fmt::format("Container {}: processes had left its job and were killed by session: {}",
                      s.spec->name, Join(s.runner->stragglers(), ", ")));
  }
  s.runner.reset();
  (void)::unlink((pod_dir_ + "/exec/" + s.spec->name + ".json").c_str());
  RemoveLive(s.id);
  s.id.clear();

  ContainerState term;
  term.kind = "terminated";
  term.exit_code = exit.exit_code;
  term.reason = oom ? "OOMKilled" : (exit.exit_code == 0 ? "Completed" : "Error");
  term.started_at = cs.state.started_at;
  term.finished_at = NowUnixSeconds();
  // Its id stays the container's (kubelet's containerID of a container waiting to restart is the
  // one that ended), and its terminated state names it.
  term.container_id = cs.container_id;
  cs.state = term;
  cs.ready = false;
  cs.started = false;
  cs.pid = 0;
  s.kill_deadline_ms = 0;
  dirty_ = true;
  Log(fmt::format("container \"{}\" exited with {} ({})", s.spec->name, exit.exit_code,
                  term.reason));
  bool updated = s.kill_reason == "update";
  s.kill_reason.clear();
  if (stopping) {
    s.done = true;
    return;
  }
  if (updated) {
    // kubelet restarts a container whose definition changed at once, whatever its policy.
    cs.last_state = term;
    s.next_start_ms = NowMs();
    return;
  }
  std::string policy = pod().spec.restart_policy.empty() ? "Always" : pod().spec.restart_policy;
  bool failed = exit.exit_code != 0;
  bool restart;
  if (s.init) {
    restart = failed && policy != "Never";
  } else {
    restart = policy == "Always" || (policy == "OnFailure" && failed);
  }
  if (!restart) {
    s.done = true;
    s.succeeded = !failed;
    return;
  }
  int64_t now = NowMs();
  int64_t delay = s.backoff.OnExit(now);
  s.next_start_ms = now + delay;
  cs.last_state = term;
  if (delay > 0) {
    cs.state = ContainerState{};
    cs.state.reason = "CrashLoopBackOff";
    cs.state.message = CrashLoopBackOffMessage(delay, s.spec->name, pod().metadata);
    Event("Warning", "BackOff", BackOffMessage(s.spec->name, pod().metadata));
  }
}

void Supervisor::RunProbes(Slot& s) {
  if (!Running(s) || s.kill_deadline_ms) return;
  ContainerStatus& cs = StatusOf(s);
  int64_t now = NowMs();
  ProbeContext ctx{status_.host_ip, s.spec, &s.exec, s.runner->job()};
  auto run = [&](const k8s::Probe& probe, ProbeState& state, const char* what) -> bool {
    ProbeTiming t = TimingOf(probe);
    if (now < state.next_ms) return state.result;
    state.next_ms = now + t.period_ms;
    ProbeOutcome o = RunProbe(probe, ctx);
    if (!o.success)
      Event("Warning", "Unhealthy", fmt::format("{} probe failed: {}", what, o.message));
    state.Record(o.success, t);
    return state.result;
  };
  if (s.spec->startup_probe && !cs.started) {
    const k8s::Probe& p = *s.spec->startup_probe;
    bool ok = run(p, s.startup, "Startup");
    if (ok) {
      cs.started = true;
      dirty_ = true;
    } else if (s.startup.failures >= TimingOf(p).failure_threshold) {
      Event("Normal", "Killing",
            fmt::format("Container {} failed startup probe, will be restarted", s.spec->name));
      BeginKill(s, ProbeGrace(p), "startup");
      return;
    }
    if (!cs.started) return;
  }
  if (s.spec->liveness_probe) {
    const k8s::Probe& p = *s.spec->liveness_probe;
    run(p, s.liveness, "Liveness");
    if (s.liveness.failures >= TimingOf(p).failure_threshold) {
      Event("Normal", "Killing",
            fmt::format("Container {} failed liveness probe, will be restarted", s.spec->name));
      BeginKill(s, ProbeGrace(p), "liveness");
      return;
    }
  }
  bool ready =
      s.spec->readiness_probe ? run(*s.spec->readiness_probe, s.readiness, "Readiness") : true;
  if (cs.ready != ready) {
    cs.ready = ready;
    dirty_ = true;
  }
}

void Supervisor::UpdatePhase() {
  std::string phase = status_.phase;
  bool init_failed = false;
  for (const Slot& s : init_) init_failed |= s.done && !s.succeeded;
  bool init_done = next_init_ >= init_.size();
  if (init_failed) {
    phase = "Failed";
  } else if (!init_done) {
    phase = "Pending";
  } else {
    bool all_done = true, all_ok = true, any_started = false;
    for (const Slot& s : app_) {
      all_done &= s.done;
      all_ok &= s.succeeded;
      any_started |= s.runs > 0;
    }
    if (all_done) {
      phase = all_ok ? "Succeeded" : "Failed";
    } else if (any_started) {
      phase = "Running";
    }
  }
  bool all_ready = !app_.empty();
  for (Slot& s : app_) all_ready &= StatusOf(s).ready && Running(s);
  if (phase != status_.phase || status_.initialized != init_done ||
      status_.containers_ready != all_ready) {
    status_.phase = phase;
    status_.initialized = init_done;
    status_.containers_ready = status_.ready = all_ready;
    dirty_ = true;
  }
}

void Supervisor::ReapOrphans() {
  // Daemonised processes of the containers are re-parented to us (child subreaper). Reap those,
  // but never a container's first process: its runner reaps it and reads its exit status.
  while (true) {
    siginfo_t si = {};
    if (::waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0) return;
    for (const auto* list : {&init_, &app_}) {
      for (const Slot& s : *list) {
        if (Running(s) && s.runner->pid() == si.si_pid) return;
      }
    }
    ::waitpid(si.si_pid, nullptr, WNOHANG);
  }
}

bool Supervisor::StopRequested() {
  if (!stop_ && sys::Exists(pod_dir_ + "/stop")) Stop();
  return stop_;
}

void Supervisor::Stop() {
  stop_ = true;
  // A delete writes its stop file before its signal: the grace period it sets, if any
  // (delete --grace-period, --now, --force).
  if (auto text = sys::ReadFile(pod_dir_ + "/stop")) stop_grace_ = StopFileGrace(*text);
}

bool Supervisor::CheckEviction() {
  int64_t now = NowMs();
  if (now < next_eviction_check_ms_) return false;
  next_eviction_check_ms_ = now + kEvictionPeriodMs;
  std::string message =
      sandbox::EmptyDirOverLimit(pod(), options_.root + "/pods/" + pod().metadata.uid);
  if (message.empty()) return false;
  evicted_ = message;
  Event("Warning", "Evicted", message);
  return true;
}

int Supervisor::WaitTimeoutMs() {
  int64_t now = NowMs();
  int64_t next = now + 2000;
  auto consider = [&](int64_t t) {
    if (t > 0) next = std::min(next, t);
  };
  consider(next_eviction_check_ms_);
  for (const auto* list : {&init_, &app_}) {
    for (const Slot& s : *list) {
      if (Running(s)) {
        consider(s.kill_deadline_ms);
        if (s.spec->liveness_probe) consider(s.liveness.next_ms);
        if (s.spec->readiness_probe) consider(s.readiness.next_ms);
        if (s.spec->startup_probe && !StatusOf(s).started) consider(s.startup.next_ms);
      } else if (!s.done) {
        consider(s.next_start_ms);
      }
    }
  }
  return static_cast<int>(std::max<int64_t>(next - now, 0));
}

void Supervisor::StopAll() {
  status_.terminating = true;
  dirty_ = true;
  Save();
  auto grace = stop_grace_ ? GracePeriod(stop_grace_) : Grace();
  for (auto* list : {&init_, &app_}) {
    for (Slot& s : *list) {
      Event("Normal", "Killing", StoppingMessage(s.spec->name));
      BeginKill(s, grace, "delete");
    }
  }
  while (true) {
    bool any = false;
    for (auto* list : {&init_, &app_}) {
      for (Slot& s : *list) {
        CheckExit(s, true);
        any |= Running(s);
      }
    }
    ReapOrphans();
    if (!any) break;
    struct pollfd p = {sigfd_.get(), POLLIN, 0};
    ::poll(&p, 1, 50);
    if (p.revents & POLLIN) {
      struct signalfd_siginfo si;
      (void)!::read(sigfd_.get(), &si, sizeof si);
    }
  }
  Save();
}

void Supervisor::Finish() {
  for (auto* list : {&init_, &app_}) {
    for (Slot& s : *list) {
      if (s.runner) {
        LogFailure(s.runner->Teardown(), "tear down container \"" + s.spec->name + "\"");
      }
      s.runner.reset();
    }
  }
  if (volumes_) {
    LogFailure(volumes_->ReleasePod(options_.root + "/pods/" + pod().metadata.uid),
               "release the pod's volumes");
  }
  if (jobs_) LogFailure(jobs_->DestroyPod(pod::PodJobId(pod())), "destroy the pod's job");
  LogFailure(sys::RemoveAll(pod_dir_ + "/exec"), "remove the exec records");
  status_.live_containers.clear();
  status_.finished = true;
  dirty_ = true;
  Save();
}

int Supervisor::Run() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, kSupervisorReloadSignal}) sigaddset(&set, sig);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  // Without the signalfd a delete's SIGTERM and the containers' exits go unseen; without the
  // subreaper daemonised processes escape to init: either is a failed pod, not a silent one.
  // One supervisor per pod, whatever the files say: the pod directory is flock(2)ed for this
  // process's life (O_CLOEXEC: its containers do not hold it). A second one (started while
  // this pod's status and identity files were both damaged) leaves at once, touching nothing,
  // and the agent finds the holder through /proc/locks (FindLiveSupervisor).
  dir_lock_ = UniqueFd(::open(pod_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_lock_.valid() || ::flock(dir_lock_.get(), LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    Log(fmt::format("supervisor: pod directory \"{}\": {}", pod_dir_,
                    err == EWOULDBLOCK ? "another supervisor runs this pod: leaving it to that one"
                                       : std::strerror(err)));
    return 1;
  }
  Status s = Ok();
  sigfd_ = UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd_.valid()) s = SysErr("signalfd");
  if (s && ::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) s = SysErr("prctl PR_SET_CHILD_SUBREAPER");
  if (s) s = Load();
  if (!s) {
    Log("supervisor: " + s.error().ToString());
    status_.phase = "Failed";
    status_.reason = "SupervisorError";
    status_.message = s.error().ToString();
    status_.finished = true;
    SetIdentity();
    dirty_ = true;
    Save();
    return 1;
  }
  Log(fmt::format("supervising pod {}", PodRef()));
  // Not saved yet: the first container's start saves the status before anything of it exists
  // (StartSlot), and the loop saves whatever else changed; until then the status `apply` wrote
  // names this supervisor. One file fewer per pod start (issue 16: a file made costs ~150 us
  // on a journal-less ext4).
  ::malloc_trim(0);  // decoding is done: give back what it used (pods are many, memory dear)
  while (true) {
    if (StopRequested()) break;
    int64_t now = NowMs();
    if (next_init_ < init_.size()) {
      Slot& s = init_[next_init_];
      if (!Running(s) && !s.done && now >= s.next_start_ms) StartSlot(s);
      CheckExit(s, false);
      if (s.done && s.succeeded) {
        next_init_++;
        for (size_t i = 0; next_init_ == init_.size() && i < app_.size(); i++) {
          StatusOf(app_[i]).state.reason = "ContainerCreating";
        }
      }
    } else {
      for (Slot& s : app_) {
        if (!Running(s) && !s.done && NowMs() >= s.next_start_ms) StartSlot(s);
      }
      for (Slot& s : app_) {
        CheckExit(s, false);
        RunProbes(s);
      }
    }
    if (CheckEviction()) break;
    ReapOrphans();
    UpdatePhase();
    Save();
    bool init_failed = false;
    for (const Slot& s : init_) init_failed |= s.done && !s.succeeded;
    bool all_done = !app_.empty() && next_init_ >= init_.size();
    for (const Slot& s : app_) all_done &= s.done;
    if (init_failed || all_done) break;
    struct pollfd p = {sigfd_.get(), POLLIN, 0};
    ::poll(&p, 1, WaitTimeoutMs());
    struct signalfd_siginfo si;
    while (::read(sigfd_.get(), &si, sizeof si) == sizeof si) {
      if (si.ssi_signo == static_cast<uint32_t>(kSupervisorReloadSignal)) {
        reload_ = true;
      } else if (si.ssi_signo != SIGCHLD && !stop_) {
        Stop();
      }
    }
    if (reload_) {
      reload_ = false;
      Reload();
    }
  }
  if (stop_ || !evicted_.empty()) {
    Log(evicted_.empty() ? "stopping pod" : "evicting pod: " + evicted_);
    StopAll();
  }
  if (!evicted_.empty()) {
    status_.phase = "Failed";
    status_.reason = "Evicted";
    status_.message = evicted_;
    dirty_ = true;
  }
  Finish();
  Log("supervisor done");
  return 0;
}

}  // namespace

int RunSupervisor(const SupervisorOptions& options) {
  if (options.go_fd >= 0) {
    char c;
    ssize_t n;
    do {
      n = ::read(options.go_fd, &c, 1);
    } while (n < 0 && errno == EINTR);
    ::close(options.go_fd);
    if (n != 1) return 127;
  }
  Supervisor s(options);
  return s.Run();
}

}  // namespace hp::agent
