// `run`'s node side on Windows (preview, docs/windows.md; run_node.h): the pod runs in the
// foreground, init containers one after another, then every container; each in its own Job
// Object, from its container volume `<volume-root>\<id>\` (CONTAINER_SANDBOX_MOUNT_POINT,
// trailing `\`), with hcsshim's environment and application-name rules (core/windows). When a
// container's first process ends, its job is terminated: nothing it started outlives it. Exit
// code (the verb's, run.cc): the first failing container's; 2: what the preview does not
// support yet; 124: --timeout reached; 128: a container could not be started. --timeout and a
// console control event (Ctrl-C, Ctrl-Break, the console closed) stop the pod as a delete does:
// CTRL_SHUTDOWN_EVENT to each running container's processes, the pod's grace period, then
// TerminateJobObject.
//
// Images are the directory images of `hostprocess import` (core/image/windows/dir_images.h):
// their files are copied into the container volume, their config gives the command, env and
// working directory, and an image built for another OS is refused. An image never imported is
// warned about and the volume starts empty.
//
// ConfigMaps and Secrets given in the same input are what the pod's configMapKeyRef,
// secretKeyRef, envFrom and configMap/secret volumes read (as on Linux).
//
// Preview limits: accounts other than microsoft.com/hostprocess-inherit-user: "true", some
// volumes, probes and restarts are refused or ignored as said below.
#include <windows.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cli/hostprocess/run_node.h"
#include "cli/hostprocess/windows/container.h"
#include "cli/hostprocess/windows/objects.h"
#include "cli/hostprocess/windows/pod_state.h"
#include "cli/hostprocess/windows/runs.h"
#include "core/agent/grace.h"
#include "core/image/windows/dir_images.h"
#include "core/job/windows/job_object.h"
#include "core/launch/windows/spawn.h"
#include "core/plan/plan.h"
#include "core/pod/duration.h"
#include "core/sys/file.h"
#include "core/sys/windows/wide.h"
#include "core/sys/windows/wine.h"
#include "core/windows/account.h"
#include "core/windows/application.h"
#include "core/windows/command_line.h"
#include "core/windows/environment.h"
#include "core/windows/job_limits.h"
#include "core/windows/path.h"

namespace hp::cli {
namespace {

using windows_node::Finish;
// A started container and the threads that copy its output to ours.
struct Running {
  windows_node::Running container;
  std::thread out, err;
};
using windows_node::Write;

// The run's events on stderr in Linux's run's words (`hostprocess: ...`): a container's start
// and exit and the pod's stop with -v; a timeout always.
class RunEvents {
 public:
  explicit RunEvents(bool verbose) : verbose_(verbose) {}
  void operator()(const std::string& m) {
    if (!verbose_ && m.find("timeout") == std::string::npos) return;
    std::lock_guard lock(mu_);
    Write(stderr, "hostprocess: " + m + "\n");
  }

 private:
  bool verbose_;
  std::mutex mu_;
};

// Copies one stream of a container to `to`, each line as `[name] line` (Linux's run): a line
// ends at '\n' (a '\r' before it is the container's and kept); a last line without one is
// written when the stream ends.
void CopyPrefixed(HANDLE pipe, std::string name, FILE* to, std::mutex& mu) {
  std::string pending;
  auto emit = [&](std::string_view line) {
    std::string text = "[" + name + "] ";
    text.append(line);
    text += '\n';
    std::lock_guard lock(mu);
    Write(to, text);
  };
  char buf[4096];
  DWORD n = 0;
  while (ReadFile(pipe, buf, sizeof buf, &n, nullptr) && n > 0) {
    pending.append(buf, n);
    size_t start = 0, nl;
    while ((nl = pending.find('\n', start)) != std::string::npos) {
      emit(std::string_view(pending).substr(start, nl - start));
      start = nl + 1;
    }
    pending.erase(0, start);
  }
  if (!pending.empty()) emit(pending);
  CloseHandle(pipe);
}

// Set by a console control event: the pod stops (PodStop). Manual reset, made once.
HANDLE ConsoleStopEvent() {
  static HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  return event;
}

BOOL WINAPI OnConsoleControl(DWORD type) {
  if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT && type != CTRL_CLOSE_EVENT) return FALSE;
  SetEvent(ConsoleStopEvent());
  return TRUE;  // handled: `run` stops the pod and ends with its exit code
}

// The pod's stop on --timeout or a console control event, as Linux's `run` stops it on its
// deadline, SIGINT or SIGTERM: no container starts any more, and the running ones' jobs (opened
// by name: Finish may close the run's own handles meanwhile) get the pod's grace period
// (StopContainers). Ends with the run (its destructor).
class PodStop {
 public:
  PodStop(std::optional<std::chrono::milliseconds> timeout, std::chrono::milliseconds grace,
          RunEvents& events)
      : done_(CreateEventW(nullptr, TRUE, FALSE, nullptr)) {
    SetConsoleCtrlHandler(OnConsoleControl, TRUE);
    DWORD wait = INFINITE;
    if (timeout && timeout->count() < INFINITE) wait = static_cast<DWORD>(timeout->count());
    watcher_ = std::thread([this, wait, grace, &events] {
      HANDLE ends[] = {done_, ConsoleStopEvent()};
      DWORD why = WaitForMultipleObjects(2, ends, FALSE, wait);
      if (why == WAIT_OBJECT_0) return;
      std::vector<std::string> ids;
      {
        std::lock_guard lock(mu_);
        stopping_ = true;
        timed_out_ = why == WAIT_TIMEOUT;
        ids = running_;
      }
      events(timed_out_
                 ? std::string("timeout: stopping the pod")
                 : "stopping the pod (grace period " + std::to_string(grace.count() / 1000) + "s)");
      windows_node::StopContainers(ids, grace);
    });
  }
  ~PodStop() {
    SetEvent(done_);
    watcher_.join();
    CloseHandle(done_);
    SetConsoleCtrlHandler(OnConsoleControl, FALSE);
  }
  PodStop(const PodStop&) = delete;
  PodStop& operator=(const PodStop&) = delete;

