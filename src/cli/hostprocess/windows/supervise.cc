// `hostprocess.exe supervise-pod KEY` (hidden; started by apply and the DaemonSet controller,
// windows/pod_state.h): one process per pod that runs its init containers one after another,
// then its containers, each in its own Job Object with kill-on-job-close, and holds those
// handles for the pod's life: when the supervisor dies, so do its containers. It restarts
// containers as kubelet does (restartPolicy; back-off 10 s doubling to 5 min, agent/backoff.h),
// pipes their stdout and stderr into CRI log files (`<restart count>.log`, the previous run's
// kept) and records the pod's status (agent::PodStatus, the Linux supervisor's shape) in
// status.json. `delete` asks it to stop (a `stop` file in the pod's directory, as on Linux):
// each running container's job is sent CTRL_SHUTDOWN_EVENT and gets the pod's grace period
// (terminationGracePeriodSeconds) to empty, then is terminated (windows::GracefulStop). A
// container's liveness, readiness and startup probes run in a thread of their own while it runs
// (agent::ProbeWorker's decisions, windows/probes.h's transport): readiness sets its `ready`,
// a failed liveness or startup probe stops its job as a delete does, with the probe's grace
// period (else the pod's), and its restart policy restarts it.
#include <windows.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli/hostprocess/command.h"
#include "cli/hostprocess/windows/container.h"
#include "cli/hostprocess/windows/objects.h"
#include "cli/hostprocess/windows/pod_state.h"
#include "cli/hostprocess/windows/probes.h"
#include "core/agent/backoff.h"
#include "core/agent/grace.h"
#include "core/agent/kubelet_text.h"
#include "core/agent/node.h"
#include "core/agent/probe_worker.h"
#include "core/agent/windows/host_ip.h"
#include "core/base/strings.h"
#include "core/base/time.h"
#include "core/k8s/decode.h"
#include "core/pod/crilog_lines.h"
#include "core/sys/file.h"
#include "core/sys/windows/wide.h"
#include "core/windows/graceful_stop.h"

namespace hp::cli {
namespace {

namespace fs = std::filesystem;
using windows_node::PodDir;

// Copies one stream of a container into its CRI log, its lines cut as containerd cuts them
// (pod/crilog_lines.h, shared with the Linux log writer).
void Pump(HANDLE pipe, const char* stream, FILE* log, std::mutex& mu) {
  pod::CriLineSplitter lines;
  auto record = [&](char tag, std::string_view text) -> Status {
    std::string rec = pod::CriRecord(stream, tag, text, 0);
    std::lock_guard lock(mu);
    fwrite(rec.data(), 1, rec.size(), log);
    fflush(log);
    return Ok();
  };
  char buf[4096];
  DWORD n = 0;
  while (ReadFile(pipe, buf, sizeof buf, &n, nullptr) && n > 0)
    (void)lines.Feed(std::string_view(buf, n), record);
  (void)lines.Finish(record);
  CloseHandle(pipe);
}

class PodSupervisor {
 public:
  PodSupervisor(std::string root, std::string key, windows_node::PodRecord record, k8s::Pod pod,
                windows_node::PodObjects objects)
      : root_(std::move(root)),
        key_(std::move(key)),
        record_(std::move(record)),
        pod_(std::move(pod)),
        objects_(std::move(objects)),
        annotations_(pod_.metadata.annotations.begin(), pod_.metadata.annotations.end()) {}

