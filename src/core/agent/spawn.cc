// hp/agent: creating a pod's run state and its supervisor, and stopping pods (agent.h).
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "core/agent/agent.h"
#include "core/agent/cleanup.h"
#include "core/agent/grace.h"
#include "core/agent/naming.h"
#include "core/agent/supervisor.h"
#include "core/base/time.h"
#include "core/base/unique_fd.h"
#include "core/image/plugin.h"
#include "core/image/store.h"
#include "core/launch/launch.h"
#include "core/sys/file.h"
#include "core/sys/process.h"

namespace hp::agent {
namespace {

// The supervisor mounts image layers but cannot unpack them (it loads no libarchive; import and
// pull unpack every layer): a layer of the pod's images left packed (say, by an interrupted
// pull) is unpacked here, before the supervisor starts. Errors are the supervisor's to report,
// in the pod's status. The image module (plugin.h) is loaded only for a layer still packed.
// `done` holds the images already looked at by this command: the store is opened, and an image
// resolved, once for all the pods an apply starts that use it.
void UnpackImageLayers(const std::string& root, const nlohmann::json& pod,
                       std::set<std::string>& done) {
  if (!pod.contains("spec")) return;
  std::vector<std::string> images;
  for (const char* list : {"initContainers", "containers"}) {
    auto it = pod["spec"].find(list);
    if (it == pod["spec"].end() || !it->is_array()) continue;
    for (const auto& c : *it) {
      auto image = c.find("image");
      if (image != c.end() && image->is_string() && done.insert(image->get<std::string>()).second)
        images.push_back(image->get<std::string>());
    }
  }
  if (images.empty()) return;
  auto store = image::Store::Open(root);
  if (!store) return;
  for (const std::string& image : images) {
    auto rec = store->Resolve(image);
    if (!rec) continue;
    for (const auto& layer : rec->layers) (void)image::UnpackLayer(*store, layer);
  }
}

// The kubelet with WindowsHostProcessContainers off does not create a HostProcess pod's
// sandbox: the pod stays Pending, each try adds to its FailedCreatePodSandBox event. True when
// the pod is refused (its status written).
Result<bool> RefusedByFeatureGate(const k8s::FeatureGates& gates, const std::string& dir,
                                  const PodRecord& record) {
  if (gates.windows_host_process_containers) return false;
  ASSIGN_OR_RETURN(auto decoded, DecodeRecord(record, dir + "/" + kPodFile));
  if (!k8s::HasWindowsHostProcessContainer(decoded->pod.spec)) return false;
  auto stored = ReadPodStatus(dir + "/" + kStatusFile);
  PodStatus status = stored ? std::move(*stored) : InitialStatus(record);
  status.supervisor_pid = 0;
  status.supervisor_start = 0;
  status.sandbox_refused = true;
  status.AddEvent("Warning", k8s::kFailedCreatePodSandBox, k8s::FailedCreatePodSandBoxMessage(),
                  NowUnixSeconds());
  status.updated = NowUnixSeconds();
  TRY(WritePodStatus(dir + "/" + kStatusFile, status));
  return true;
}

}  // namespace

Status Agent::RecordUnplaced(const std::string& dir, const PodRecord& record, const Placement& p) {
  PodStatus status = InitialStatus(record);
  if (auto stored = ReadPodStatus(dir + "/" + kStatusFile)) status.events = stored->events;
  status.pod_uid = record.pod["metadata"].value("uid", "");
  status.job_root = record.job_root;
  MarkUnplaced(status, p, NowUnixSeconds());
  return WritePodStatus(dir + "/" + kStatusFile, status);
}

Status Agent::SpawnSupervisor(const std::string& key, const PodRecord& rec) {
  std::string dir = store_.PodDir(key);
  ASSIGN_OR_RETURN(bool refused, RefusedByFeatureGate(settings_.gates, dir, rec));
  if (refused) return Ok();
  std::string log = dir + "/" + kSupervisorLog;
  // The small supervisor binary next to this one when it is there, else this binary's hidden
  // `__supervise` verb.
  std::string small =
      options_.self_exe.substr(0, options_.self_exe.rfind('/') + 1) + "hostprocess-supervisor";
  bool use_small = ::access(small.c_str(), X_OK) == 0;
  // Detached (new session, double fork: hp/launch), exec'd at once; it reads one byte from fd
  // 3 (the go below) before anything else (EOF: this start was undone, it leaves).
  std::vector<std::string> args =
      use_small ? std::vector<std::string>{"hostprocess-supervisor", options_.root, key, "3"}
                : std::vector<std::string>{
                      "hostprocess", "--root", options_.root, "__supervise", "--go-fd", "3", key};
  ASSIGN_OR_RETURN(UniqueFd null_fd, sys::Open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSIGN_OR_RETURN(UniqueFd log_fd,
                   sys::Open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  int go_pipe[2];
  if (::pipe2(go_pipe, O_CLOEXEC) < 0) return SysErr("pipe");
  UniqueFd go_r(go_pipe[0]), go_w(go_pipe[1]);
  launch::LaunchSpec spec;
  spec.path = use_small ? small : options_.self_exe;
  spec.argv = args;
  spec.env = launch::CurrentEnvironment();
  spec.stdin_fd = null_fd.get();
  spec.stdout_fd = log_fd.get();
  spec.stderr_fd = log_fd.get();
  spec.extra_fds = {go_r.get()};
  spec.detach = true;
  // Neither clone copies this process's memory (launch.h): a copy per pod cost apply its page
  // tables and a copy-on-write fault on every page it wrote while the copies waited.
  ASSIGN_OR_RETURN_CTX(launch::Process proc, launch::Launch(spec),
                       "pod \"{}\": start the supervisor", key);
  go_r.reset();
  pid_t sup = proc.pid;  // until go, a failure here closes go_w: the supervisor leaves
  // The first status names the supervisor before it acts, so no reader ever sees a pod
  // without one; the supervisor writes every later status itself.
  PodStatus status = InitialStatus(rec);
  // Earlier events (FailedScheduling, FailedCreatePodSandBox) stay, as a cluster keeps them.
  if (auto old = ReadPodStatus(dir + "/" + kStatusFile)) status.events = std::move(old->events);
  SupervisorId id{sup, ProcessStartTime(sup), boot_id_, rec.pod["metadata"].value("uid", ""),
                  rec.job_root};
  status.supervisor_pid = id.pid;
  status.supervisor_start = id.start;
  status.supervisor_boot = id.boot;
  status.pod_uid = rec.pod["metadata"].value("uid", "");
  status.job_root = rec.job_root;
  status.updated = NowUnixSeconds();
  // Its identity twice, so that one damaged file never hides a live supervisor.
  TRY(WriteSupervisorId(dir, id));
  TRY(WritePodStatus(dir + "/" + kStatusFile, status));
  if (::write(go_w.get(), "g", 1) != 1) return SysErr("pod \"{}\": start the supervisor", key);
  return Ok();
}

Status Agent::CreatePod(const std::string& key, PodRecord record, const Placement& placement) {
  std::string dir = store_.PodDir(key);
  std::string uid = NewUid();
  record.pod["metadata"]["uid"] = uid;
  record.created = NowUnixSeconds();
  if (sys::Exists(dir)) TRY(sys::RemoveAll(dir));
  TRY(sys::MkdirAll(dir, 0700));
  Status s = WriteJsonFileAtomic(dir + "/" + kPodFile, record);
  bool placed = placement.kind == Placement::kPlaced;
  if (s && placed) UnpackImageLayers(options_.root, record.pod, images_unpacked_);
  if (s) s = placed ? SpawnSupervisor(key, record) : RecordUnplaced(dir, record, placement);
  if (!s) {
    if (auto r = sys::RemoveAll(dir); !r) Warn(r.error().ToString());
    return Err(std::move(s).error().Context(fmt::format("create pod \"{}\"", key)));
  }
  return Ok();
}

Status Agent::RemovePods(const std::vector<std::string>& keys,
                         const std::map<std::string, int64_t>& grace_of) {
  struct Removing {
    PodView view;
    std::chrono::steady_clock::time_point deadline;
    UniqueFd exited;  // the supervisor's pidfd: readable once it has exited (none: polled)
  };
  std::vector<Removing> list;
  auto now = std::chrono::steady_clock::now();
  for (const std::string& key : keys) {
    auto v = ReadPod(key);
    if (!v) {
      // pod.json is unreadable (half-created, or damaged): the pod is still stopped and
      // cleaned up, found through its status and its supervisor's identity.
      Warn(fmt::format("pod \"{}\": {}: removing it", key, v.error().ToString()));
      v = SalvagePod(key);
    }
    auto given = grace_of.find(key);
    std::optional<int64_t> grace_override;
    if (given != grace_of.end()) grace_override = given->second;
    if (auto s = sys::WriteFileAtomic(v->dir + "/stop", StopFileText(grace_override));
        !s && v->supervisor_alive) {
      return s;
    }
    UniqueFd exited;
    if (v->supervisor_alive) {
      // The pidfd is the supervisor's when the pid still names it once the pidfd is open.
      if (auto fd = sys::PidfdOpen(v->status.supervisor_pid);
          fd && ProcessAlive(v->status.supervisor_pid, v->status.supervisor_start)) {
        exited = std::move(*fd);
      }
      ::kill(v->status.supervisor_pid, SIGTERM);
    }
    auto stop_wait = SupervisorStopWait(grace_override ? grace_override : GraceSeconds(v->record));
    list.push_back({std::move(*v), now + stop_wait, std::move(exited)});
  }
  // Wait for the supervisors to stop their containers: woken by each one's exit (its pidfd),
  // where a poll every 10 ms added up to 10 ms to a delete (issue 16); polled every 10 ms
  // without a pidfd.
  while (true) {
    bool any = false, polled = false;
    std::vector<pollfd> fds;
    auto wake = std::chrono::steady_clock::time_point::max();
    for (Removing& r : list) {
      PodStatus& st = r.view.status;
      if (!r.view.supervisor_alive) continue;
      if (!ProcessAlive(st.supervisor_pid, st.supervisor_start)) {
        r.view.supervisor_alive = false;
        r.exited.reset();
        continue;
      }
      if (std::chrono::steady_clock::now() >= r.deadline) {
        ::kill(st.supervisor_pid, SIGKILL);
      } else {
        wake = std::min(wake, r.deadline);
      }
      any = true;
      if (r.exited) {
        fds.push_back({r.exited.get(), POLLIN, 0});
      } else {
        polled = true;
      }
    }
    if (!any) break;
    auto left =
        std::chrono::ceil<std::chrono::milliseconds>(wake - std::chrono::steady_clock::now());
    int64_t ms = std::clamp<int64_t>(left.count(), 1, polled ? 10 : 1000);
    if (fds.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    } else if (::poll(fds.data(), fds.size(), static_cast<int>(ms)) < 0 && errno != EINTR) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  Status first = Ok();
  for (Removing& r : list) {
    // The supervisor's last word on what exists (it may have removed everything itself).
    auto st = ReadPodStatus(r.view.dir + "/" + kStatusFile);
    if (st) r.view.status = std::move(*st);
    Status c = CleanupPod(
        {options_.root, r.view.record.job_root, r.view.uid, r.view.status.live_containers});
    if (!c) {
      if (first) first = Err(std::move(c).error().Context(fmt::format("pod \"{}\"", r.view.key)));
      continue;  // keep its state: a later delete or apply tries again
    }
    if (auto l = sys::RemoveAll(
            fmt::format("{}/{}_{}_{}", store_.LogsDir(), r.view.ns, r.view.name, r.view.uid));
        !l) {
      Warn(fmt::format("pod \"{}\": remove its logs: {}", r.view.key, l.error().ToString()));
    }
    Status d = sys::RemoveAll(r.view.dir);
    if (!d && first) first = std::move(d);
  }
  return first;
}

}  // namespace hp::agent