  // Whether container `id` may start (false once the pod is stopping); it is then stopped with
  // the others until Ended.
  bool Starting(const std::string& id) {
    std::lock_guard lock(mu_);
    if (!stopping_) running_.push_back(id);
    return !stopping_;
  }
  void Ended(const std::string& id) {
    std::lock_guard lock(mu_);
    running_.erase(std::remove(running_.begin(), running_.end(), id), running_.end());
  }
  bool timed_out() {
    std::lock_guard lock(mu_);
    return timed_out_;
  }

 private:
  HANDLE done_;
  std::thread watcher_;
  std::mutex mu_;
  std::vector<std::string> running_;  // the ids of the containers that started
  bool stopping_ = false;
  bool timed_out_ = false;
};

}  // namespace

struct RunNodeFlags {
  windows_node::ContainerOptions container{"", windows_node::kDefaultVolumeRoot};
};

std::shared_ptr<RunNodeFlags> AddRunNodeFlags(CLI::App* cmd) {
  auto f = std::make_shared<RunNodeFlags>();
  cmd->add_option("--volume-root", f->container.volume_root,
                  "Where container volumes are made: <volume-root>\\<container-id>\\")
      ->capture_default_str();
  return f;
}

bool CheckRunNodeFlags(const RunNodeFlags&) { return true; }

// The Windows node keeps no node flags: the node as it is (os windows).
agent::Node ForegroundNode(const GlobalOptions&) { return agent::LocalNode({}); }

// What the Windows node's own placement counts (pod_state.h).
Result<std::vector<agent::HostPort>> HeldHostPorts(const GlobalOptions& global) {
  return windows_node::HeldHostPorts(global.root);
}