  int Run() {
    RemoveStaleStop();
    std::thread watcher([this] { WatchStop(); });
    struct JoinWatcher {
      PodSupervisor* self;
      std::thread& t;
      ~JoinWatcher() {
        {
          std::lock_guard lock(self->mu_);
          self->ended_ = true;
        }
        self->cv_.notify_all();
        t.join();
      }
    } join_watcher{this, watcher};
    {
      std::lock_guard lock(mu_);
      status_ = windows_node::InitialStatus(record_.pod);
      if (auto before = windows_node::ReadStatus(root_, key_)) {
        CarryOver(*before);
        status_.events = std::move(before->events);  // an earlier supervisor's stay, as on Linux
      }
      status_.supervisor_pid = static_cast<pid_t>(GetCurrentProcessId());
      // Where this pod's volumes are: a clean-up of a pod whose record cannot be read finds them.
      status_.volume_root = record_.volume_root;
      // hostNetwork: the pod's IP is the node's (status.hostIP, podIP), as kubelet reports it.
      status_.host_ip = agent::HostIp();
      Event("Normal", "Scheduled",
            agent::ScheduledMessage(pod_.metadata, agent::LocalNode({}).name));
      Save();
    }
    for (size_t i = 0; i < pod_.spec.init_containers.size(); ++i) {
      if (!RunInit(i)) {
        std::lock_guard lock(mu_);
        if (stopping_) return 0;
        status_.phase = "Failed";
        status_.finished = true;
        Save();
        return 0;
      }
    }
    {
      std::lock_guard lock(mu_);
      status_.initialized = true;
      status_.phase = "Running";
      Save();
    }
    std::vector<std::thread> threads;
    for (size_t i = 0; i < pod_.spec.containers.size(); ++i)
      threads.emplace_back([this, i] { Keep(i); });
    for (std::thread& t : threads) t.join();
    std::lock_guard lock(mu_);
    if (stopping_) {  // deleted: the delete removes the pod once this process ended
      Save();
      return 0;
    }
    bool all_succeeded = true;
    for (const agent::ContainerStatus& c : status_.containers)
      all_succeeded = all_succeeded && c.state.exit_code == 0;
    status_.phase = all_succeeded ? "Succeeded" : "Failed";
    status_.finished = true;
    Save();
    return 0;
  }

 private:
  std::string StopFile() const { return PodDir(root_, key_) + "\\stop"; }

  // A `stop` written before this process started was left by a delete that did not live to see
  // it through: the pod was re-adopted since, so it is wanted (a delete in progress waits for
  // the supervisor it asked, and never starts one). One written since is for this supervisor
  // (a delete right after apply, before this process got here): it stays and is obeyed.
  void RemoveStaleStop() {
    WIN32_FILE_ATTRIBUTE_DATA a;
    FILETIME created, exited, kernel, user;
    std::wstring path = sys::Widen(StopFile());
    if (!GetFileAttributesExW(path.c_str(), GetFileExInfoStandard, &a)) return;
    if (GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user) &&
        CompareFileTime(&a.ftLastWriteTime, &created) >= 0)
      return;
    DeleteFileW(path.c_str());
  }

  // Polls for the `stop` file a delete writes, until the pod ends; then stops the pod.
  void WatchStop() {
    std::unique_lock lock(mu_);
    while (!ended_) {
      lock.unlock();
      auto asked = sys::ReadFile(StopFile());
      lock.lock();
      if (asked) {
        lock.unlock();
        StopAll(agent::StopFileGrace(*asked));  // delete --grace-period
        return;
      }
      cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return ended_; });
    }
  }

  // The pod's stop (a delete): no container starts or restarts any more; each running one's
  // job is sent CTRL_SHUTDOWN_EVENT and has the grace period to empty, then is terminated. The
  // containers' own threads see their first process end and finish as usual (volume removed).
  void StopAll(std::optional<int64_t> grace_seconds) {
    std::vector<std::string> ids;
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      status_.terminating = true;
      for (const auto* list : {&status_.init_containers, &status_.containers}) {
        for (const agent::ContainerStatus& c : *list) {
          if (std::optional<std::string> id = agent::RunningContainerId(c)) {
            ids.push_back(*id);
            Event("Normal", "Killing", agent::StoppingMessage(c.name));
          }
        }
      }
      Save();
    }
    cv_.notify_all();  // a back-off in progress ends now
    windows_node::StopContainers(
        ids, agent::GracePeriod(grace_seconds ? grace_seconds
                                              : pod_.spec.termination_grace_period_seconds));
  }

  const std::string& Policy() const { return pod_.spec.restart_policy; }
  bool Restarts(int code) const {
    if (Policy() == "Never") return false;
    if (Policy() == "OnFailure") return code != 0;
    return true;  // Always (the default)
  }

  // A re-adopted pod (its last supervisor died, pod_state.h Reconcile), as kubelet treats the
  // containers of a pod whose sandbox it made again: a container that ended and that its restart
  // policy does not restart keeps its end and does not run again; the others run again, one
  // more restart each, the last state being the crash it was backing off from (waiting) or the
  // end the supervisor's death gave it (running: kill-on-job-close). Init containers run again.
  void CarryOver(const agent::PodStatus& before) {
    for (bool init : {true, false}) {
      std::vector<agent::ContainerStatus>& now =
          init ? status_.init_containers : status_.containers;
      const auto& was = init ? before.init_containers : before.containers;
      for (size_t i = 0; i < now.size(); ++i) {
        agent::ContainerStatus& c = now[i];
        for (const agent::ContainerStatus& old : was) {
          if (old.name != c.name) continue;
          c.restart_count = old.restart_count;
          c.last_state = old.last_state;
          if (!init && old.state.kind == "terminated" && !Restarts(old.state.exit_code)) {
            c = old;  // ended for good
            c.container_id.clear();
            done_[i] = true;
          } else if (old.state.kind == "terminated") {
            c.last_state = old.state;
          } else if (old.state.kind == "waiting" && old.last_state) {
            c.restart_count++;  // its back-off was cut short: it starts again now
          } else if (old.started) {
            c.restart_count++;
            c.last_state = agent::ContainerState{
                "terminated",         "Error",         "the pod's supervisor ended", 1, 0,
                old.state.started_at, NowUnixSeconds()};
          }
        }
      }
    }
  }

  // With mu_ held: one of kubelet's events (kubelet_text.h), written with the next Save.
  void Event(const std::string& type, const std::string& reason, const std::string& message) {
    status_.AddEvent(type, reason, message, NowUnixSeconds());
  }

  // With mu_ held: the pod's readiness from its containers, then status.json.
  void Save() {
    bool ready = !status_.containers.empty();
    for (const agent::ContainerStatus& c : status_.containers)
      ready = ready && c.ready && c.state.kind == "running";
    status_.containers_ready = status_.ready = ready;
    status_.updated = NowUnixSeconds();
    (void)windows_node::WriteJson(PodDir(root_, key_) + "\\status.json", status_);
  }

  agent::ContainerStatus& Entry(bool init, size_t i) {
    return init ? status_.init_containers[i] : status_.containers[i];
  }

  void Forget(const std::string& id) {
    auto& live = status_.live_containers;
    live.erase(std::remove(live.begin(), live.end(), id), live.end());
  }

  // Runs container `i` once; its exit code (128 when it could not start, kubelet's StartError).
  int RunOnce(bool init, size_t i) {
    const k8s::Container& c = init ? pod_.spec.init_containers[i] : pod_.spec.containers[i];
    std::string id = windows_node::NewContainerId();
    int restart = 0;
    {
      // Recorded before its volume exists, so that a delete after any crash removes it.
      std::lock_guard lock(mu_);
      if (stopping_) return 1;  // the pod is being deleted: nothing starts
      Entry(init, i).container_id = "hostprocess://" + id;
      status_.live_containers.push_back(id);
      restart = Entry(init, i).restart_count;
      Save();
    }
    std::string log_path = windows_node::LogPath(root_, key_, c.name, restart);
    std::error_code ec;
    fs::create_directories(fs::path(sys::Widen(log_path)).parent_path(), ec);
    if (restart >= 2)  // kubelet keeps the current and the previous run's log
      fs::remove(fs::path(sys::Widen(windows_node::LogPath(root_, key_, c.name, restart - 2))), ec);
    FILE* log = _wfopen(sys::Widen(log_path).c_str(), L"ab");
    HANDLE out_r = nullptr, out_w = nullptr, err_r = nullptr, err_w = nullptr;
    bool piped = CreatePipe(&out_r, &out_w, nullptr, 0) && CreatePipe(&err_r, &err_w, nullptr, 0);
    windows_node::ContainerOptions options{
        root_, record_.volume_root, out_w, err_w, id, PodDir(root_, key_) + "\\volumes"};
    options.config_maps = objects_.config_maps;
    options.secrets = objects_.secrets;
    // What the preview or Wine does not apply: the pod's Warning events (kubelet's place for
    // them; this process has no console).
    options.warn = [this](const std::string& reason, const std::string& message) {
      std::lock_guard lock(mu_);
      Event("Warning", reason, message);
      Save();
    };
    Result<windows_node::Running> r =
        log && piped
            ? windows_node::Start(pod_, c, options)
            : Err(ErrorCode::kInternal, "cannot open the log \"{}\" or make the pipes", log_path);
    for (HANDLE h : {out_w, err_w})
      if (h) CloseHandle(h);
    if (!r) {
      std::string message = r.error().ToString();
      // Start undoes what it made; what it could not is kept recorded for `delete`.
      std::vector<std::string> left = windows_node::RemoveLeftovers(
          record_.volume_root + "\\" + id, id, std::chrono::milliseconds(0));
      if (!left.empty()) message += "; left: " + Join(left, ", ");
      if (log) {
        std::string rec = pod::CriRecord("stderr", 'F', message, 0);
        fwrite(rec.data(), 1, rec.size(), log);
        fclose(log);
      }
      for (HANDLE h : {out_r, err_r})
        if (h) CloseHandle(h);
      std::lock_guard lock(mu_);
      agent::ContainerStatus& e = Entry(init, i);
      e.state = {"terminated", "StartError", message, 128, 0, 0, NowUnixSeconds()};
      Event("Warning", "Failed", "Error: " + message);
      e.ready = false;
      if (left.empty()) Forget(id);
      Save();
      return 128;
    }
    {
      std::lock_guard lock(mu_);
      agent::ContainerStatus& e = Entry(init, i);
      e.state = {"running", "", "", 0, 0, NowUnixSeconds(), 0};
      // kubelet's events of a start; an image never imported was its Warning event instead of
      // Pulled (ContainerOptions::warn).
      if (r->image_imported) Event("Normal", "Pulled", agent::ImagePresentMessage(c.image));
      Event("Normal", "Created", agent::CreatedMessage(c.name));
      Event("Normal", "Started", agent::StartedMessage(c.name));
      // A startup probe holds `started` back, a readiness probe `ready` (ProbeWorker).
      e.started = init || !c.startup_probe;
      e.ready = !init && !c.readiness_probe && e.started;
      e.pid = static_cast<pid_t>(r->process.pid());
      Save();
      // Started while StopAll listed the running containers: it was not listed, so it stops
      // here, at once (it has had no time to need a grace period).
      if (stopping_) (void)r->job->Kill();
    }
    std::mutex log_mu;
    std::thread out(Pump, out_r, "stdout", log, std::ref(log_mu));
    std::thread err(Pump, err_r, "stderr", log, std::ref(log_mu));
    ProbeRun probes;
    std::thread prober;
    if (!init && (c.liveness_probe || c.readiness_probe || c.startup_probe))
      prober = std::thread([&] { Probe(i, c, id, *r, probes); });
    // The probes stop with the first process, before the job is ended and the user and
    // volume removed: an exec probe started later would run in a job being torn down.
    Status waited = windows_node::WaitFirstProcess(*r);
    {
      std::lock_guard lock(probes.mu);
      probes.ended = true;
    }
    probes.cv.notify_all();
    if (prober.joinable()) prober.join();
    Status left = Ok();
    auto code = waited ? windows_node::Finish(*r, &left) : Result<uint32_t>(Err(waited.error()));
    out.join();
    err.join();
    if (!left) {
      // Kept in liveContainers: `delete` tries again.
      std::string rec = pod::CriRecord("stderr", 'F', left.error().ToString(), 0);
      fwrite(rec.data(), 1, rec.size(), log);
    }
    fclose(log);
    int exit_code = code ? static_cast<int>(*code) : 128;
    std::lock_guard lock(mu_);
    agent::ContainerStatus& e = Entry(init, i);
    e.state.kind = "terminated";
    e.state.reason = exit_code == 0 ? "Completed" : "Error";
    e.state.message = code ? "" : code.error().ToString();
    e.state.exit_code = exit_code;
    e.state.finished_at = NowUnixSeconds();
    e.state.container_id = e.container_id;  // kubelet's terminated.containerID
    e.ready = false;
    e.pid = 0;
    if (code && left) Forget(id);  // else kept in liveContainers: `delete` removes what is left
    Save();
    return exit_code;
  }

  // A running container's probe thread and the end of the run it watches.
  struct ProbeRun {
    std::mutex mu;
    std::condition_variable cv;
    bool ended = false;  // with mu: the container's first process ended
  };

  // Runs container `i`'s probes while it runs (until `run.ended`): their events go to the
  // pod's, `started` and `ready` to its status; a liveness or startup failure stops its job as
  // a delete does (StopJobs) with the probe's grace period, else the pod's, and Keep restarts
  // it as after any exit.
  void Probe(size_t i, const k8s::Container& c, const std::string& id, windows_node::Running& r,
             ProbeRun& run) {
    agent::ProbeWorker worker(c, SteadyNowMs());
    windows_node::ProbeTarget target;
    {
      std::lock_guard lock(mu_);
      target.host = status_.host_ip;
    }
    target.container = &c;
    target.exec = [&](const std::vector<std::string>& command, std::chrono::milliseconds timeout,
                      void* output) {
      windows_node::ContainerOptions options{root_, record_.volume_root};
      options.config_maps = objects_.config_maps;
      options.secrets = objects_.secrets;
      options.id = id;
      options.timeout = timeout;
      options.std_out = options.std_err = output;
      return windows_node::Exec(pod_, c, options, command);
    };
    for (;;) {
      {
        std::unique_lock lock(run.mu);
        int64_t wait = std::max<int64_t>(0, worker.NextMs() - SteadyNowMs());
        run.cv.wait_for(lock, std::chrono::milliseconds(std::min<int64_t>(wait, 3'600'000)),
                        [&] { return run.ended; });
        if (run.ended) return;
      }
      if (SteadyNowMs() < worker.NextMs()) continue;
      agent::ProbeStep step = worker.Tick(
          SteadyNowMs(), [&](const k8s::Probe& p) { return windows_node::RunProbe(p, target); });
      {
        std::lock_guard ended(run.mu);
        if (run.ended) return;  // what it saw is the container's end, not its health
      }
      {
        std::lock_guard lock(mu_);
        if (stopping_) return;
        for (const agent::ProbeEvent& e : step.events) Event(e.type, e.reason, e.message);
        agent::ContainerStatus& e = Entry(false, i);
        e.started = worker.started();
        e.ready = worker.ready();
        Save();
      }
      if (step.restart) {
        // Not under mu_: the stop may take the whole grace period.
        windows_node::StopJobs(
            {job::JobObjectOf(*r.job)},
            agent::ProbeGracePeriod(step.restart->termination_grace_period_seconds,
                                    pod_.spec.termination_grace_period_seconds));
        return;
      }
    }
  }

  // After a run that restarts: kubelet's back-off (CrashLoopBackOff while it waits), then the
  // restart count goes up.
  void BackOff(bool init, size_t i, agent::RestartBackoff& backoff) {
    int64_t delay = backoff.OnExit(SteadyNowMs());
    const std::string& name =
        init ? pod_.spec.init_containers[i].name : pod_.spec.containers[i].name;
    {
      std::lock_guard lock(mu_);
      agent::ContainerStatus& e = Entry(init, i);
      e.last_state = e.state;
      if (delay > 0) {
        e.state = {"waiting",
                   "CrashLoopBackOff",
                   agent::CrashLoopBackOffMessage(delay, name, pod_.metadata),
                   0,
                   0,
                   0,
                   0};
        Event("Warning", "BackOff", agent::BackOffMessage(name, pod_.metadata));
      }
      Save();
    }
    std::unique_lock lock(mu_);
    if (delay > 0)
      cv_.wait_for(lock, std::chrono::milliseconds(delay), [this] { return stopping_; });
    if (stopping_) return;
    Entry(init, i).restart_count++;
    Save();
  }

  // An init container, until it succeeds; false when the pod failed (restartPolicy Never).
  bool RunInit(size_t i) {
    agent::RestartBackoff backoff;
    for (;;) {
      if (RunOnce(true, i) == 0) return true;
      if (Policy() == "Never" || Stopping()) return false;
      BackOff(true, i, backoff);
    }
  }

  // A container, for as long as its restart policy keeps it.
  void Keep(size_t i) {
    if (done_[i]) return;  // ended for good before the pod was re-adopted
    agent::RestartBackoff backoff;
    for (;;) {
      int code = RunOnce(false, i);
      if (!Restarts(code) || Stopping()) return;
      BackOff(false, i, backoff);
    }
  }

  bool Stopping() {
    std::lock_guard lock(mu_);
    return stopping_;
  }

  std::string root_, key_;
  windows_node::PodRecord record_;
  k8s::Pod pod_;
  windows_node::PodObjects objects_;  // the ConfigMaps and Secrets recorded with the pod
  std::map<std::string, std::string> annotations_;
  std::mutex mu_;
  std::condition_variable cv_;  // with mu_: stopping_ or ended_ changed
  bool stopping_ = false;       // a delete asked the pod to stop
  bool ended_ = false;          // Run is returning: the stop watcher ends
  std::vector<bool> done_ = std::vector<bool>(pod_.spec.containers.size(), false);
  agent::PodStatus status_;
};