namespace {

int RunPodIn(const RunNodeFlags& flags, ForegroundPod& run) {
  const std::optional<std::chrono::milliseconds> timeout = run.timeout;
  const k8s::Pod& pod = run.pod;
  // The ConfigMaps and Secrets of the same input, as Linux's run takes them.
  windows_node::PodObjects objects = windows_node::ObjectsOf(*run.objects);
  const k8s::PodSpec* spec = &pod.spec;
  // What a run killed before it ended left (its volumes) goes first; this run records its own.
  for (const std::string& left : windows_node::ReapForegroundRuns(flags.container.root))
    Write(stderr, "Warning: cannot remove " + left + ", left by a run that was killed\n");
  auto record = windows_node::ForegroundRun::Begin(flags.container.root);
  if (!record) {
    Write(stderr, "error: " + record.error().ToString() + "\n");
    return 128;
  }
  if (Status s = record->Add(flags.container.volumes_dir); !s) {
    Write(stderr, "error: " + s.error().ToString() + "\n");
    return 128;
  }
  RunEvents events(run.verbose);
  PodStop stop(timeout, agent::GracePeriod(spec->termination_grace_period_seconds), events);
  // Starts container `c`; nothing (and no error) once the pod is stopping.
  std::mutex output_mu;
  auto run_one = [&](const k8s::Container& c) -> Result<std::optional<Running>> {
    windows_node::ContainerOptions options = flags.container;
    options.config_maps = objects.config_maps;
    options.secrets = objects.secrets;
    options.id = windows_node::NewContainerId();
    if (!stop.Starting(options.id)) return std::optional<Running>();
    Status recorded = record->Add(windows::JoinPath(options.volume_root, options.id));
    HANDLE out_r = nullptr, out_w = nullptr, err_r = nullptr, err_w = nullptr;
    if (recorded &&
        !(CreatePipe(&out_r, &out_w, nullptr, 0) && CreatePipe(&err_r, &err_w, nullptr, 0)))
      recorded =
          Err(ErrorCode::kInternal, "container \"{}\": cannot make its output pipes", c.name);
    options.std_out = out_w;
    options.std_err = err_w;
    Result<windows_node::Running> r = recorded
                                          ? windows_node::Start(pod, c, options)
                                          : Result<windows_node::Running>(Err(recorded.error()));
    for (HANDLE h : {out_w, err_w})  // the container holds its own
      if (h) CloseHandle(h);
    if (!r) {
      for (HANDLE h : {out_r, err_r})
        if (h) CloseHandle(h);
      stop.Ended(options.id);
      Write(stderr, "error: " + r.error().ToString() + "\n");
      // Start undoes what it made; what it could not stays recorded for the next command.
      std::string volume = windows::JoinPath(options.volume_root, options.id);
      if (!windows_node::RemoveLeftovers(volume, options.id, std::chrono::milliseconds(0)).empty())
        record->Keep();
      return Err(r.error());
    }
    events("container \"" + c.name + "\" started (pid " + std::to_string(r->process.pid()) +
           ", sandbox " + r->volume + "\\)");
    Running started{std::move(*r),
                    std::thread(CopyPrefixed, out_r, c.name, stdout, std::ref(output_mu)),
                    std::thread(CopyPrefixed, err_r, c.name, stderr, std::ref(output_mu))};
    return std::optional<Running>(std::move(started));
  };
  // Waits for a started container and removes it: its exit code, or nothing when it could not
  // be waited for (said on stderr).
  auto finish = [&](Running& r) -> std::optional<uint32_t> {
    Status left = Ok();
    auto code = Finish(r.container, &left);
    for (std::thread* t : {&r.out, &r.err}) {
      if (code)
        t->join();  // the job is closed: its processes' ends of the pipes are gone
      else
        t->detach();  // a job that did not empty may hold them for good
    }
    if (!left || !code) record->Keep();  // the next command removes what is left
    if (!left) Write(stderr, "Warning: " + left.error().ToString() + "\n");
    if (!code) {
      Write(stderr, "error: " + code.error().ToString() + "\n");
      return std::nullopt;
    }
    events("container \"" + r.container.name + "\" exited: exit code " + std::to_string(*code));
    return *code;
  };
  // --timeout ends the pod with 124, as on Linux (timeout(1)'s code).
  auto exit_code = [&](int code) { return stop.timed_out() ? 124 : code; };
  for (const k8s::Container& c : spec->init_containers) {
    auto r = run_one(c);
    if (!r) return exit_code(r.error().code() == ErrorCode::kUnsupported ? 2 : 128);
    if (!*r) return exit_code(0);  // stopped before it started
    auto code = finish(**r);
    if (!code) return exit_code(128);
    if (*code != 0) return exit_code(static_cast<int>(*code));
  }
  std::vector<Running> running;
  int failed = 0;
  for (const k8s::Container& c : spec->containers) {
    auto r = run_one(c);
    if (!r) {
      failed = r.error().code() == ErrorCode::kUnsupported ? 2 : 128;
      break;
    }
    if (!*r) break;  // stopped
    running.push_back(std::move(**r));
  }
  int code = failed;
  for (Running& r : running) {
    if (failed) (void)r.container.job->Kill();
    auto ended = finish(r);
    if (!ended) {
      if (code == 0) code = 128;
    } else if (*ended != 0 && code == 0) {
      code = static_cast<int>(*ended);
    }
  }
  return exit_code(code);
}

}  // namespace

int RunInForeground(const GlobalOptions& global, const RunNodeFlags& node, ForegroundPod& run) {
  RunNodeFlags flags = node;
  flags.container.root = global.root;
  // The pod's emptyDir volumes, made when a container mounts one, for this run only.
  flags.container.volumes_dir =
      windows::JoinPath(flags.container.volume_root, windows_node::NewContainerId() + ".volumes");
  int code = RunPodIn(flags, run);
  if (Status s = sys::RemoveAll(flags.container.volumes_dir); !s)
    Write(stderr, "Warning: " + s.error().ToString() + "\n");
  return code;
}

}  // namespace hp::cli