// The supervisor cannot run the pod at all (its record does not read or decode, say after it was
// damaged on disk and the pod re-adopted): the pod is recorded Failed and finished, as kubelet
// shows a pod it cannot start: every container that had not ended ends in StartError (exit
// 128) with the reason, which the pod's message repeats. Finished, it is not re-adopted again
// and again; `delete` removes it. Nothing is written for a pod that is not there.
void RecordStartFailure(const std::string& root, const std::string& key, const nlohmann::json& pod,
                        const Error& why) {
  if (!sys::Exists(PodDir(root, key))) return;
  agent::PodStatus s;
  if (auto before = windows_node::ReadStatus(root, key)) {
    s = *before;
  } else {
    try {
      s = windows_node::InitialStatus(pod);
    } catch (const nlohmann::json::exception&) {
      // a record too damaged to list its containers: the pod's status alone
    }
  }
  std::string message = why.ToString();
  for (auto* list : {&s.init_containers, &s.containers}) {
    for (agent::ContainerStatus& c : *list) {
      if (c.state.kind == "terminated") continue;
      c.state = {"terminated", "StartError", message, 128, 0, c.state.started_at, NowUnixSeconds()};
      c.ready = false;
      c.pid = 0;
    }
  }
  s.phase = "Failed";
  s.message = "the pod's supervisor cannot start it: " + message;
  s.finished = true;
  s.ready = s.containers_ready = false;
  s.supervisor_pid = static_cast<pid_t>(GetCurrentProcessId());
  s.updated = NowUnixSeconds();
  (void)windows_node::WriteJson(PodDir(root, key) + "\\status.json", s);
}

int Supervise(const GlobalOptions& g, const std::string& key) {
  // Started in a new process group (pod_state.cc StartSupervisor), this process ignores Ctrl-C,
  // and its containers would inherit that. Under Wine 8 that flag makes kernel32!CtrlRoutine
  // drop every console control event, CTRL_SHUTDOWN_EVENT included (measured: no handler ran,
  // the remote thread returned 0), so a delete's grace period could not be used. Handling is
  // restored here, before any container starts; the supervisor has no console (detached), so
  // nothing sends it Ctrl-C.
  SetConsoleCtrlHandler(nullptr, FALSE);
  auto record = windows_node::ReadPodRecord(g.root, key);
  if (!record) {
    RecordStartFailure(g.root, key, nlohmann::json::object(), record.error());
    return 1;
  }
  auto pod = windows_node::DecodeRecordPod(g.root, key, *record);
  if (!pod) {
    RecordStartFailure(g.root, key, record->pod, pod.error());
    return 1;
  }
  auto objects = windows_node::DecodeObjects(record->objects,
                                             windows_node::PodDir(g.root, key) + "\\pod.json");
  if (!objects) {
    RecordStartFailure(g.root, key, record->pod, objects.error());
    return 1;
  }
  return PodSupervisor(g.root, key, std::move(*record), std::move(*pod), std::move(*objects)).Run();
}

CommandRegistration supervise_reg(90, {"supervise-pod"},
                                  [](CLI::App& app, GlobalOptions& g, int& rc) {
                                    auto key = std::make_shared<std::string>();
                                    auto* cmd = app.add_subcommand("supervise-pod",
                                                                   "");  // hidden: started by apply
                                    cmd->group("");
                                    cmd->add_option("KEY", *key)->required();
                                    cmd->callback([&g, &rc, key] { rc = Supervise(g, *key); });
                                  });

}  // namespace
}  // namespace hp::cli
